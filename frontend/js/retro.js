// retro.js is the retrospective: the final ranking (company score, team
// score, debate ratings and quiz with the scenario's weights), DORA over
// the sprints, the CALMS radar, the incidents with their time to restore,
// the decisions log, the debate, the quiz and the wall; and the exports.

import { html, useEffect, useState } from './deps.js';
import { t, num, errText } from './i18n.js';
import { notify, teamLabel } from './ui.js';
import { Ratings, MotionResult } from './debate.js';
import { QuizBoard } from './study.js';
import { DoraCharts, Radar, TierBadge, fmtHours, sprintsPlanned } from './charts.js';
import { Leaderboard, Postmortems, companySeries } from './sprints.js';
import { actionName, capabilityName, incidentName, stageName } from './names.js';
import { wallData } from './wall.js';

function Ranking({ session, game, big }) {
  const res = session.docs.results;
  if (!res || !res.ranking) return html`<${Leaderboard} session=${session} game=${game} big=${big} />`;
  const rk = res.ranking;
  const me = session.docs.me || {};
  const part = (v) => (v === null || v === undefined ? '–' : num(v, 0));
  const scoreParts = (c) => ['value', 'dora', 'downtime', 'exposure', 'learning']
    .filter((k) => c.parts && c.parts[k] !== undefined)
    .map((k) => `${t(`retro.part.${k}`)} ${num(c.parts[k], 0)}`).join(' · ');
  return html`<div class=${`ranking${big ? ' big' : ''}`}>
    <table class="table stack">
      <caption>${game.companies > 1 ? t('retro.companies') : t('retro.company')}</caption>
      <thead><tr>${game.companies > 1 ? html`<th scope="col">${t('board.rank')}</th>` : null}<th scope="col">${t('board.company')}</th><th scope="col">${t('retro.final')}</th>
        <th scope="col">${t('retro.companyMark')}</th><th scope="col">${t('retro.companyScore')}</th></tr></thead>
      <tbody>${rk.companies.map((c) => html`<tr key=${c.company}>${game.companies > 1 ? html`<td data-label=${t('board.rank')}>${c.rank}</td>` : null}
        <th scope="row">${game.companies > 1 ? t('players.company', { n: c.company }) : t('dash.theCompany')}</th>
        <td data-label=${t('retro.final')}><strong>${num(c.final, 1)}</strong></td>
        <td data-label=${t('retro.companyMark')}>${num(c.mark, 0)}</td>
        <td data-label=${t('retro.companyScore')}>${num(c.score, 0)}${big ? null : html`<br /><span class="muted">${scoreParts(c)}</span>`}</td></tr>`)}</tbody>
    </table>
    ${big ? null : html`<p class="hint">${t('retro.marksHint')}</p>`}
    <table class="table stack">
      <caption>${t('retro.teams')}</caption>
      <thead><tr><th scope="col">${t('board.rank')}</th><th scope="col">${t('team')}</th><th scope="col">${t('retro.final')}</th>
        ${big ? null : html`<th scope="col">${t('retro.parts')}</th>`}</tr></thead>
      <tbody>${rk.teams.map((r) => {
        const key = `${r.company}/${r.team}`;
        const bonus = (res.bonus || {})[key];
        const mine = me.role === 'player' && Number(r.company) === me.company && r.team === me.team;
        return html`<tr key=${key} class=${mine ? 'mine' : ''}><td data-label=${t('board.rank')}>${r.rank}</td><th scope="row">${teamLabel(Number(r.company), r.team, game.companies)}${mine ? html` <span class="tag">${t('board.yourTeam')}</span>` : null}</th>
          <td data-label=${t('retro.final')}><strong>${num(r.final, 1)}</strong></td>
          ${big ? null : html`<td class="parts" data-label=${t('retro.parts')}>${t('retro.partsText', { company: part(r.parts.company), team: part(r.parts.team), debate: part(r.parts.debate), quiz: part(r.parts.quiz) })}${bonus ? ` · ${t('retro.bonus', { n: bonus })}` : ''}</td>`}</tr>`;
      })}</tbody>
    </table>
    ${Object.entries(res.clusters || {}).map(([c, m]) => html`<p key=${c} class="cluster-match">
      ${game.companies > 1 ? html`<strong>${t('players.company', { n: c })}: </strong>` : null}${t('retro.cluster', { share: m.share })} <${TierBadge} tier=${m.cluster} /></p>`)}
  </div>`;
}

function pmLabel(session, company, index, inc) {
  if (inc.postmortem) return `✓ ${t('retro.accepted')}`;
  const pm = session.docs[`postmortem/${company}/${index}`];
  if (!pm) return t('retro.none');
  return pm.status === 'returned' ? t('retro.sentBack') : t('retro.waiting');
}

