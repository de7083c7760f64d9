// retro.js is the retrospective: the final ranking (company score, team
// score, debate ratings and quiz with the scenario's weights), DORA over
// the sprints, the CALMS radar, the incidents with their time to restore,
// the decisions log, the debate, the quiz and the wall; and the exports.
// The projector shows the podium and every part of each mark instead.

import { html, useEffect, useState } from './deps.js';
import { t, num, errText } from './i18n.js';
import { notify, teamLabel } from './ui.js';
import { Ratings, MotionResult } from './debate.js';
import { QuizBoard } from './study.js';
import { DoraCharts, Radar, TierBadge, fmtHours, sprintsPlanned } from './charts.js';
import { Leaderboard, Postmortems, companySeries } from './sprints.js';
import { actionName, capabilityName, incidentName, stageName } from './names.js';
import { wallData } from './wall.js';

function Ranking({ session, game }) {
  const res = session.docs.results;
  if (!res || !res.ranking) return html`<${Leaderboard} session=${session} game=${game} />`;
  const rk = res.ranking;
  const me = session.docs.me || {};
  const part = (v) => (v === null || v === undefined ? '–' : num(v, 0));
  const scoreParts = (c) => ['value', 'dora', 'downtime', 'exposure', 'learning']
    .filter((k) => c.parts && c.parts[k] !== undefined)
    .map((k) => `${t(`retro.part.${k}`)} ${num(c.parts[k], 0)}`).join(' · ');
  return html`<div class="ranking">
    <table class="table stack">
      <caption>${game.companies > 1 ? t('retro.companies') : t('retro.company')}</caption>
      <thead><tr>${game.companies > 1 ? html`<th scope="col">${t('board.rank')}</th>` : null}<th scope="col">${t('board.company')}</th><th scope="col">${t('retro.final')}</th>
        <th scope="col">${t('retro.companyMark')}</th><th scope="col">${t('retro.companyScore')}</th></tr></thead>
      <tbody>${rk.companies.map((c) => html`<tr key=${c.company}>${game.companies > 1 ? html`<td data-label=${t('board.rank')}>${c.rank}</td>` : null}
        <th scope="row">${game.companies > 1 ? t('players.company', { n: c.company }) : t('dash.theCompany')}</th>
        <td data-label=${t('retro.final')}><strong>${num(c.final, 1)}</strong></td>
        <td data-label=${t('retro.companyMark')}>${num(c.mark, 0)}</td>
        <td data-label=${t('retro.companyScore')}>${num(c.score, 0)}<br /><span class="muted">${scoreParts(c)}</span></td></tr>`)}</tbody>
    </table>
    <p class="hint">${t('retro.marksHint')}</p>
    <table class="table stack">
      <caption>${t('retro.teams')}</caption>
      <thead><tr><th scope="col">${t('board.rank')}</th><th scope="col">${t('team')}</th><th scope="col">${t('retro.final')}</th>
        <th scope="col">${t('retro.parts')}</th></tr></thead>
      <tbody>${rk.teams.map((r) => {
        const key = `${r.company}/${r.team}`;
        const bonus = (res.bonus || {})[key];
        const mine = me.role === 'player' && Number(r.company) === me.company && r.team === me.team;
        return html`<tr key=${key} class=${mine ? 'mine' : ''}><td data-label=${t('board.rank')}>${r.rank}</td><th scope="row">${teamLabel(Number(r.company), r.team, game.companies)}${mine ? html` <span class="tag">${t('board.yourTeam')}</span>` : null}</th>
          <td data-label=${t('retro.final')}><strong>${num(r.final, 1)}</strong></td>
          <td class="parts" data-label=${t('retro.parts')}>${t('retro.partsText', { company: part(r.parts.company), team: part(r.parts.team), debate: part(r.parts.debate), quiz: part(r.parts.quiz) })}${bonus ? ` · ${t('retro.bonus', { n: bonus })}` : ''}</td></tr>`;
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

/** IncidentTimeline lists the incidents with their times and
 * post-mortems. */
function IncidentTimeline({ session, game }) {
  const rows = [];
  for (let c = 1; c <= game.companies; c++) {
    const co = session.docs[`company/${c}`];
    for (const [i, inc] of ((co && co.incidents) || []).entries()) rows.push({ c, i, inc });
  }
  if (!rows.length) return html`<p class="muted">${t('retro.noIncident')}</p>`;
  return html`<table class="table stack incidents">
    <caption>${t('retro.incidents')}</caption>
    <thead><tr><th scope="col">${t('incident.title')}</th><th scope="col">${t('chart.sprint')}</th><th scope="col">${t('retro.detect')}</th>
      <th scope="col">${t('retro.restore')}</th><th scope="col">${t('retro.postmortem')}</th></tr></thead>
    <tbody>${rows.map(({ c, i, inc }) => html`<tr key=${`${c}/${i}`}>
      <th scope="row">${incidentName(session, inc.id)}${game.companies > 1 ? ` (${t('players.company', { n: c })})` : ''}</th>
      <td data-label=${t('chart.sprint')}>${inc.sprint}</td>
      <td data-label=${t('retro.detect')}>${fmtHours(inc.detectMinutes / 60)}</td>
      <td data-label=${t('retro.restore')}>${fmtHours(inc.restoreMinutes / 60)}${inc.kind === 'security' ? html`<br /><span class="muted">${t('retro.exposed', { time: fmtHours(inc.exposureMinutes / 60) })}</span>` : null}</td>
      <td data-label=${t('retro.postmortem')}>${pmLabel(session, c, i, inc)}</td></tr>`)}</tbody>
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

/** Podium reveals the three best teams, third to first, each with the
 * parts of its final mark. */
function Podium({ session, game }) {
  const res = session.docs.results;
  const teams = res && res.ranking ? res.ranking.teams.slice(0, 3) : [];
  if (teams.length < 2) return null;
  const order = [teams[1], teams[0], teams[2]].filter(Boolean);
  return html`<ol class="podium" aria-label=${t('retro.podium')}>
    ${order.map((r) => html`<li key=${`${r.company}/${r.team}`} class=${`podium-place place-${r.rank}`}>
      <span class="podium-name">${teamLabel(Number(r.company), r.team, game.companies)}</span>
      <span class="podium-mark">${num(r.final, 1)}</span>
      <${MarkParts} r=${r} bonus=${(res.bonus || {})[`${r.company}/${r.team}`]} />
      <span class="podium-step" aria-hidden="true">${r.rank}</span>
      <span class="sr-only">${t('retro.place', { n: r.rank })}</span>
    </li>`)}
  </ol>`;
}

// The parts of a team's final mark, as the results document gives them.
const TEAM_PARTS = ['company', 'team', 'debate', 'quiz'];
// The parts of the company score the UI names; others show by their id.
const COMPANY_PARTS = ['value', 'dora', 'downtime', 'exposure', 'learning'];
const partMark = (v) => (v === null || v === undefined ? '–' : num(v, 0));

function MarkParts({ r, bonus }) {
  return html`<dl class="podium-parts">
    ${TEAM_PARTS.map((k) => html`<div key=${k}><dt>${t(`retro.mark.${k}`)}</dt><dd>${partMark(r.parts[k])}</dd></div>`)}
    ${bonus ? html`<div><dt>${t('retro.mark.bonus')}</dt><dd>+${bonus}</dd></div>` : null}
  </dl>`;
}

/** companyPartKeys lists the parts of the company scores: the known ones
 * in their order, then any other the scenario scores. */
function companyPartKeys(companies) {
  const all = new Set(companies.flatMap((c) => Object.keys(c.parts || {})));
  return [...COMPANY_PARTS.filter((k) => all.has(k)), ...[...all].filter((k) => !COMPANY_PARTS.includes(k)).sort()];
}

const TEAM_ROWS = 8;
const PAGE_MS = 8000;

/** useRotation turns pages on a projector nobody touches. */
function useRotation(pages) {
  const [page, setPage] = useState(0);
  useEffect(() => {
    if (pages < 2) return undefined;
    const id = setInterval(() => setPage((p) => p + 1), PAGE_MS);
    return () => clearInterval(id);
  }, [pages]);
  return pages > 1 ? page % pages : 0;
}

/** TeamStandings is the projector's team ranking with every part of each
 * final mark; many teams turn by pages. */
function TeamStandings({ res, game }) {
  const teams = res.ranking.teams;
  const pages = Math.ceil(teams.length / TEAM_ROWS);
  const page = useRotation(pages);
  const rows = pages > 1 ? teams.slice(page * TEAM_ROWS, (page + 1) * TEAM_ROWS) : teams;
  const from = page * TEAM_ROWS + 1;
  return html`<table class="table standings">
    <caption>${pages > 1 ? t('retro.teamsPage', { from, to: from + rows.length - 1, total: teams.length }) : t('retro.teams')}</caption>
    <thead><tr><th scope="col">${t('board.rank')}</th><th scope="col">${t('team')}</th><th scope="col">${t('retro.mark.final')}</th>
      ${TEAM_PARTS.map((k) => html`<th key=${k} scope="col">${t(`retro.mark.${k}`)}</th>`)}<th scope="col">${t('retro.mark.bonus')}</th></tr></thead>
    <tbody>${rows.map((r) => {
      const bonus = (res.bonus || {})[`${r.company}/${r.team}`];
      return html`<tr key=${`${r.company}/${r.team}`}><td>${r.rank}</td><th scope="row">${teamLabel(Number(r.company), r.team, game.companies)}</th>
        <td><strong>${num(r.final, 1)}</strong></td>${TEAM_PARTS.map((k) => html`<td key=${k}>${partMark(r.parts[k])}</td>`)}<td>${bonus ? `+${bonus}` : '–'}</td></tr>`;
    })}</tbody>
  </table>`;
}

/** CompanyStandings is the projector's company ranking: final mark,
 * company mark, the company score by part and the closest DORA cluster. */
function CompanyStandings({ res, game }) {
  const cos = res.ranking.companies;
  const keys = companyPartKeys(cos);
  const clusters = res.clusters || {};
  return html`<table class="table standings standings-companies">
    <caption>${game.companies > 1 ? t('retro.companies') : t('retro.company')}</caption>
    <thead><tr>${game.companies > 1 ? html`<th scope="col">${t('board.rank')}</th><th scope="col">${t('board.company')}</th>` : null}<th scope="col">${t('retro.mark.final')}</th>
      <th scope="col">${t('retro.mark.mark')}</th>${keys.map((k) => html`<th key=${k} scope="col">${COMPANY_PARTS.includes(k) ? t(`retro.part.${k}`) : k}</th>`)}
      <th scope="col">${t('retro.mark.cluster')}</th></tr></thead>
    <tbody>${cos.map((c) => html`<tr key=${c.company}>${game.companies > 1 ? html`<td>${c.rank}</td><th scope="row">${c.company}</th>` : null}
      <td><strong>${num(c.final, 1)}</strong></td><td>${num(c.mark, 0)}</td>
      ${keys.map((k) => html`<td key=${k}>${c.parts && c.parts[k] !== undefined ? num(c.parts[k], 0) : '–'}</td>`)}
      <td>${clusters[c.company] ? html`<${TierBadge} tier=${clusters[c.company].cluster} />` : '–'}</td></tr>`)}</tbody>
  </table>`;
}

/** ScreenStandings is the projector's retrospective: the podium, the
 * teams and the companies with every part of their marks, the motion's
 * result and, with one or two companies, DORA over the sprints. */
function ScreenStandings({ session, game, series }) {
  const res = session.docs.results;
  const ranked = res && res.ranking;
  // One or two companies leave room for DORA over the sprints; more fill
  // the screen with their standings (the sprints showed their figures).
  const few = game.companies <= 2;
  const motion = html`<${MotionResult} debate=${session.docs.debate} big />`;
  return html`<section class="screen-retro" aria-labelledby="retro-h">
    <h2 id="retro-h" class="sr-only">${t('phase.retro')}</h2>
    <div class=${`retro-stage${few ? ' retro-few' : ''}`}>
      <div><${Podium} session=${session} game=${game} />${ranked ? html`<${TeamStandings} res=${res} game=${game} />` : html`<${Leaderboard} session=${session} game=${game} big />`}
        ${few ? motion : null}</div>
      <div>${ranked ? html`<${CompanyStandings} res=${res} game=${game} />` : null}
        ${few ? html`<${DoraCharts} histories=${series} big total=${sprintsPlanned(game)} />` : motion}</div>
    </div>
  </section>`;
}

/** Retro is the retrospective for every role. */
export function Retro({ session, game, role }) {
  const series = companySeries(session, game);
  const me = session.docs.me || {};
    if (role === 'projector') return html`<${ScreenStandings} session=${session} game=${game} series=${series} />`;
  const companies = role === 'player' ? [me.company] : Array.from({ length: game.companies }, (_, i) => i + 1);
  return html`<section aria-labelledby="retro-h">
    <h2 id="retro-h">${t('phase.retro')}</h2>
    <h3>${t('retro.ranking')}</h3>
    <${Ranking} session=${session} game=${game} />
    <h3>${t('retro.dora')}</h3>
    <${DoraCharts} histories=${series} total=${sprintsPlanned(game)} />
    ${series.length ? html`<${Radar} series=${series.map((s) => ({ label: s.label, calms: s.history[s.history.length - 1].calms }))} />` : null}
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

