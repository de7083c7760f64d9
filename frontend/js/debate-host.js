// debate-host.js is the facilitator's side of the debate: the order of
// the teams, the presenting team's rebuttal and questions, the bonuses and
// the motion votes. The phones and the projector do not load it.

import { html, useState } from './deps.js';
import { t, tx } from './i18n.js';
import { run, teamLabel, TEAMS } from './ui.js';
import { Worksheet } from './study.js';
import {
  presenter, questionsFor, QuestionList, Motion, Ratings, debateNextLabel, rebuttalMinutes,
  RebuttalNow, RebuttalList, TurnStatus,
} from './debate.js';

/** HostDebate lets the facilitator run the debate. */
export function HostDebate({ session, game }) {
  const debate = session.docs.debate;
  if (!debate) return null;
  const p = presenter(debate);
  const inDebate = game.status === 'running' && (game.agenda[game.phase] || {}).kind === 'debate';
  return html`<section aria-labelledby="hdebate-h">
    <h2 id="hdebate-h">${t('phase.debate')}</h2>
    <div class="host-cols">
      <div>
        <${DebateOrder} session=${session} game=${game} debate=${debate} inDebate=${inDebate} />
        ${p && inDebate ? html`<${RebuttalControl} session=${session} game=${game} debate=${debate} p=${p} />
          <p>${debateNextLabel(debate, game)
          ? html`<button type="button" class="btn btn-primary" onClick=${() => run(session.send('phase.next'))}>${debateNextLabel(debate, game)}</button>`
          : html`<span class="muted">${t('debate.lastTeam')}</span>`}</p>` : null}
        <${BonusTable} session=${session} game=${game} debate=${debate} />
      </div>
      <div>
        ${p ? html`<${PresenterQuestions} session=${session} game=${game} p=${p} />` : null}
        <${MotionControl} session=${session} debate=${debate} />
        <${Motion} session=${session} debate=${debate} />
        <${Ratings} debate=${debate} companies=${game.companies} />
      </div>
    </div>
  </section>`;
}

/** DebateOrder is the order of the presentations: move a team up or down,
 * take it out, add one back. */
function DebateOrder({ session, game, debate, inDebate }) {
  const [add, setAdd] = useState('');
  const order = debate.order || [];
  const slots = [];
  for (let c = 1; c <= game.companies; c++) for (const tm of TEAMS) slots.push({ company: c, team: tm });
  const missing = slots.filter((s) => !order.some((o) => o.company === s.company && o.team === s.team));
  const setOrder = (o) => run(session.send('debate.order', { order: o.map(({ company, team }) => ({ company, team })) }));
  const move = (i, d) => {
    const o = [...order];
    const j = i + d;
    if (j < 0 || j >= o.length) return;
    [o[i], o[j]] = [o[j], o[i]];
    setOrder(o);
  };
  const label = (s) => teamLabel(s.company, s.team, game.companies);
  return html`<h3>${t('debate.order')}</h3>
    <ol class="order">
      ${order.map((s, i) => html`<li key=${`${s.company}/${s.team}`} class=${i === debate.current && inDebate ? 'current' : ''}>
        <span>${label(s)}${i === debate.current && inDebate ? html` <strong>(${t('debate.now')})</strong>` : (debate.presented || []).includes(`${s.company}/${s.team}`) ? ` (${t('debate.done')})` : ''}</span>
        <span class="row">
          <button type="button" class="btn btn-small" disabled=${i === 0} onClick=${() => move(i, -1)} aria-label=${t('debate.up', { team: label(s) })}>↑</button>
          <button type="button" class="btn btn-small" disabled=${i === order.length - 1} onClick=${() => move(i, 1)} aria-label=${t('debate.down', { team: label(s) })}>↓</button>
          <button type="button" class="btn btn-small" disabled=${order.length <= 1} onClick=${() => setOrder(order.filter((_, j) => j !== i))} aria-label=${t('debate.remove', { team: label(s) })}>✕</button>
        </span>
      </li>`)}
    </ol>
    ${missing.length ? html`<form class="inline-form" onSubmit=${(e) => {
      e.preventDefault();
      const s = missing.find((m) => `${m.company}/${m.team}` === add) || missing[0];
      setOrder([...order, s]);
    }}>
      <div class="field"><label for="add-slot">${t('debate.addTeam')}</label>
        <select id="add-slot" value=${add} onChange=${(e) => setAdd(e.currentTarget.value)}>
          ${missing.map((m) => html`<option key=${`${m.company}/${m.team}`} value=${`${m.company}/${m.team}`}>${label(m)}</option>`)}
        </select></div>
      <button class="btn btn-small" type="submit">${t('add')}</button>
    </form>` : null}`;
}