/** IncidentTimeline lists the incidents with their times; the projector
 * (big) leaves the post-mortems to the phones and the console. */
function IncidentTimeline({ session, game, big }) {
  const rows = [];
  for (let c = 1; c <= game.companies; c++) {
    const co = session.docs[`company/${c}`];
    for (const [i, inc] of ((co && co.incidents) || []).entries()) rows.push({ c, i, inc });
  }
  if (!rows.length) return html`<p class="muted">${t('retro.noIncident')}</p>`;
  return html`<table class="table stack incidents">
    <caption>${t('retro.incidents')}</caption>
    <thead><tr><th scope="col">${t('incident.title')}</th><th scope="col">${t('chart.sprint')}</th><th scope="col">${t('retro.detect')}</th>
      <th scope="col">${t('retro.restore')}</th>${big ? null : html`<th scope="col">${t('retro.postmortem')}</th>`}</tr></thead>
    <tbody>${rows.map(({ c, i, inc }) => html`<tr key=${`${c}/${i}`}>
      <th scope="row">${incidentName(session, inc.id)}${game.companies > 1 ? ` (${t('players.company', { n: c })})` : ''}</th>
      <td data-label=${t('chart.sprint')}>${inc.sprint}</td>
      <td data-label=${t('retro.detect')}>${fmtHours(inc.detectMinutes / 60)}</td>
      <td data-label=${t('retro.restore')}>${fmtHours(inc.restoreMinutes / 60)}${inc.kind === 'security' ? html`<br /><span class="muted">${t('retro.exposed', { time: fmtHours(inc.exposureMinutes / 60) })}</span>` : null}</td>
      ${big ? null : html`<td data-label=${t('retro.postmortem')}>${pmLabel(session, c, i, inc)}</td>`}</tr>`)}</tbody>
  </table>`;
}

function DecisionsLog({ session, game, company }) {
  const co = session.docs[`company/${company}`];
  const hist = ((co && co.history) || []).filter((h) => h.sprint > 0);
  if (!hist.length) return null;
  return html`<table class="table decisions stack">
    <caption>${game.companies > 1 ? t('retro.decisionsOf', { n: company }) : t('retro.decisions')}</caption>
    <thead><tr><th scope="col">${t('chart.sprint')}</th><th scope="col">${t('retro.done')}</th><th scope="col">${t('retro.effects')}</th></tr></thead>
    <tbody>${hist.map((h) => html`<tr key=${h.sprint}><th scope="row">${t('chart.sprint')} ${h.sprint}</th>
      <td data-label=${t('retro.done')}>${(h.done || []).length ? (h.done || []).map((id) => actionName(session, id)).join(', ') : t('plan.nothing')}
        ${(h.wasted || []).length ? html`<br /><span class="muted">${t('retro.wasted', { list: h.wasted.map((id) => actionName(session, id)).join(', ') })}</span>` : null}
        ${(h.acquired || []).length ? html`<br />${t('retro.acquired', { list: h.acquired.map((id) => capabilityName(session, id)).join(', ') })}` : null}
        ${h.incident ? html`<br /><strong>${t('retro.struck', { name: incidentName(session, h.incident) })}</strong>` : null}</td>
      <td data-label=${t('retro.effects')}>${t('retro.tiersLine')} ${['leadTime', 'deployFrequency', 'changeFailureRate', 'timeToRestore'].map((k) => html`<${TierBadge} key=${k} tier=${h.tiers[k]} /> `)}
        <br /><span class="muted">${t('retro.bottleneck', { stage: stageName(session, h.metrics.bottleneck) })}</span></td></tr>`)}</tbody>
  </table>`;
}

function WallSummary({ session }) {
  const { clusters, byCluster, notes } = wallData(session);
  if (!notes.length) return null;
  const ranked = [...clusters].sort((a, b) => b.votes - a.votes);
  return html`<section class="card">
    <h3>${t('retro.wall', { n: notes.length })}</h3>
    ${ranked.length ? html`<ol class="wall-summary">${ranked.map((c) => html`<li key=${c.id}><strong>${c.name}</strong> — ${t('wall.votes', { n: c.votes })}, ${t('wall.count', { n: byCluster.get(c.id).length })}</li>`)}</ol>`
      : html`<p class="muted">${t('wall.noClusters')}</p>`}
  </section>`;
}

