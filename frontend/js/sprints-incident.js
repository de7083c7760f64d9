// sprints-incident.js is a sprint's incident: the banner that announces
// it (with the teams' response chips on the projector), each team's
// choice of a response under the timer, and the responses so far.

import { html } from './deps.js';
import { t, tx, num } from './i18n.js';
import { Choice, run, teamName, TEAMS } from './ui.js';
import { humanize } from './names.js';

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

/** IncidentPanel lets a team pick its response to its company's incident. */
export function IncidentPanel({ session, game }) {
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

/** Responses lists each team's response to an incident. */
export function Responses({ doc }) {
  return html`<table class="table">
    <caption>${t('incident.responses')}</caption>
    <tbody>${TEAMS.map((tm) => html`<tr key=${tm}><th scope="row">${teamName(tm)}</th>
      <td>${(doc.responses || {})[tm] ? html`✓ ${responseName(doc.alert, tm, doc.responses[tm])}` : html`<span class="muted">… ${t('incident.waiting')}</span>`}</td></tr>`)}</tbody>
  </table>`;
}
