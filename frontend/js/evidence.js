// evidence.js is a worksheet card's figure from the game: a metric of the
// company's run at one or two sprints ("lead time: 141 d at the start →
// 3.5 d in sprint 4"), shown under the card's text on phones, the console
// and the projector, and, for the card's team, a form to attach one or
// take it away. The player only picks the figure and the sprints: the
// server reads the values from the company's history (estimates when the
// company did not measure them, which the citation says).

import { html, useState } from './deps.js';
import { t, tx, num } from './i18n.js';
import { run, useId } from './ui.js';
import { vocab } from './vocab.js';
import { fmtHours } from './charts.js';
import { stageName } from './names.js';

/** sprintName names a sprint of the history: the start, or "sprint n". */
export function sprintName(n) {
  return n === 0 ? t('evidence.start') : t('evidence.sprint', { n });
}

/** fmtApproxHours writes an estimated duration without false precision:
 * whole units from 10 on ("≈ 83 d", not "≈ 83.3 d"). */
function fmtApproxHours(h) {
  const [n, key] = h < 1 ? [h * 60, 'unit.min'] : h < 48 ? [h, 'unit.h'] : [h / 24, 'unit.d'];
  return t(key, { n: num(n, n >= 10 ? 0 : 1) });
}

/** fmtValue writes one cited value in the figure's unit; an estimate
 * reads as one ("≈ 80 d"). */
export function fmtValue(session, metric, v) {
  if (v.unknown) return t('evidence.unknown');
  const approx = v.estimate ? '≈ ' : '';
  switch (metric.unit) {
    case 'hours': return v.estimate ? approx + fmtApproxHours(v.value) : fmtHours(v.value);
    case 'perDay': return approx + t('evidence.perDay', { n: num(v.value, v.value < 1 ? 2 : 1) });
    case 'share': return approx + t('debate.pct', { n: num(v.value * 100, v.value > 0.99 ? 2 : 1) });
    case 'level': return t('evidence.level', { n: num(v.value, 2) });
    case 'stage': return stageName(session, v.stage);
    default: return approx + num(v.value, 1);
  }
}

/** change says how much a figure moved between two values: a relative
 * change for durations, rates and points, a difference for shares and
 * levels. */
function change(metric, a, b) {
  if (a.unknown || b.unknown || metric.unit === 'stage') return '';
  const sign = (d) => (d > 0 ? '+' : d < 0 ? '−' : '');
  if (metric.unit === 'share' || metric.unit === 'level') {
    const d = metric.unit === 'share' ? (b.value - a.value) * 100 : b.value - a.value;
    return t('evidence.points', { sign: sign(d), n: num(Math.abs(d), metric.unit === 'level' ? 2 : 1), raw: Math.abs(d) });
  }
  if (!a.value) return '';
  const pct = ((b.value - a.value) / Math.abs(a.value)) * 100;
  return t('debate.pct', { n: `${sign(pct)}${num(Math.abs(pct), Math.abs(pct) < 10 ? 1 : 0)}` });
}

/** Citation shows a card's figure from the game. */
export function Citation({ session, ev, big }) {
  const m = ev.metric;
  const vals = ev.values || [];
  const estimate = vals.some((v) => v.estimate);
  const unknown = vals.some((v) => v.unknown);
  const moved = vals.length === 2 ? change(m, vals[0], vals[1]) : '';
  return html`<div class=${`citation${big ? ' citation-big' : ''}${ev.trend ? ` trend-${ev.trend}` : ''}`} data-testid="citation">
    <p class="citation-label">${t('evidence.label')}</p>
    <p class="citation-metric"><strong>${tx(m.name)}</strong></p>
    <p class="citation-values">
      ${vals.map((v, i) => html`${i ? html` <span class="citation-arrow" aria-hidden="true">→</span> ` : null}<span class="citation-value">
        <strong>${fmtValue(session, m, v)}</strong> <span class="muted">(${sprintName(v.sprint)})</span></span>`)}
      ${moved ? html` <span class="citation-change">${moved}</span>` : null}
      ${ev.trend ? html` <span class=${`tag trend trend-${ev.trend}`}>${t(`evidence.${ev.trend}`)}</span>` : null}
    </p>
    ${estimate ? html`<p class="citation-note">${t('evidence.estimateNote')}</p>` : null}
    ${unknown ? html`<p class="citation-note">${t('evidence.unknownNote')}</p>` : null}
    ${ev.exact ? html`<p class="citation-note muted">${t('evidence.exact', {
      values: ev.exact.map((v) => `${fmtValue(session, m, v)} (${sprintName(v.sprint)})`).join(' → '),
    })}</p>` : null}
  </div>`;
}

