// sprints-figures.js holds the figures of the sprints: a company's
// dashboard (DORA now, value stream, CALMS, history, capabilities), the
// leaderboard, and the projector's boards of every company.

import { html } from './deps.js';
import { t, num } from './i18n.js';
import { teamLabel } from './ui.js';
import { DoraCharts, Radar, ValueStream, TierBadge, DORA, sprintsPlanned } from './charts.js';
import { capabilityName, stageName, describe } from './names.js';

/** pct shows a ratio as a percentage. */
export function pct(v) { return `${num(v * 100, 0)} %`; }

/** lastRecord is a company's record of its last sprint (null before the
 * first). */
export function lastRecord(co) {
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
export function CapabilitiesBoard({ session, game }) {
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

/** CompaniesBoard names every company with its DORA figures, tiers,
 * bottleneck and score: the projector's picture of an event of 8. */
export function CompaniesBoard({ session, game }) {
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
