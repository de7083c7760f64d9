// sprints.js is the sprint simulation: each team plans its actions within
// its capacity (joint actions need both teams), the rules engine resolves
// the sprint, an incident may strike and the teams respond under a timer,
// then everyone reads what changed and why, and writes a blameless
// post-mortem. The facilitator and the projector follow every company.

import { html, useState, useEffect } from './deps.js';
import { t, tx, num } from './i18n.js';
import {
  TextField, Choice, useDraft, run, notify, teamName, teamLabel, TEAMS, useDocs, memo, stepName, sprintTitle,
} from './ui.js';
import { DoraCharts, Radar, ValueStream, TierBadge, DORA, fmtHours, sprintsPlanned } from './charts.js';
import { actionName, capabilityName, incidentName, stageName, humanize, describe } from './names.js';

export { stepName, sprintTitle };

function pct(v) { return `${num(v * 100, 0)} %`; }

// Planning ----------------------------------------------------------------

function Planning({ session, game }) {
  const me = session.docs.me || {};
  const key = `${me.company}/${me.team}`;
  const plan = session.docs[`plan/${key}`] || { actions: [], used: 0, capacity: 0, ready: false };
  const opts = session.docs[`options/${key}`] || { options: [], capacity: 0 };
  const sprint = session.docs.sprint || {};
  const [busy, setBusy] = useState(false);
  const picked = plan.actions || [];
  const capacity = plan.capacity || opts.capacity || 0;
  const used = plan.used || 0;

  async function toggle(id, on) {
    setBusy(true);
    const next = on ? [...picked, id] : picked.filter((a) => a !== id);
    await run(session.send('plan.set', { actions: next }));
    setBusy(false);
  }

  const renderOption = (o) => {
    const a = o.action;
    const on = picked.includes(a.id);
    const tooMuch = !on && used + a.cost > capacity;
    const disabled = busy || (!on && (!o.available || tooMuch));
    const id = `act-${a.id}`;
    const partnerPlan = o.partner ? session.docs[`plan/${me.company}/${o.partner}`] : null;
    return html`<li key=${a.id} class=${`action card${on ? ' picked' : ''}${o.available ? '' : ' unavailable'}`}>
      <div class="action-head">
        <input type="checkbox" id=${id} name="action" value=${a.id} checked=${on} disabled=${disabled}
          onChange=${(e) => toggle(a.id, e.currentTarget.checked)} aria-describedby=${`${id}-d`} />
        <label for=${id}>${tx(a.name)}</label>
        <span class="cost">${t('plan.cost', { n: a.cost })}</span>
      </div>
      <div id=${`${id}-d`} class="action-body">
        <p>${tx(a.description)}</p>
        ${o.partner ? html`<p class="joint"><span class="tag">${t('plan.joint')}</span> ${t('plan.jointWith', { team: teamName(o.partner) })}
          ${partnerPlan ? (partnerPlan.actions.includes(a.id) ? html` <strong>${t('plan.partnerPicked', { team: teamName(o.partner) })}</strong>` : html` ${t('plan.partnerNot', { team: teamName(o.partner) })}`) : sprint.silo ? html` ${t('plan.partnerHidden')}` : null}</p>` : null}
        ${o.owned ? html`<p class="muted">✓ ${t('plan.owned')}</p>` : !o.available && o.reason ? html`<p class="muted">${tx({ en: o.reason.en, fr: o.reason.fr })}</p>` : null}
        ${o.available && tooMuch ? html`<p class="muted">${t('plan.noCapacity')}</p>` : null}
      </div>
    </li>`;
  };
  const open = opts.options.filter((o) => o.available || picked.includes(o.action.id));
  const closed = opts.options.filter((o) => !(o.available || picked.includes(o.action.id)));
  return html`<section aria-labelledby="plan-h">
    <h3 id="plan-h">${t('plan.title', { team: teamName(me.team) })}</h3>
    <p class="lead">${t('plan.intro')}</p>
    <${Upcoming} session=${session} company=${me.company} />
    <div class="capacity" role="status">
      <strong>${t('plan.capacity', { used, capacity })}</strong>
      <span class="capacity-bar" aria-hidden="true"><span class="capacity-used" ref=${(el) => { if (el) el.style.width = `${capacity ? Math.min(100, (100 * used) / capacity) : 0}%`; }}></span></span>
    </div>
    <${CapacityParts} session=${session} opts=${opts} />
    ${sprint.silo ? html`<p class="callout">${t('plan.silo')}</p>` : null}
    <ul class="actions">${open.map(renderOption)}</ul>
    ${closed.length ? html`<details class="card"><summary>${t('plan.unavailable', { n: closed.length })}</summary>
      <ul class="actions">${closed.map(renderOption)}</ul></details>` : null}
    <div class="row wrap ready-row">
      <button type="button" class=${`btn btn-big${plan.ready ? ' btn-on' : ' btn-primary'}`} aria-pressed=${plan.ready ? 'true' : 'false'}
        onClick=${() => run(session.send('plan.ready', { ready: !plan.ready }))}>
        ${plan.ready ? `✓ ${t('plan.readyOn')}` : t('plan.ready')}
      </button>
    </div>
    <p class="hint">${t('plan.readyHint')}</p>
    <${CompanyPlans} session=${session} company=${me.company} game=${game} exceptTeam=${me.team} />
  </section>`;
}

