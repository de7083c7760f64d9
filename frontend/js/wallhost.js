// wallhost.js is the facilitator's wall: select several notes (tap or
// tick them) and group them into a cluster with one picker, drag notes
// (or the selection) onto a cluster, rename, merge and delete clusters,
// hide notes. Each move says where the facilitator saw the notes, so that
// a move based on a wall that changed meanwhile is refused with a clear
// message and moves nothing; the selection stays for another try.

import { html, useState } from './deps.js';
import { t } from './i18n.js';
import { TextField, run, useDocs, notify } from './ui.js';
import { wallData, Note, Capped, BUSY_REDRAW_MS } from './wall.js';

const CLUSTER_NOTES = 12; // notes shown per cluster before "more"
const PAGE = 30; // loose notes per column and page
const NEW = '\u0000new'; // the picker's "new cluster" choice

/** useSelection keeps the selected notes with the cluster each was in
 * when it was picked ("seen"). */
function useSelection() {
  const [sel, setSel] = useState(() => new Map());
  return {
    sel,
    has: (id) => sel.has(id),
    toggle(n) {
      const next = new Map(sel);
      if (next.has(n.id)) next.delete(n.id);
      else next.set(n.id, n.cluster || '');
      setSel(next);
    },
    set(notes) { setSel(new Map(notes.map((n) => [n.id, n.cluster || '']))); },
    clear() { setSel(new Map()); },
  };
}

/** group sends notes.group; seen maps note ids to the clusters they were
 * seen in. It resolves true when the move was accepted. */
async function group(session, seen, target, name) {
  const args = { noteIds: [...seen.keys()], seen: Object.fromEntries(seen) };
  if (name) args.name = name;
  else args.clusterId = target;
  const r = await run(session.send('notes.group', args));
  if (r) notify(t('wall.grouped', { n: seen.size }));
  return !!r;
}

function dragData(e) {
  try {
    return new Map(JSON.parse(e.dataTransfer.getData('application/x-dc-notes')));
  } catch {
    return null;
  }
}

/** dropZone makes an element accept notes dragged from the wall. */
function dropZone(session, target, onDone, over, setOver) {
  return {
    onDragOver: (e) => {
      if (![...e.dataTransfer.types].includes('application/x-dc-notes')) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = 'move';
      if (over !== target) setOver(target);
    },
    onDragLeave: () => { if (over === target) setOver(null); },
    onDrop: async (e) => {
      e.preventDefault();
      setOver(null);
      const seen = dragData(e);
      if (seen && seen.size && await group(session, seen, target)) onDone();
    },
  };
}

function Toolbar({ session, selection, clusters }) {
  const [target, setTarget] = useState('');
  const [name, setName] = useState('');
  const n = selection.sel.size;
  const creating = target === NEW;
  async function submit(e) {
    e.preventDefault();
    if (!n || (creating && !name.trim())) return;
    if (await group(session, selection.sel, creating ? '' : target, creating ? name.trim() : '')) {
      selection.clear();
      setName('');
    }
  }
  return html`<form class="wall-toolbar card" onSubmit=${submit} aria-label=${t('wall.selection')}>
    <strong aria-live="polite">${t('wall.selected', { n })}</strong>
    <label for="group-target">${t('wall.groupInto')}</label>
    <select id="group-target" value=${target} onChange=${(e) => setTarget(e.currentTarget.value)}>
      <option value="">${t('wall.ungrouped')}</option>
      ${clusters.map((c) => html`<option key=${c.id} value=${c.id}>${c.name}</option>`)}
      <option value=${NEW}>${t('wall.newClusterChoice')}</option>
    </select>
    ${creating ? html`<${TextField} label=${t('wall.newCluster')} value=${name} onInput=${setName} max=${60} name="groupname" />` : null}
    <button class="btn btn-primary" type="submit" disabled=${!n || (creating && !name.trim())}>${t('wall.move', { n })}</button>
    <button class="btn" type="button" disabled=${!n} onClick=${() => selection.clear()}>${t('wall.clearSelection')}</button>
    <span class="hint">${t('wall.dragHint')}</span>
  </form>`;
}

