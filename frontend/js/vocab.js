// vocab.js holds the domain's vocabulary, asked of the server once per
// page (GET /api/vocab): the kinds of phase with their names and defaults,
// which ones the facilitator may go back to, the default agenda, the
// teams, the command names and the limits of the forms. The UI keeps no
// copy of any of it; every page awaits loadVocab() before drawing.

import { api } from './session.js';

let current = null;

/** TEAMS is the list of teams, filled in place by loadVocab. */
export const TEAMS = [];

/** loadVocab fetches the vocabulary (retrying while the server cannot be
 * reached) and returns it. */
export async function loadVocab() {
  if (current) return current;
  for (let wait = 500; ; wait = Math.min(wait * 2, 8000)) {
    try {
      current = await api('GET', '/api/vocab');
      TEAMS.splice(0, TEAMS.length, ...current.teams);
      return current;
    } catch (e) {
      console.warn(`dc: vocabulary not loaded (${e.message}); retrying`);
      await new Promise((r) => { setTimeout(r, wait); });
    }
  }
}

/** vocab returns the loaded vocabulary. */
export function vocab() {
  if (!current) throw new Error('vocab.js: loadVocab() was not awaited');
  return current;
}

/** phaseKind returns a kind's description {kind, name, reopen, defaults}. */
export function phaseKind(kind) {
  return vocab().phases.find((p) => p.kind === kind) || null;
}

/** canReopen tells whether the facilitator may go back to a phase kind. */
export function canReopen(kind) {
  const k = phaseKind(kind);
  return !!(k && k.reopen);
}

/** hasSetting tells whether a kind of phase has a setting (sprints,
 * incidentMinutes, silo, quiz): the server's defaults for the kind set it. */
export function hasSetting(kind, field) {
  const k = phaseKind(kind);
  return !!(k && k.defaults && k.defaults[field] !== undefined);
}