/** Upcoming announces the incidents in the calendar for the end of this
 * sprint (a sales peak), so that the teams can prepare. */
export function Upcoming({ session, company, big }) {
  const co = session.docs[`company/${company}`];
  const up = (co && co.upcoming) || [];
  if (!up.length) return null;
  return html`<div class=${`callout upcoming${big ? ' big' : ''}`} role="note">${up.map((a) => html`<p key=${a.incident}>
    <strong>${t('plan.upcoming', { name: tx(a.name), n: a.sprint })}</strong> ${tx(a.description)} ${t('plan.upcomingHint')}</p>`)}</div>`;
}

/** CapacityParts tells what the team's capacity is made of: what
 * firefighting takes and what the capabilities it runs cost every sprint. */
function CapacityParts({ session, opts }) {
  const upkeep = opts.upkeep || [];
  if (!opts.base || (!opts.unplanned && !upkeep.length)) return null;
  const parts = [t('plan.base', { n: opts.base })];
  if (opts.unplanned) parts.push(t('plan.firefighting', { n: opts.unplanned }));
  if (upkeep.length) {
    parts.push(t('plan.upkeep', { list: upkeep.map((u) => `${capabilityName(session, u.capability)} ${u.points}`).join(', ') }));
  }
  return html`<p class="hint capacity-parts">${parts.join(' · ')}</p>`;
}

/** CompanyPlans lists what each team of a company picked and whether it is
 * ready, as far as the viewer may see. */
function CompanyPlans({ session, company, game, exceptTeam }) {
  const sprint = session.docs.sprint || {};
  const teams = TEAMS.filter((tm) => tm !== exceptTeam);
  return html`<table class="table">
    <caption>${exceptTeam ? t('plan.otherTeams') : game.companies > 1 ? t('plan.teamsOf', { n: company }) : t('plan.teams')}</caption>
    <thead><tr><th scope="col">${t('team')}</th><th scope="col">${t('plan.picked')}</th><th scope="col">${t('plan.readyCol')}</th></tr></thead>
    <tbody>${teams.map((tm) => {
      const p = session.docs[`plan/${company}/${tm}`];
      const ready = !!(sprint.ready || {})[`${company}/${tm}`];
      return html`<tr key=${tm}><th scope="row">${teamName(tm)}</th>
        <td>${p ? (p.actions.length ? p.actions.map((id) => actionName(session, id)).join(', ') : html`<span class="muted">${t('plan.nothing')}</span>`) : html`<span class="muted">${t('plan.hidden')}</span>`}
          ${p ? html` <span class="muted">(${t('plan.points', { used: p.used, capacity: p.capacity })})</span>` : null}</td>
        <td>${ready ? html`<strong>✓ ${t('plan.isReady')}</strong>` : html`<span class="muted">… ${t('plan.notReady')}</span>`}</td></tr>`;
    })}</tbody>
  </table>`;
}