function ClusterHead({ session, c, clusters, selection, count }) {
  const [mode, setMode] = useState(''); // '', 'rename', 'merge'
  const [value, setValue] = useState('');
  if (mode === 'rename') {
    return html`<form class="inline-form" onSubmit=${async (e) => {
      e.preventDefault();
      if (await run(session.send('cluster.rename', { clusterId: c.id, name: value.trim(), from: c.name }))) setMode('');
    }}>
      <${TextField} label=${t('wall.rename')} value=${value} onInput=${setValue} max=${60} name="rename" autofocus />
      <button class="btn btn-small btn-primary" type="submit" disabled=${!value.trim()}>${t('save')}</button>
      <button class="btn btn-small" type="button" onClick=${() => setMode('')}>${t('cancel')}</button>
    </form>`;
  }
  if (mode === 'merge') {
    const others = clusters.filter((o) => o.id !== c.id);
    return html`<form class="inline-form" onSubmit=${async (e) => {
      e.preventDefault();
      if (value && await run(session.send('cluster.merge', { clusterId: c.id, intoId: value }), t('wall.merged'))) setMode('');
    }}>
      <div class="field"><label for=${`merge-${c.id}`}>${t('wall.mergeInto', { name: c.name })}</label>
        <select id=${`merge-${c.id}`} value=${value} onChange=${(e) => setValue(e.currentTarget.value)}>
          <option value="">—</option>
          ${others.map((o) => html`<option key=${o.id} value=${o.id}>${o.name}</option>`)}
        </select></div>
      <button class="btn btn-small btn-primary" type="submit" disabled=${!value}>${t('wall.merge')}</button>
      <button class="btn btn-small" type="button" onClick=${() => setMode('')}>${t('cancel')}</button>
    </form>`;
  }
  return html`<div class="cluster-head">
    <h3>${c.name}</h3>
    <span class="votes">${t('wall.votes', { n: c.votes })} · ${t('wall.count', { n: count })}</span>
    <div class="row wrap cluster-tools">
      ${selection.sel.size ? html`<button type="button" class="btn btn-small btn-primary" onClick=${async () => {
        if (await group(session, selection.sel, c.id)) selection.clear();
      }}>${t('wall.moveHere', { n: selection.sel.size })}<span class="sr-only"> ${c.name}</span></button>` : null}
      <button type="button" class="btn btn-small" onClick=${() => { setMode('rename'); setValue(c.name); }}>${t('wall.rename')}<span class="sr-only"> ${c.name}</span></button>
      ${clusters.length > 1 ? html`<button type="button" class="btn btn-small" onClick=${() => { setMode('merge'); setValue(''); }}>${t('wall.merge')}<span class="sr-only"> ${c.name}</span></button>` : null}
      <button type="button" class="btn btn-small btn-danger" onClick=${() => {
        if (window.confirm(t('wall.confirmDelete', { name: c.name }))) run(session.send('cluster.delete', { clusterId: c.id }));
      }}>${t('delete')}<span class="sr-only"> ${c.name}</span></button>
    </div>
  </div>`;
}

