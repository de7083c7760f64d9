// sprints-review.js is a sprint's review: what changed in one company's
// figures and why (the bottleneck first, each metric with its largest
// causes, the incident, the rules and risks on demand).

import { html } from './deps.js';
import { t, tx, num } from './i18n.js';
import { TierBadge } from './charts.js';
import { pct } from './sprints-figures.js';

/** CauseList lists the causes of a change: the amount first, then who did
 * what and when. */
function CauseList({ causes }) {
  if (!causes || !causes.length) return null;
  return html`<ul class="causes">${causes.map((c, i) => html`<li key=${i}><strong class="amount">${tx(c.amount)}</strong> ${tx(c.label)}</li>`)}</ul>`;
}

/** Tiers shows a DORA tier's move ("☆☆☆ → ★★☆ High"); the dashboard
 * shows the tiers that did not move. */
function Tiers({ m }) {
  if (!m.tierAfter) return null;
  const moved = m.tierBefore && m.tierBefore !== m.tierAfter;
  if (!moved) return null;
  return html` <span class="tiers">${moved ? html`<span class=${`tier-stars tier-${m.tierBefore}`} aria-hidden="true"></span><span class="sr-only">${t(`tier.${m.tierBefore}`)}</span> → ` : null}<${TierBadge} tier=${m.tierAfter} /></span>`;
}

/** ChangeLine is a change in one line: name, values, change, and what
 * else to say (availability with downtime, the cause). */
function ChangeLine({ m, also }) {
  return html`<li key=${m.metric}><strong>${tx(m.name)}</strong> ${tx(m.values)}${m.change && tx(m.change) ? ` (${tx(m.change)})` : ''}${also ? html` · <span class="muted">${also}</span>` : null}</li>`;
}

/** foldAvailability tells availability with downtime, its other face:
 * it returns the metrics to list and what to add to downtime's line. */
function foldAvailability(metrics) {
  const avail = metrics.find((m) => m.metric === 'availability');
  if (!avail || !metrics.some((m) => m.metric === 'downtimeHours')) return [metrics, ''];
  return [metrics.filter((m) => m !== avail), `${tx(avail.name)} ${tx(avail.values)}`];
}

/** MetricChanges shows each metric's change with its largest causes (at
 * most three) and, on demand, the smaller effects. Availability is told
 * with downtime, its other face. */
// Incidents' own measures: in a review, last sprint's incident ending is
// what changes them, told with downtime rather than on their own.
const INCIDENT_METRICS = ['incidentHours', 'exposureHours'];

function MetricChanges({ metrics, bare }) {
  if (!metrics || !metrics.length) return null;
  const [rest, avail] = foldAvailability(metrics);
  if (bare) return html`<ul class="changes bare">${rest.map((m) => html`<${ChangeLine} key=${m.metric} m=${m} also=${m.metric === 'downtimeHours' ? avail : ''} />`)}</ul>`;
  const also = rest.filter((m) => INCIDENT_METRICS.includes(m.metric));
  const list = rest.filter((m) => !also.includes(m));
  return html`<ul class="changes">${list.map((m) => html`<li key=${m.metric} class="change">
    <p class="change-head"><strong>${tx(m.name)}</strong> <span class="change-values">${tx(m.values)}${m.change && tx(m.change) ? html` <strong>(${tx(m.change)})</strong>` : null}</span><${Tiers} m=${m} /></p>
    ${avail && m.metric === 'downtimeHours' ? html`<p class="change-also">${avail}</p>` : null}
    <${CauseList} causes=${m.causes} />
    ${m.more ? html`<details class="more-causes"><summary>${tx(m.more.text)}</summary><${CauseList} causes=${m.more.causes} /></details>` : null}
  </li>`)}</ul>
  ${also.length ? html`<ul class="changes bare">${also.map((m) => html`<${ChangeLine} key=${m.metric} m=${m} also=${(m.causes || []).map((c) => tx(c.label)).join(', ')} />`)}</ul>` : null}`;
}

const FLOW = ['bottleneck_moved', 'not_the_bottleneck'];

/** Review explains one sprint of one company: the bottleneck first, then
 * each metric's change with its largest causes, the incident, what else
 * happened, and the details on demand. */
export function Review({ session, company, sprint, compact }) {
  const rv = session.docs[`review/${company}/${sprint}`];
  if (!rv || !rv.metrics) return html`<p class="muted">${t('review.none')}</p>`;
  const flow = (rv.notices || []).filter((n) => FLOW.includes(n.kind));
  const other = (rv.notices || []).filter((n) => !FLOW.includes(n.kind));
  const inc = rv.incident;
  const estimates = rv.metrics.some((m) => m.estimate);
  return html`<div class="review">
    ${flow.map((n, i) => html`<p key=${i} class="callout flow">${tx(n.text)}</p>`)}
    <h4 class="sr-only">${t('review.changes')}</h4>
    ${rv.metrics.length ? html`<${MetricChanges} metrics=${rv.metrics} />` : html`<p>${t('review.noChange')}</p>`}
    ${estimates ? html`<p class="hint">${t('review.estimates')}</p>` : null}
    ${inc ? html`<section class="review-incident" aria-label=${t('review.incident', { name: tx(inc.name) })}>
      <h4>${t('review.incident', { name: tx(inc.name) })}${inc.scoreChange ? html` <span class="muted">· ${t('review.incidentCostShort', { n: num(-inc.scoreChange, 1) })}</span>` : null}</h4>
      <${MetricChanges} metrics=${inc.metrics} bare />
      <details class="incident-steps"><summary>${t('review.howItWent', { n: (inc.steps || []).length })}</summary>
        <ol class="steps">${(inc.steps || []).map((s, i) => html`<li key=${i}>${tx(s)}</li>`)}</ol></details>
    </section>` : null}
    ${other.length ? html`<ul class="review-notices">${other.map((n, i) => html`<li key=${i}>${tx(n.text)}</li>`)}</ul>` : null}
    ${compact ? null : html`
      ${rv.rules && rv.rules.length ? html`<details class="review-details"><summary>${t('review.rulesN', { n: rv.rules.length })}</summary>
        <ul class="rules">${rv.rules.map((x) => html`<li key=${x.id}><strong>${tx(x.state || x.name)}</strong> — ${tx(x.explain)}</li>`)}</ul></details>` : null}
      ${rv.figures && rv.figures.length ? html`<details class="review-details"><summary>${t('review.figures', { n: rv.figures.length })}</summary>
        <ul class="figures">${rv.figures.map((f, i) => html`<li key=${i}><strong>${tx(f.name)}</strong> ${num(f.before, 2)} → ${num(f.after, 2)}${f.by && f.by.length ? html` <span class="muted">(${f.by.map((b) => tx(b)).join(', ')})</span>` : null}</li>`)}</ul></details>` : null}
      ${rv.risks && rv.risks.length ? html`<details class="review-details"><summary>${t('review.risks')}</summary>
        <ul>${rv.risks.map((x, i) => html`<li key=${i}>${t('review.risk', { name: tx(x.name), n: pct(x.chance) })}</li>`)}</ul></details>` : null}`}
  </div>`;
}