/** BonusTable gives each team in the order bonus points (0 to 10). */
function BonusTable({ session, game, debate }) {
  const [bonus, setBonus] = useState({});
  return html`<h3>${t('debate.bonus')}</h3>
    <p class="hint">${t('debate.bonusHint')}</p>
    <table class="table bonus-table">
      <caption class="sr-only">${t('debate.bonus')}</caption>
      <tbody>${(debate.order || []).map((s) => {
        const k = `${s.company}/${s.team}`;
        const id = `bonus-${s.company}-${s.team}`;
        const val = bonus[k] !== undefined ? bonus[k] : String((debate.bonus || {})[k] || 0);
        const label = teamLabel(s.company, s.team, game.companies);
        return html`<tr key=${k}>
          <th scope="row"><label for=${id}>${label}</label></th>
          <td><input id=${id} name=${id} type="number" min="0" max="10" value=${val} onInput=${(e) => setBonus({ ...bonus, [k]: e.currentTarget.value })} /></td>
          <td><button type="button" class="btn btn-small" onClick=${() => run(session.send('debate.bonus', { company: s.company, team: s.team, points: Number(val) }), t('debate.bonusSet'))}>
            ${t('debate.setBonus')}<span class="sr-only"> ${label}</span></button></td>
        </tr>`;
      })}</tbody>
    </table>`;
}

/** PresenterQuestions is the presenting team's question queue, with the
 * facilitator's tools, and the team's worksheet. */
function PresenterQuestions({ session, game, p }) {
  const send = (cmd, args) => run(session.send(cmd, args));
  return html`<h3>${t('question.queueFor', { team: teamLabel(p.company, p.team, game.companies) })}</h3>
    <${QuestionList} session=${session} list=${questionsFor(session, p.key)} tools=${(q) => html`<div class="row">
      ${q.status !== 'taken' ? html`<button type="button" class="btn btn-small btn-primary" onClick=${() => send('question.take', { questionId: q.id })}>${t('question.take')}</button>` : null}
      ${q.status !== 'dismissed' ? html`<button type="button" class="btn btn-small" onClick=${() => send('question.dismiss', { questionId: q.id })}>${t('question.dismiss')}</button>` : null}
      ${q.status !== 'open' ? html`<button type="button" class="btn btn-small" onClick=${() => send('question.reopen', { questionId: q.id })}>${t('question.reopen')}</button>` : null}
      <button type="button" class="btn btn-small" onClick=${() => send('question.hide', { questionId: q.id, hidden: !q.hidden })}>${q.hidden ? t('wall.show') : t('wall.hide')}</button>
    </div>`} />
    <details class="card"><summary>${t('debate.theirSheet')}</summary>
      <${Worksheet} session=${session} company=${p.company} team=${p.team} /></details>`;
}

/** MotionControl chooses the motion and opens and closes its votes
 * (before the debate, after it). */
