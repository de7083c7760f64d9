// names.js names what the documents refer to by id: actions, capabilities,
// value-stream stages and incidents. The public `catalogue` document
// carries every name of the scenario; when it is missing (an older
// server) or lacks an id, names are taken from the documents that explain
// things (reviews, options, incident alerts), then from the UI's own
// dictionary (stages), and as a last resort the id is turned into words.

import { t, tx } from './i18n.js';

const KINDS = { action: 'actions', capability: 'capabilities', stage: 'stages', incident: 'incidents' };

// One index per catalogue document: the document is replaced, never
// changed in place, so a WeakMap keyed by it stays right.
const indexes = new WeakMap();

function index(cat) {
  let idx = indexes.get(cat);
  if (!idx) {
    idx = {};
    for (const [kind, field] of Object.entries(KINDS)) {
      const m = new Map();
      for (const item of cat[field] || []) if (item && item.id) m.set(item.id, item);
      idx[kind] = m;
    }
    indexes.set(cat, idx);
  }
  return idx;
}

/** catalogueItem returns the catalogue's entry for an id of a kind
 * (action, capability, stage, incident), or null. */
export function catalogueItem(session, kind, id) {
  const cat = session && session.docs && session.docs.catalogue;
  if (!cat || typeof cat !== 'object') return null;
  const idx = index(cat);
  return (idx[kind] && idx[kind].get(id)) || null;
}

/** humanize turns an id like "ops_containers" into words: the last
 * resort when no document names it. */
export function humanize(id) {
  return String(id || '').replace(/[_-]+/g, ' ').trim();
}

// Names gathered from the explanations, cached per set of documents (the
// session replaces its docs object at every change).
const explained = new WeakMap();

/** explainedNames maps "action:<id>", "capability:<id>", "rule:<id>" and
 * "incident:<id>" to the names the reviews (rules, incident), options and incident alerts
 * give them: the fallback for a missing catalogue. */
export function explainedNames(session) {
  const docs = (session && session.docs) || {};
  let out = explained.get(docs);
  if (out) return out;
  out = {};
  for (const [k, v] of Object.entries(docs)) {
    if (!v) continue;
    if (k.startsWith('review/')) {
      for (const x of v.rules || []) out[`rule:${x.id}`] = x.name;
      if (v.incident) out[`incident:${v.incident.incident}`] = v.incident.name;
    } else if (k.startsWith('options/') && v.options) {
      for (const o of v.options) if (o.action) out[`action:${o.action.id}`] = o.action.name;
    } else if (k.startsWith('incident/') && v.alert) {
      out[`incident:${v.alert.id}`] = v.alert.name;
    }
  }
  explained.set(docs, out);
  return out;
}

/** nameOf names an id of a kind (action, capability, stage, incident) in
 * the current language. */
export function nameOf(session, kind, id) {
  if (id === null || id === undefined || id === '') return '';
  const item = catalogueItem(session, kind, id);
  const fromCat = item ? tx(item.name) : '';
  if (fromCat) return fromCat;
  const fromDocs = tx(explainedNames(session)[`${kind}:${id}`]);
  if (fromDocs) return fromDocs;
  if (kind === 'stage') {
    const key = `stage.${id}`;
    const s = t(key);
    if (s !== key) return s;
  }
  return humanize(id);
}

/** describe returns the catalogue's description of an id, or ''. */
export function describe(session, kind, id) {
  const item = catalogueItem(session, kind, id);
  return item ? tx(item.description) : '';
}

export const actionName = (session, id) => nameOf(session, 'action', id);
export const capabilityName = (session, id) => nameOf(session, 'capability', id);
export const stageName = (session, id) => nameOf(session, 'stage', id);
export const incidentName = (session, id) => nameOf(session, 'incident', id);