/** Podium reveals the three best teams, third to first. */
function Podium({ session, game }) {
  const res = session.docs.results;
  const teams = res && res.ranking ? res.ranking.teams.slice(0, 3) : [];
  if (teams.length < 2) return null;
  const order = [teams[1], teams[0], teams[2]].filter(Boolean);
  return html`<ol class="podium" aria-label=${t('retro.podium')}>
    ${order.map((r) => html`<li key=${`${r.company}/${r.team}`} class=${`podium-place place-${r.rank}`}>
      <span class="podium-name">${teamLabel(Number(r.company), r.team, game.companies)}</span>
      <span class="podium-mark">${num(r.final, 1)}</span>
      <span class="podium-step" aria-hidden="true">${r.rank}</span>
      <span class="sr-only">${t('retro.place', { n: r.rank })}</span>
    </li>`)}
  </ol>`;
}

/** Retro is the retrospective for every role. */
export function Retro({ session, game, role }) {
  const series = companySeries(session, game);
  const me = session.docs.me || {};
  const big = role === 'projector';
  const radar = series.length ? html`<${Radar} series=${series.map((s) => ({ label: s.label, calms: s.history[s.history.length - 1].calms }))} big=${big} size=${big ? 380 : 300} />` : null;
  if (big) {
    return html`<section class="screen-retro" aria-labelledby="retro-h">
      <h2 id="retro-h" class="sr-only">${t('phase.retro')}</h2>
      <div class="screen-grid3">
        <div><${Podium} session=${session} game=${game} /><${Ranking} session=${session} game=${game} big /></div>
        <div><${DoraCharts} histories=${series} big total=${sprintsPlanned(game)} /><${MotionResult} debate=${session.docs.debate} big /></div>
        <div>${radar}<${IncidentTimeline} session=${session} game=${game} big /></div>
      </div>
    </section>`;
  }
  const companies = role === 'player' ? [me.company] : Array.from({ length: game.companies }, (_, i) => i + 1);
  return html`<section aria-labelledby="retro-h">
    <h2 id="retro-h">${t('phase.retro')}</h2>
    <h3>${t('retro.ranking')}</h3>
    <${Ranking} session=${session} game=${game} />
    <h3>${t('retro.dora')}</h3>
    <${DoraCharts} histories=${series} total=${sprintsPlanned(game)} />
    ${radar}
    <h3>${t('retro.incidents')}</h3>
    <${IncidentTimeline} session=${session} game=${game} />
    ${companies.map((c) => html`<${Postmortems} key=${c} session=${session} company=${c} editable=${role === 'player'} review=${role === 'facilitator'} />`)}
    <h3>${t('retro.decisions')}</h3>
    ${companies.map((c) => html`<${DecisionsLog} key=${c} session=${session} game=${game} company=${c} />`)}
    <h3>${t('phase.debate')}</h3>
    <${MotionResult} debate=${session.docs.debate} />
    <${Ratings} debate=${session.docs.debate} companies=${game.companies} />
    <${QuizBoard} session=${session} companies=${game.companies} />
    <${WallSummary} session=${session} />
  </section>`;
}

/** Exports lets the facilitator open or download the report: the server
 * gives links that work without the token for a day, so the printable
 * page opens in a new tab and the files can be shared with the class. */
export function Exports({ session }) {
  const [links, setLinks] = useState(null);
  const [error, setError] = useState('');
  async function load() {
    setError('');
    try {
      const res = await fetch(`/api/games/${encodeURIComponent(session.gameId)}/exports`, {
        method: 'POST', headers: { Authorization: `Bearer ${session.token}`, Accept: 'application/json' },
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) throw body && body.code ? body : { message: `HTTP ${res.status}`, messageFr: `HTTP ${res.status}` };
      setLinks(body);
    } catch (e) {
      setError(errText(e));
    }
  }
  useEffect(() => { load(); }, []);
  return html`<section class="card" aria-labelledby="exports-h">
    <h2 id="exports-h">${t('export.title')}</h2>
    <p class="hint">${t('export.hint')}</p>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    ${links ? html`<div class="row wrap">
      <a class="btn btn-primary" href=${links.links.html} target="_blank" rel="noopener" data-export="html">${t('export.html')}</a>
      <a class="btn" href=${links.links.json} download data-export="json">${t('export.json')}</a>
      <a class="btn" href=${links.links['csv.zip']} download data-export="csv">${t('export.csv')}</a>
    </div>
    <p class="hint">${t('export.expires', { time: new Date(links.expiresAt).toLocaleString() })}</p>` : null}
    <button type="button" class="btn btn-small" onClick=${() => { load(); notify(t('export.refreshed')); }}>${t('export.refresh')}</button>
  </section>`;
}