function MotionControl({ session, debate }) {
  const motions = debate.motions || [];
  const voting = debate.stage === 'before' || debate.stage === 'after';
  return html`<h3>${t('motion.title')}</h3>
    <div class="card">
      <div class="field"><label for="motion-sel">${t('motion.choose')}</label>
        <select id="motion-sel" value=${debate.motion ? debate.motion.id : ''} disabled=${voting}
          onChange=${(e) => e.currentTarget.value && run(session.send('motion.set', { motionId: e.currentTarget.value }))}>
          <option value="">—</option>
          ${motions.map((m) => html`<option key=${m.id} value=${m.id}>${tx(m.motion)}</option>`)}
        </select></div>
      ${debate.motion ? html`<div class="row">
        <button type="button" class="btn" disabled=${debate.stage === 'before'} onClick=${() => run(session.send('motion.open', { stage: 'before' }))}>${t('motion.openBefore')}</button>
        <button type="button" class="btn" disabled=${debate.stage === 'after'} onClick=${() => run(session.send('motion.open', { stage: 'after' }))}>${t('motion.openAfter')}</button>
        <button type="button" class="btn" disabled=${!voting} onClick=${() => run(session.send('motion.close'))}>${t('motion.close')}</button>
      </div>
      ${(debate.motion.for || []).length ? html`<details><summary>${t('motion.arguments')}</summary>
        <h4>${t('motion.for')}</h4><ul>${debate.motion.for.map((a, i) => html`<li key=${i}>${tx(a)}</li>`)}</ul>
        <h4>${t('motion.against')}</h4><ul>${(debate.motion.against || []).map((a, i) => html`<li key=${i}>${tx(a)}</li>`)}</ul>
      </details>` : null}` : null}
    </div>`;
}

/** RebuttalControl lets the facilitator run the presenting team's
 * rebuttal: start it, move from question to question, extend, skip. */
function RebuttalControl({ session, game, debate, p }) {
  const team = teamLabel(p.company, p.team, game.companies);
  const mins = rebuttalMinutes(game);
  const open = questionsFor(session, p.key).filter((q) => q.status === 'open' && !q.hidden).length;
  const r = debate.rebuttal;
  let body;
  if (debate.turn === 'rebuttal') {
    const last = r && r.current + 1 >= r.questions.length;
    body = html`<${RebuttalNow} session=${session} debate=${debate} />
      <${RebuttalList} session=${session} debate=${debate} />
      <div class="row wrap">
        <button type="button" class="btn btn-primary" onClick=${() => run(session.send('rebuttal.next'))}>${last ? t('rebuttal.lastQuestion') : t('rebuttal.nextQuestion')}</button>
        <button type="button" class="btn" onClick=${() => run(session.send('timer.extend', { seconds: 60 }))}>${t('control.plus1')}</button>
        <button type="button" class="btn" onClick=${() => run(session.send('rebuttal.skip'))}>${t('rebuttal.end')}</button>
      </div>`;
  } else if (debate.turn === 'presenting' || (debate.turn === 'skipped' && !(r && r.questions.length))) {
    body = html`
      ${debate.turn === 'skipped' ? html`<${TurnStatus} session=${session} debate=${debate} />` : null}
      <p>${!open ? t('rebuttal.noQuestion', { team })
        : mins ? t('rebuttal.willAnswer', { team, n: Math.min(open, 3), min: mins }) : t('rebuttal.offAgenda', { n: 2 })}</p>
      ${open ? html`<div class="row wrap">
        <button type="button" class="btn" onClick=${() => run(session.send('rebuttal.start'))}>${t('rebuttal.start', { n: mins || 2 })}</button>
        ${debate.turn === 'presenting' ? html`<button type="button" class="btn" onClick=${() => run(session.send('rebuttal.skip'))}>${t('rebuttal.skip')}</button>` : null}
      </div>` : null}`;
  } else {
    body = html`<${TurnStatus} session=${session} debate=${debate} /><${RebuttalList} session=${session} debate=${debate} />`;
  }
  return html`<section class="card rebuttal-control" aria-labelledby="hreb-h">
    <h3 id="hreb-h">${t('rebuttal.title')} — ${team}</h3>
    ${body}
  </section>`;
}