/** HostWall lets the facilitator cluster and moderate the wall. */
export function HostWall({ session }) {
  useDocs(session, ['note/', 'cluster/'], BUSY_REDRAW_MS);
  const { clusters, byCluster, loose, notes } = wallData(session);
  const selection = useSelection();
  const [name, setName] = useState('');
  const [over, setOver] = useState(null);
  const [page, setPage] = useState(0);

  async function create(e) {
    e.preventDefault();
    if (!name.trim()) return;
    if (await run(session.send('cluster.create', { name: name.trim() }))) setName('');
  }

  const renderNote = (n) => {
    const picked = selection.has(n.id);
    const id = `pick-${n.id}`;
    return html`<${Note} key=${n.id} note=${n} extraClass=${picked ? ' note-picked' : ''} draggable="true"
      onDragStart=${(e) => {
        // Dragging a selected note carries the whole selection.
        const seen = picked ? selection.sel : new Map([[n.id, n.cluster || '']]);
        e.dataTransfer.setData('application/x-dc-notes', JSON.stringify([...seen]));
        e.dataTransfer.effectAllowed = 'move';
      }}>
      <span class="note-tools">
        <input type="checkbox" id=${id} checked=${picked} onChange=${() => selection.toggle(n)} />
        <label for=${id}>${t('wall.pick')}<span class="sr-only">: ${n.text.slice(0, 60)}</span></label>
        <button type="button" class="btn btn-small" onClick=${() => run(session.send('note.hide', { noteId: n.id, hidden: !n.hidden }))}>
          ${n.hidden ? t('wall.show') : t('wall.hide')}<span class="sr-only">: ${n.text.slice(0, 60)}</span>
        </button>
      </span>
    </${Note}>`;
  };
  const done = () => selection.clear();
  const newest = [...loose].reverse();
  const pages = Math.max(1, Math.ceil(newest.length / (2 * PAGE)));
  const cur = Math.min(page, pages - 1);
  const pageNotes = newest.slice(cur * 2 * PAGE, (cur + 1) * 2 * PAGE);

  return html`<section aria-labelledby="hwall-h" class="host-wall">
    <h2 id="hwall-h">${t('phase.wall')} <span class="muted">· ${t('wall.count', { n: notes.length })}</span></h2>
    <form class="inline-form" onSubmit=${create}>
      <${TextField} label=${t('wall.newCluster')} value=${name} onInput=${setName} max=${60} name="cluster" />
      <button class="btn btn-primary" type="submit" disabled=${!name.trim()}>${t('wall.create')}</button>
    </form>
    <${Toolbar} session=${session} selection=${selection} clusters=${clusters} />
    <ul class="clusters clusters-host">
      ${clusters.map((c) => {
        const list = byCluster.get(c.id);
        return html`<li key=${c.id} class=${`cluster card${over === c.id ? ' drop-over' : ''}`} data-cluster=${c.id}
          ...${dropZone(session, c.id, done, over, setOver)}>
          <${ClusterHead} session=${session} c=${c} clusters=${clusters} selection=${selection} count=${list.length} />
          <${Capped} list=${list} max=${CLUSTER_NOTES} render=${renderNote} />
        </li>`;
      })}
    </ul>
    <section class=${`card loose-zone${over === '' ? ' drop-over' : ''}`} aria-labelledby="loose-h" ...${dropZone(session, '', done, over, setOver)}>
      <div class="cluster-head">
        <h3 id="loose-h">${t('wall.ungrouped')} <span class="muted">(${loose.length})</span></h3>
        ${pageNotes.length ? html`<button type="button" class="btn btn-small" onClick=${() => selection.set(pageNotes)}>${t('wall.pickPage', { n: pageNotes.length })}</button>` : null}
      </div>
      ${loose.length ? html`<div class="wall-columns">
        ${['devs', 'ops'].map((target) => {
          const list = pageNotes.filter((n) => n.target === target);
          return html`<div key=${target}><h4>${target === 'ops' ? t('wall.toOps') : t('wall.toDevs')} (${list.length})</h4>
            <ul class="notes">${list.map(renderNote)}</ul></div>`;
        })}
      </div>
      ${pages > 1 ? html`<nav class="row pager" aria-label=${t('wall.pages')}>
        <button type="button" class="btn btn-small" disabled=${cur === 0} onClick=${() => setPage(cur - 1)}>← ${t('wall.newer')}</button>
        <span>${t('wall.pageOf', { n: cur + 1, total: pages })}</span>
        <button type="button" class="btn btn-small" disabled=${cur >= pages - 1} onClick=${() => setPage(cur + 1)}>${t('wall.older')} →</button>
      </nav>` : null}` : html`<p class="muted">${t('wall.allGrouped')}</p>`}
    </section>
  </section>`;
}