// Incident ----------------------------------------------------------------

/** IncidentBanner announces a company's incident. */
export function IncidentBanner({ doc, company, companies, big }) {
  if (!doc || !doc.alert) return null;
  const a = doc.alert;
  return html`<div class=${`incident-banner${big ? ' big' : ''}`} role="alert">
    <p class="incident-title">${companies > 1 ? `${t('players.company', { n: company })} · ` : ''}${t('incident.banner', { name: tx(a.name) })}</p>
    <p class="incident-desc">${tx(a.description)}</p>
    <p class="incident-meta">${tx(a.detected)} ${a.kind === 'security' ? t('incident.exposure') : t('incident.impact', { n: num(a.impact * 100, 0) })}</p>
    ${big ? html`<p class="response-chips">${TEAMS.map((tm) => {
      const done = !!(doc.responses || {})[tm];
      return html`<span key=${tm} class=${`ready-chip${done ? ' on' : ''}`}>${done ? '✓' : '…'} ${teamName(tm)}<span class="sr-only">: ${done ? t('incident.responded') : t('incident.waiting')}</span></span>`;
    })}</p>` : null}
  </div>`;
}

function responseName(alert, team, id) {
  const o = ((alert.options || {})[team] || []).find((r) => r.id === id);
  return o ? tx(o.name) : humanize(id);
}

function IncidentPanel({ session, game }) {
  const me = session.docs.me || {};
  const doc = session.docs[`incident/${me.company}`];
  if (!doc) return html`<p class="callout">${t('incident.none')}</p>`;
  const alert = doc.alert;
  const mine = (doc.responses || {})[me.team] || '';
  const options = (alert.options || {})[me.team] || [];
  return html`<section aria-labelledby="inc-h">
    <h3 id="inc-h" class="sr-only">${t('incident.title')}</h3>
    <${IncidentBanner} doc=${doc} company=${me.company} companies=${game.companies} />
    <p class="lead">${t('incident.intro')}</p>
    <${Choice} legend=${t('incident.yourResponse', { team: teamName(me.team) })} name="response" value=${mine}
      onChange=${(id) => run(session.send('incident.respond', { responseId: id }), t('incident.sent'))}
      options=${options.map((o) => ({ value: o.id, label: o.available ? tx(o.name) : `${tx(o.name)} (${t('incident.unavailable')})`, disabled: false }))} />
    <p class="hint">${t('incident.hint')}</p>
    <${Responses} doc=${doc} />
  </section>`;
}

function Responses({ doc }) {
  return html`<table class="table">
    <caption>${t('incident.responses')}</caption>
    <tbody>${TEAMS.map((tm) => html`<tr key=${tm}><th scope="row">${teamName(tm)}</th>
      <td>${(doc.responses || {})[tm] ? html`✓ ${responseName(doc.alert, tm, doc.responses[tm])}` : html`<span class="muted">… ${t('incident.waiting')}</span>`}</td></tr>`)}</tbody>
  </table>`;
}

// Review ------------------------------------------------------------------

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

// Post-mortems ------------------------------------------------------------

function PostmortemForm({ session, index, name, returned }) {
  const base = `pm${index}`;
  const [what, setWhat] = useDraft(session.gameId, `${base}what`, returned ? returned.whatHappened : '');
  const [why, setWhy] = useDraft(session.gameId, `${base}why`, returned ? returned.why : '');
  const [change, setChange] = useDraft(session.gameId, `${base}change`, returned ? returned.change : '');
  const ok = what.trim() && why.trim() && change.trim();
  return html`<form class="card form postmortem" onSubmit=${async (e) => {
    e.preventDefault();
    if (!ok) return;
    if (await run(session.send('postmortem.submit', { incident: index, whatHappened: what.trim(), why: why.trim(), change: change.trim() }))) {
      setWhat(''); setWhy(''); setChange('');
      notify(t('pm.sent'));
    }
  }}>
    <h4>${t('pm.title', { name })}</h4>
    ${returned ? html`<p class="callout" role="note"><strong>${t('pm.returned')}</strong> ${returned.comment}</p>` : null}
    <p class="hint">${t('pm.hint')}</p>
    <${TextField} label=${t('pm.what')} value=${what} onInput=${setWhat} max=${600} rows=${2} name=${`${base}what`} />
    <${TextField} label=${t('pm.why')} value=${why} onInput=${setWhy} max=${600} rows=${2} name=${`${base}why`} />
    <${TextField} label=${t('pm.change')} value=${change} onInput=${setChange} max=${600} rows=${2} name=${`${base}change`} />
    <button class="btn btn-primary" type="submit" disabled=${!ok}>${t('pm.submit')}</button>
  </form>`;
}

