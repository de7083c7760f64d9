// sprints.js is the sprint simulation, step by step, for the three roles:
// each team plans its actions within its capacity (sprints-plan.js), the
// rules engine resolves the sprint, an incident may strike and the teams
// respond under a timer (sprints-incident.js), then everyone reads what
// changed and why (sprints-review.js) and writes a blameless post-mortem
// (sprints-postmortem.js). The facilitator and the projector follow every
// company's figures (sprints-figures.js).

import { html, useState, useEffect } from './deps.js';
import { t } from './i18n.js';
import { teamName, TEAMS, useDocs, memo, stepName, sprintTitle } from './ui.js';
import { DoraCharts, Radar, ValueStream, sprintsPlanned } from './charts.js';
import { stageName } from './names.js';
import { Planning, Upcoming, CompanyPlans } from './sprints-plan.js';
import { IncidentBanner, IncidentPanel, Responses } from './sprints-incident.js';
import { Review } from './sprints-review.js';
import { Postmortems } from './sprints-postmortem.js';
import {
  DoraNow, StreamNote, CompanyDashboard, CapabilitiesBoard, CompaniesBoard, Leaderboard, companySeries, lastRecord,
} from './sprints-figures.js';

// What other modules import from here.
export { stepName, sprintTitle };
export { Upcoming, IncidentBanner, Review, Postmortems };
export { DoraNow, StreamNote, CompanyDashboard, Leaderboard, companySeries };
export { Capabilities, companyName } from './sprints-figures.js';

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
