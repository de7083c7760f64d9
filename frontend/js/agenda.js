// agenda.js edits an agenda: the ordered phases of a game with their
// durations and options, at creation and for the upcoming phases later.

import { html } from './deps.js';
import { t } from './i18n.js';
import { phaseName } from './ui.js';
import { vocab, phaseKind, hasSetting } from './vocab.js';

/** addableKinds lists the kinds of phase a facilitator may add: every
 * kind the server knows but the first phase of its default agenda (the
 * lobby, which only opens a game). */
export function addableKinds() {
  const first = vocab().defaultAgenda[0].kind;
  return vocab().phases.map((p) => p.kind).filter((k) => k !== first);
}

/** defaultPhase is a new phase of a kind as the server would set it. */
export function defaultPhase(kind) {
  const k = phaseKind(kind);
  return { ...(k ? k.defaults : { kind }) };
}

/** defaultAgenda is the server's default agenda without its first phase
 * (the lobby, which the form does not edit); firstPhase is that one. */
export function defaultAgenda() { return vocab().defaultAgenda.slice(1).map((p) => ({ ...p })); }
export function firstPhase() { return { ...vocab().defaultAgenda[0] }; }

/** clean keeps only the fields that apply to each phase's kind. */
export function cleanAgenda(phases) {
  return phases.map((p) => {
    const out = { kind: p.kind, minutes: Number(p.minutes) || 0 };
    if (hasSetting(p.kind, 'sprints')) out.sprints = Number(p.sprints) || 1;
    if (hasSetting(p.kind, 'incidentMinutes')) out.incidentMinutes = Number(p.incidentMinutes) || 0;
    if (hasSetting(p.kind, 'silo') && p.silo) out.silo = true;
    if (hasSetting(p.kind, 'quiz') && p.quiz) out.quiz = true;
    if (hasSetting(p.kind, 'rebuttalMinutes')) out.rebuttalMinutes = Number(p.rebuttalMinutes) || 0;
    return out;
  });
}

function Num({ id, label, value, min, max, onChange }) {
  return html`<span class="agenda-field"><label for=${id}>${label}</label>
    <input id=${id} name=${id} type="number" min=${min} max=${max} value=${value} onInput=${(e) => onChange(e.currentTarget.value)} /></span>`;
}

function Check({ id, label, checked, onChange }) {
  return html`<span class="agenda-field agenda-check"><input id=${id} type="checkbox" checked=${!!checked}
    onChange=${(e) => onChange(e.currentTarget.checked)} /><label for=${id}>${label}</label></span>`;
}

/** AgendaEditor edits a list of phases (the lobby excluded). */
export function AgendaEditor({ phases, onChange, idPrefix = 'ag' }) {
  const lim = vocab().limits;
  const set = (i, patch) => onChange(phases.map((p, j) => (j === i ? { ...p, ...patch } : p)));
  const move = (i, d) => {
    const j = i + d;
    if (j < 0 || j >= phases.length) return;
    const next = [...phases];
    [next[i], next[j]] = [next[j], next[i]];
    onChange(next);
  };
  return html`<div class="agenda-editor">
    <ol class="agenda-list">
      ${phases.map((p, i) => {
        const id = `${idPrefix}-${i}`;
        const name = phaseName(p.kind);
        return html`<li key=${`${i}-${p.kind}`} class="agenda-row">
          <strong class="agenda-kind">${name}</strong>
          <${Num} id=${`${id}-min`} label=${hasSetting(p.kind, 'sprints') ? t('agenda.planningMinutes') : t('agenda.minutes')} value=${p.minutes} min="0" max=${lim.minutes} onChange=${(v) => set(i, { minutes: v })} />
          ${hasSetting(p.kind, 'sprints') ? html`
            <${Num} id=${`${id}-n`} label=${t('agenda.sprints')} value=${p.sprints} min="1" max=${lim.sprints} onChange=${(v) => set(i, { sprints: v })} />
            <${Num} id=${`${id}-inc`} label=${t('agenda.incidentMinutes')} value=${p.incidentMinutes} min="0" max=${lim.incidentMinutes} onChange=${(v) => set(i, { incidentMinutes: v })} />
            <${Check} id=${`${id}-silo`} label=${t('agenda.silo')} checked=${p.silo} onChange=${(v) => set(i, { silo: v })} />` : null}
          ${hasSetting(p.kind, 'rebuttalMinutes') ? html`<${Num} id=${`${id}-reb`} label=${t('agenda.rebuttalMinutes')} value=${p.rebuttalMinutes || 0} min="0" max=${lim.rebuttalMinutes} onChange=${(v) => set(i, { rebuttalMinutes: v })} />` : null}
          ${hasSetting(p.kind, 'quiz') ? html`<${Check} id=${`${id}-quiz`} label=${t('agenda.quiz')} checked=${p.quiz} onChange=${(v) => set(i, { quiz: v })} />` : null}
          <span class="row agenda-tools">
            <button type="button" class="btn btn-small" disabled=${i === 0} onClick=${() => move(i, -1)} aria-label=${t('agenda.up', { phase: name })}>↑</button>
            <button type="button" class="btn btn-small" disabled=${i === phases.length - 1} onClick=${() => move(i, 1)} aria-label=${t('agenda.down', { phase: name })}>↓</button>
            <button type="button" class="btn btn-small" onClick=${() => onChange(phases.filter((_, j) => j !== i))} aria-label=${t('agenda.remove', { phase: name })}>✕</button>
          </span>
        </li>`;
      })}
    </ol>
    <div class="row">
      <label for=${`${idPrefix}-add`}>${t('agenda.add')}</label>
      <select id=${`${idPrefix}-add`} value="" onChange=${(e) => {
        const k = e.currentTarget.value;
        e.currentTarget.value = '';
        if (k) onChange([...phases, defaultPhase(k)]);
      }}>
        <option value="">—</option>
        ${addableKinds().map((k) => html`<option key=${k} value=${k}>${phaseName(k)}</option>`)}
      </select>
    </div>
  </div>`;
}