/** PostmortemReview lets the facilitator accept a post-mortem (the company
 * earns its learning bonus) or send it back with a comment. */
function PostmortemReview({ session, company, index }) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  async function review(accept) {
    setBusy(true);
    if (await run(session.send('postmortem.review', { company, incident: index, accept, comment: comment.trim() }), t(accept ? 'pm.acceptedNote' : 'pm.returnedNote'))) setComment('');
    setBusy(false);
  }
  return html`<div class="pm-review">
    <${TextField} label=${t('pm.comment')} value=${comment} onInput=${setComment} max=${600} rows=${2} name=${`pmc-${company}-${index}`} hint=${t('pm.commentHint')} />
    <div class="row wrap">
      <button type="button" class="btn btn-primary" disabled=${busy} onClick=${() => review(true)}>${t('pm.accept')}</button>
      <button type="button" class="btn" disabled=${busy || !comment.trim()} onClick=${() => review(false)}>${t('pm.sendBack')}</button>
    </div>
  </div>`;
}

function pmStatus(pm) {
  if (pm.status === 'accepted') return html`<p><strong>✓ ${t('pm.accepted', { n: num(pm.learning, 0) })}</strong>${pm.comment ? ` ${pm.comment}` : ''}</p>`;
  if (pm.status === 'returned') return html`<p><strong>${t('pm.returned')}</strong> ${pm.comment}</p>`;
  return html`<p class="muted">… ${t('pm.waiting')}</p>`;
}

/** Postmortems lists a company's incidents: a form for those without a
 * post-mortem, or whose post-mortem was sent back (players); the cards
 * written, with their review (and, for the facilitator, the buttons to
 * accept them or send them back). */
export function Postmortems({ session, company, editable, review }) {
  const co = session.docs[`company/${company}`];
  if (!co || !co.incidents || !co.incidents.length) return null;
  return html`<section class="postmortems" aria-labelledby=${`pm-h-${company}`}>
    <h3 id=${`pm-h-${company}`}>${t('pm.section')}</h3>
    ${co.incidents.map((inc, i) => {
      const name = incidentName(session, inc.id);
      const pm = session.docs[`postmortem/${company}/${i}`];
      if (editable && inc.resolved && (!pm || pm.status === 'returned')) {
        return html`<${PostmortemForm} key=${`${i}-${pm ? pm.at : 0}`} session=${session} index=${i} name=${name} returned=${pm} />`;
      }
      if (pm) {
        return html`<article key=${i} class="card">
          <h4>${t('pm.card', { name, sprint: inc.sprint })}</h4>
          <dl class="pm-card"><dt>${t('pm.what')}</dt><dd>${pm.whatHappened}</dd><dt>${t('pm.why')}</dt><dd>${pm.why}</dd><dt>${t('pm.change')}</dt><dd>${pm.change}</dd></dl>
          <p class="muted">${t('pm.by', { name: pm.author, team: teamName(pm.team) })}</p>
          ${pmStatus(pm)}
          ${pm.status === 'accepted' && pm.text ? html`<p class="muted">${tx(pm.text)}</p>` : null}
          ${review && pm.status === 'submitted' ? html`<${PostmortemReview} session=${session} company=${company} index=${i} />` : null}
        </article>`;
      }
      return html`<p key=${i} class="muted">${t('pm.missing', { name, sprint: inc.sprint })}</p>`;
    })}
  </section>`;
}