/** playedSprints lists the sprints of a company's history (0: the start). */
function playedSprints(session, company) {
  const co = session.docs[`company/${company}`];
  const last = co ? co.sprint : 0;
  return Array.from({ length: last + 1 }, (_, i) => i);
}

/** CiteForm lets the card's team pick a figure and one or two sprints. */
function CiteForm({ session, card, ev, onDone }) {
  const id = useId('cite');
  const metrics = vocab().evidence || [];
  const sprints = playedSprints(session, card.company);
  const last = sprints[sprints.length - 1];
  const [metric, setMetric] = useState(ev ? ev.metric.id : metrics[0].id);
  const [first, setFirst] = useState(ev ? ev.values[0].sprint : 0);
  const [second, setSecond] = useState(ev && ev.values[1] ? ev.values[1].sprint : (last > 0 ? last : ''));
  async function submit(e) {
    e.preventDefault();
    const list = [Number(first)];
    if (second !== '' && Number(second) !== Number(first)) list.push(Number(second));
    if (await run(session.send('evidence.cite', { cardId: card.id, metric, sprints: list }), t('evidence.attached'))) onDone();
  }
  return html`<form class="cite-form" onSubmit=${submit}>
    <p class="hint">${t('evidence.legend')}</p>
    <div class="field"><label for=${`${id}-m`}>${t('evidence.metric')}</label>
      <select id=${`${id}-m`} name="cite-metric" value=${metric} onChange=${(e) => setMetric(e.currentTarget.value)}>
        ${metrics.map((m) => html`<option key=${m.id} value=${m.id}>${tx(m.name)}</option>`)}
      </select></div>
    <div class="row wrap">
      <div class="field"><label for=${`${id}-a`}>${t('evidence.first')}</label>
        <select id=${`${id}-a`} name="cite-first" value=${String(first)} onChange=${(e) => setFirst(e.currentTarget.value)}>
          ${sprints.map((n) => html`<option key=${n} value=${String(n)}>${sprintName(n)}</option>`)}
        </select></div>
      <div class="field"><label for=${`${id}-b`}>${t('evidence.second')}</label>
        <select id=${`${id}-b`} name="cite-second" value=${String(second)} onChange=${(e) => setSecond(e.currentTarget.value)}>
          <option value="">${t('evidence.only')}</option>
          ${sprints.filter((n) => n !== Number(first)).map((n) => html`<option key=${n} value=${String(n)}>${sprintName(n)}</option>`)}
        </select></div>
    </div>
    <div class="row">
      <button class="btn btn-primary btn-small" type="submit">${t('evidence.attach')}</button>
      <button class="btn btn-small" type="button" onClick=${onDone}>${t('cancel')}</button>
    </div>
  </form>`;
}

/** CardEvidence is what a worksheet card shows of its figure from the
 * game; its team can attach one, change it or take it away. */
export function CardEvidence({ session, card, editable, big }) {
  const ev = session.docs[`evidence/${card.id}`];
  const [open, setOpen] = useState(false);
  return html`<div class="card-evidence">
    ${ev ? html`<${Citation} session=${session} ev=${ev} big=${big} />` : null}
    ${editable && open ? html`<${CiteForm} session=${session} card=${card} ev=${ev} onDone=${() => setOpen(false)} />` : null}
    ${editable && !open ? html`<div class="row">
      <button type="button" class="btn btn-small" onClick=${() => setOpen(true)}>${ev ? t('evidence.change') : t('evidence.cite')}<span class="sr-only"> ${card.text.slice(0, 40)}</span></button>
      ${ev ? html`<button type="button" class="btn btn-small" onClick=${() => run(session.send('evidence.remove', { cardId: card.id }), t('evidence.removed'))}>${t('evidence.remove')}<span class="sr-only"> ${card.text.slice(0, 40)}</span></button>` : null}
    </div>` : null}
  </div>`;
}
