// sprints-plan.js is a sprint's planning board: each team picks its
// actions within its capacity (joint actions need both teams), sees what
// the capacity is made of and what the other teams of its company picked,
// and says when it is ready. Incidents announced for the end of the
// sprint show above it.

import { html, useState } from './deps.js';
import { t, tx } from './i18n.js';
import { run, teamName, TEAMS } from './ui.js';
import { actionName, capabilityName } from './names.js';

/** Planning is the team's planning board on a player's phone. */
export function Planning({ session, game }) {
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
export function CompanyPlans({ session, company, game, exceptTeam }) {
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