// Dashboards --------------------------------------------------------------

function lastRecord(co) {
  return co && co.history && co.history.length ? co.history[co.history.length - 1] : null;
}

/** DoraNow shows the four DORA metrics of the last sprint with their tiers. */
export function DoraNow({ record, big }) {
  if (!record) return null;
  const est = record.measured && !record.measured.dora;
  const about = est ? '≈ ' : '';
  return html`<div class=${`figures${big ? ' big' : ''}`}>
    ${DORA.map((d) => html`<div key=${d.id} class="figure">
      <div class="figure-label">${t(`metric.${d.id}`)}</div>
      <div class="figure-value">${about}${d.fmt(record.metrics[d.id])}</div>
      <${TierBadge} tier=${record.tiers[d.tier]} />
    </div>`)}
    <div class="figure"><div class="figure-label">${t('metric.availability')}</div><div class="figure-value">${about}${pct(record.metrics.availability)}</div></div>
    <div class="figure"><div class="figure-label">${t('metric.value')}</div><div class="figure-value">${num(record.metrics.value, 1)}</div></div>
  </div>
  ${est ? html`<p class="hint estimate-note">${t('dash.estimates')}</p>` : null}`;
}

/** StreamNote says when the stage times are estimates and the bottleneck
 * unknown: the company has not mapped its value stream. */
export function StreamNote({ record }) {
  if (!record || !record.measured || record.measured.stream) return null;
  return html`<p class="hint estimate-note">${t('dash.streamUnknown')}</p>`;
}

/** CompanyDashboard is one company's picture: DORA now, value stream,
 * CALMS and the history. */
export function CompanyDashboard({ session, company, game, big, charts = true }) {
  const co = session.docs[`company/${company}`];
  const last = lastRecord(co);
  if (!co || !last) return null;
  const label = companyName(session, game, company);
  return html`<section class="dashboard" aria-label=${t('dash.of', { name: label })}>
    <h3>${label} · ${t('dash.score', { n: num(co.score, 0) })}</h3>
    <${DoraNow} record=${last} big=${big} />
    <div class="dash-cols">
      <div><${ValueStream} stream=${last.stream} bottleneck=${last.metrics.bottleneck} name=${(id) => stageName(session, id)} big=${big} /><${StreamNote} record=${last} /></div>
      <${Radar} series=${[{ label, calms: last.calms }]} big=${big} size=${big ? 420 : 300} />
    </div>
    ${charts ? html`<${DoraCharts} histories=${[{ label, history: co.history }]} big=${big} total=${sprintsPlanned(game)} />` : null}
    <${Capabilities} session=${session} co=${co} />
  </section>`;
}

/** Capabilities lists what a company has in place, by name, those
 * acquired in the last sprint marked "new" in words. */
export function Capabilities({ session, co, label, big }) {
  const caps = (co && co.capabilities) || [];
  if (!caps.length) return null;
  const last = lastRecord(co);
  const fresh = new Set((last && last.acquired) || []);
  return html`<div class=${`caps${big ? ' big' : ''}`}>
    <strong>${label || t('dash.capabilities')}</strong>
    <ul class="caps-list">${caps.map((c) => html`<li key=${c.id} class="cap" title=${describe(session, 'capability', c.id) || undefined}>
      ${capabilityName(session, c.id)}${fresh.has(c.id) ? html` <span class="cap-new">${t('dash.new')}</span>` : null}</li>`)}</ul>
  </div>`;
}

/** CapabilitiesBoard is the projector's view of what every company has
 * in place: names for a few companies, counts beyond. */
function CapabilitiesBoard({ session, game }) {
  const cos = [];
  for (let c = 1; c <= game.companies; c++) {
    const co = session.docs[`company/${c}`];
    if (co && co.capabilities && co.capabilities.length) cos.push({ c, co });
  }
  if (!cos.length) return null;
  const detailed = cos.length <= 3;
  return html`<section class="caps-board" aria-labelledby="caps-board-h">
    <h3 id="caps-board-h">${t('dash.inPlace')}</h3>
    ${detailed
      ? cos.map(({ c, co }) => html`<${Capabilities} key=${c} session=${session} co=${co} big
          label=${game.companies > 1 ? t('players.company', { n: c }) : companyName(session, game, c)} />`)
      : html`<ul class="plain">${cos.map(({ c, co }) => html`<li key=${c}><strong>${t('players.company', { n: c })}</strong>: ${t('dash.capCount', { n: co.capabilities.length })}</li>`)}</ul>`}
  </section>`;
}

/** Leaderboard ranks companies and teams. */
export function Leaderboard({ session, game, big, top }) {
  const lb = session.docs.leaderboard;
  if (!lb) return null;
  const me = session.docs.me || {};
  const mine = (r) => me.role === 'player' && r.company === me.company && (r.team === undefined || r.team === me.team);
  return html`<div class=${`leaderboard${big ? ' big' : ''}`}>
    ${game.companies > 1 ? html`<table class="table">
      <caption>${t('board.companies')}</caption>
      <thead><tr><th scope="col">${t('board.rank')}</th><th scope="col">${t('board.company')}</th><th scope="col">${t('board.score')}</th></tr></thead>
      <tbody>${lb.companies.map((r) => html`<tr key=${r.company} class=${mine(r) ? 'mine' : ''}><td>${r.rank}</td><th scope="row">${t('players.company', { n: r.company })}${mine(r) ? html` <span class="tag">${t('board.yours')}</span>` : null}</th><td>${num(r.score, 0)}</td></tr>`)}</tbody>
    </table>` : null}
    <table class="table">
      <caption>${t('board.teams')}</caption>
      <thead><tr><th scope="col">${t('board.rank')}</th><th scope="col">${t('team')}</th><th scope="col">${t('board.score')}</th></tr></thead>
      <tbody>${(top ? lb.teams.slice(0, top) : lb.teams).map((r) => html`<tr key=${`${r.company}/${r.team}`} class=${mine(r) ? 'mine' : ''}><td>${r.rank}</td><th scope="row">${teamLabel(r.company, r.team, game.companies)}${mine(r) ? html` <span class="tag">${t('board.yourTeam')}</span>` : null}</th><td>${num(r.score, 0)}</td></tr>`)}</tbody>
    </table>
  </div>`;
}

/** companyName names a company for the viewer: "Company 2", or with a
 * single company "Your company" for its players and "The company" for
 * the facilitator and the projector. */
export function companyName(session, game, company) {
  if (game.companies > 1) return t('players.company', { n: company });
  return (session.docs.me || {}).role === 'player' ? t('dash.company') : t('dash.theCompany');
}

/** companySeries gathers every company's history for the charts. */
export function companySeries(session, game) {
  const out = [];
  for (let c = 1; c <= game.companies; c++) {
    const co = session.docs[`company/${c}`];
    if (co && co.history) out.push({ label: companyName(session, game, c), history: co.history, company: c });
  }
  return out;
}

// Views -------------------------------------------------------------------

/** PlayerSprints is the player's sprint screen, step by step. */
export function PlayerSprints({ session, game }) {
  const sprint = session.docs.sprint;
  const me = session.docs.me || {};
  const step = sprint ? `${sprint.sprint}/${sprint.step}` : '';
  useEffect(() => {
    // After a step change the phone shows what is new: the incident
    // banner, the review, the next planning.
    if (!sprint) return;
    const el = document.querySelector(sprint.step === 'incident' ? '.incident-banner' : '#sprints-h');
    if (!el) return;
    // Below the bar that stays in sight (status, timer).
    const head = document.querySelector('.sticky-head');
    window.scrollTo(0, Math.max(0, el.getBoundingClientRect().top + window.scrollY - (head ? head.offsetHeight : 0) - 8));
  }, [step]);
  if (!sprint) return html`<p class="muted">${t('loading')}</p>`;
  return html`<section aria-labelledby="sprints-h">
    <h2 id="sprints-h">${sprintTitle(sprint)}</h2>
    ${sprint.step === 'planning' ? html`<${Planning} session=${session} game=${game} />` : null}
    ${sprint.step === 'incident' ? html`<${IncidentPanel} session=${session} game=${game} />` : null}
    ${sprint.step === 'review' ? html`<h3>${t('review.title', { n: sprint.sprint })}</h3>
      <${Review} session=${session} company=${me.company} sprint=${sprint.sprint} />` : null}
    <${Postmortems} session=${session} company=${me.company} editable />
    <details class="card" open=${sprint.step === 'review'}><summary>${t('dash.title')}</summary>
      <${CompanyDashboard} session=${session} company=${me.company} game=${game} />
    </details>
    ${sprint.sprint > 1 ? html`<details class="card"><summary>${t('review.earlier')}</summary>
      ${Array.from({ length: sprint.sprint - 1 }, (_, i) => i + 1).reverse().map((n) => html`<section key=${n}>
        <h4>${t('review.title', { n })}</h4><${Review} session=${session} company=${me.company} sprint=${n} compact /></section>`)}
    </details>` : null}
  </section>`;
}

/** SprintBoards are the figures of every company (leaderboard, one
 * company's dashboard, DORA charts, CALMS): they follow the companies'
 * documents only, not the plans that change many times a second. */
const SprintBoards = memo(({ session, game, company }) => {
  useDocs(session, ['company/', 'leaderboard', 'catalogue']);
  const series = companySeries(session, game);
  return html`<${Leaderboard} session=${session} game=${game} />
    <${CompanyDashboard} session=${session} company=${company} game=${game} charts=${false} />
    <${DoraCharts} histories=${series} total=${sprintsPlanned(game)} />
    ${game.companies > 1 ? html`<${Radar} series=${series.map((s) => ({ label: s.label, calms: lastRecord({ history: s.history }).calms }))} />` : null}`;
});

/** HostSprints is the facilitator's view of every company's sprint. */
export function HostSprints({ session, game }) {
  const sprint = session.docs.sprint;
  const [company, setCompany] = useState(1);
  if (!sprint) return html`<section><h2>${t('phase.sprints')}</h2><p class="muted">${t('sprint.notStarted')}</p></section>`;
  const companies = [];
  for (let c = 1; c <= game.companies; c++) companies.push(c);
  return html`<section aria-labelledby="hs-h">
    <h2 id="hs-h">${sprintTitle(sprint)}</h2>
    ${game.companies > 1 ? html`<div class="field"><label for="dash-company">${t('dash.choose')}</label>
      <select id="dash-company" value=${String(company)} onChange=${(e) => setCompany(Number(e.currentTarget.value))}>
        ${companies.map((c) => html`<option key=${c} value=${c}>${t('players.company', { n: c })}</option>`)}
      </select></div>` : null}
    ${sprint.step === 'planning' ? html`<${Upcoming} session=${session} company=${company} /><${CompanyPlans} session=${session} company=${company} game=${game} />
      ${sprint.silo ? html`<p class="callout">${t('plan.siloHost')}</p>` : null}` : null}
    ${sprint.step === 'incident' ? (session.docs[`incident/${company}`]
      ? html`<${IncidentBanner} doc=${session.docs[`incident/${company}`]} company=${company} companies=${game.companies} /><${Responses} doc=${session.docs[`incident/${company}`]} />`
      : html`<p>${t('incident.noneFor')}</p>`) : null}
    ${sprint.step === 'review' ? html`<h3>${t('review.title', { n: sprint.sprint })}</h3><${Review} session=${session} company=${company} sprint=${sprint.sprint} />` : null}
    <${SprintBoards} session=${session} game=${game} company=${company} />
    <${Postmortems} session=${session} company=${company} review />
  </section>`;
}

/** CompaniesBoard names every company with its DORA figures, tiers,
 * bottleneck and score: the projector's picture of an event of 8. */
function CompaniesBoard({ session, game }) {
  const rows = [];
  for (let c = 1; c <= game.companies; c++) {
    const co = session.docs[`company/${c}`];
    const last = lastRecord(co);
    if (last) rows.push({ c, co, last });
  }
  if (!rows.length) return null;
  return html`<table class="table companies-board">
    <caption>${t('board.companies')}</caption>
    <thead><tr><th scope="col">${t('board.company')}</th>${DORA.map((d) => html`<th key=${d.id} scope="col">${t(`metric.${d.id}`)}</th>`)}
      <th scope="col">${t('board.bottleneck')}</th><th scope="col">${t('board.score')}</th></tr></thead>
    <tbody>${rows.map(({ c, co, last }) => html`<tr key=${c}><th scope="row">${t('players.company', { n: c })}</th>
      ${DORA.map((d) => html`<td key=${d.id}>${d.fmt(last.metrics[d.id])}<br /><${TierBadge} tier=${last.tiers[d.tier]} /></td>`)}
      <td>${stageName(session, last.metrics.bottleneck)}</td><td><strong>${num(co.score, 0)}</strong></td></tr>`)}</tbody>
  </table>`;
}

/** ScreenSprints is the projector: incidents with the teams' responses,
 * every company's figures (named), DORA, CALMS and the leaderboard, laid
 * out to fit one 1920×1080 screen. */
export function ScreenSprints({ session, game }) {
  useDocs(session, ['sprint', 'incident/', 'company/', 'leaderboard', 'review/', 'catalogue'], 250);
  const sprint = session.docs.sprint;
  if (!sprint) return null;
  const series = companySeries(session, game);
  const incidents = [];
  for (let c = 1; c <= game.companies; c++) if (session.docs[`incident/${c}`]) incidents.push(c);
  const few = game.companies <= 2;
  return html`<section class="screen-sprints">
    <h2 class="sr-only">${sprintTitle(sprint)}</h2>
    ${incidents.length ? html`<div class="incident-row">${incidents.map((c) => html`<${IncidentBanner} key=${c} doc=${session.docs[`incident/${c}`]} company=${c} companies=${game.companies} big />`)}</div>` : null}
    ${sprint.step === 'planning' ? html`<${Upcoming} session=${session} company=${1} big /><div class=${`ready-board${game.companies > 2 ? ' ready-many' : ''}`}>${Array.from({ length: game.companies }, (_, i) => i + 1).map((c) => html`<p key=${c}>
      <strong>${game.companies > 1 ? t('players.company', { n: c }) : t('screen.ready')}: </strong>
      ${TEAMS.map((tm) => html`<span key=${tm} class=${`ready-chip${(sprint.ready || {})[`${c}/${tm}`] ? ' on' : ''}`}>${(sprint.ready || {})[`${c}/${tm}`] ? '✓' : '…'} ${teamName(tm)}</span>`)}
    </p>`)}</div>` : null}
    <div class=${`screen-grid3${few ? '' : ' screen-many'}`}>
      <div class=${sprint.step === 'review' ? 'reveal' : ''} key=${`fig-${sprint.sprint}-${sprint.step}`}>
        ${few ? series.map((s) => {
          const last = lastRecord({ history: s.history });
          return html`<div key=${s.company} class="company-figures">
            ${game.companies > 1 ? html`<h3>${s.label}</h3>` : null}
            <${DoraNow} record=${last} big />
            <${ValueStream} stream=${last.stream} bottleneck=${last.metrics.bottleneck} name=${(id) => stageName(session, id)} big /><${StreamNote} record=${last} />
          </div>`;
        }) : html`<${CompaniesBoard} session=${session} game=${game} />`}
      </div>
      <div><${DoraCharts} histories=${series} big total=${sprintsPlanned(game)} />${few ? html`<${CapabilitiesBoard} session=${session} game=${game} />` : null}</div>
      <div>
        <${Leaderboard} session=${session} game=${game} big top=${5} />
        ${series.length && few ? html`<${Radar} series=${series.map((s) => ({ label: s.label, calms: lastRecord({ history: s.history }).calms }))} big size=${320} />` : null}
      </div>
    </div>
  </section>`;
}
