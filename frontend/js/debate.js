// debate.js is the debate rounds: a presenting team and its worksheet
// (whose cards may cite figures of the team's game), a question queue with
// upvotes, the team's rebuttal (it answers the best-voted questions under
// a timer of its own), peer ratings and a motion voted before and after;
// the facilitator orders teams, runs the rebuttals, takes questions,
// gives bonuses and runs the motion votes.

import { html, useState } from './deps.js';
import { t, tx, num } from './i18n.js';
import { TextField, Choice, Timer, useDraft, run, byId, notify, teamLabel, teamKeyLabel, timerLabel } from './ui.js';
import { Worksheet } from './study.js';

const CRITERIA = ['clarity', 'relevance', 'collaboration'];

/** presenter returns the team presenting now, or null. */
export function presenter(debate) {
  if (!debate || debate.current < 0 || debate.current >= (debate.order || []).length) return null;
  const s = debate.order[debate.current];
  return { ...s, key: `${s.company}/${s.team}` };
}

/** questionsFor lists the visible questions to one team, open ones by
 * upvotes first. */
export function questionsFor(session, key) {
  const rank = { open: 0, taken: 1, dismissed: 2 };
  return session.list('question/', byId).filter((q) => q.to === key)
    .sort((a, b) => rank[a.status] - rank[b.status] || b.upvotes - a.upvotes || a.at - b.at);
}

function statusText(q) { return t(`question.${q.status}`); }

export function QuestionList({ session, list, tools, upvote, upvoted, big }) {
  if (!list.length) return html`<p class="muted">${t('question.none')}</p>`;
  return html`<ol class=${`questions-queue${big ? ' big' : ''}`}>
    ${list.map((q) => {
      const mine = upvoted && upvoted.includes(q.id);
      return html`<li key=${q.id} class=${`qitem card status-${q.status}${q.hidden ? ' hidden' : ''}`}>
        <p class="qtext">${q.text}</p>
        <p class="qmeta muted">
          <span>${t('question.upvotes', { n: q.upvotes })}</span>
          ${q.status !== 'open' ? html` · <span class="tag">${statusText(q)}</span>` : null}
          ${q.hidden ? html` · <span class="tag">${t('wall.hidden')}</span>` : null}
          ${q.author ? html` · ${t('question.by', { name: q.author })}` : null}
        </p>
        ${upvote && q.status === 'open' ? html`<button type="button" class=${`btn btn-small${mine ? ' btn-on' : ''}`} aria-pressed=${mine ? 'true' : 'false'}
          onClick=${() => run(session.send(mine ? 'question.unvote' : 'question.upvote', { questionId: q.id }))}>
          ${mine ? t('question.unvote') : t('question.upvote')}<span class="sr-only">: ${q.text.slice(0, 60)}</span></button>` : null}
        ${tools ? tools(q) : null}
      </li>`;
    })}
  </ol>`;
}

export function Motion({ session, debate, vote, myVotes }) {
  if (!debate.motion) return null;
  const open = debate.stage === 'before' || debate.stage === 'after';
  const mine = myVotes && myVotes[debate.stage];
  const tb = (debate.tally && debate.tally.before) || { for: 0, against: 0 };
  const ta = (debate.tally && debate.tally.after) || { for: 0, against: 0 };
  return html`<section class="motion card" aria-labelledby="motion-h">
    <h3 id="motion-h">${t('motion.title')}</h3>
    <p class="motion-text">${t('motion.quote', { text: tx(debate.motion.motion) })}</p>
    ${open ? html`<p><span class="tag">${t(`motion.stage.${debate.stage}`)}</span></p>` : null}
    ${open && vote ? html`<div class="row" role="group" aria-label=${t('motion.yourVote')}>
      ${['for', 'against'].map((v) => html`<button key=${v} type="button" class=${`btn${mine === v ? ' btn-on' : ''}`} aria-pressed=${mine === v ? 'true' : 'false'}
        onClick=${() => run(session.send('motion.vote', { vote: v }), t('motion.voted'))}>${mine === v ? '✓ ' : ''}${t(`motion.${v}`)}</button>`)}
    </div>` : null}
    <${MotionBars} debate=${debate} />
    <table class="table tally">
      <caption class="sr-only">${t('motion.tally')}</caption>
      <thead><tr><th scope="col"></th><th scope="col">${t('motion.for')}</th><th scope="col">${t('motion.against')}</th></tr></thead>
      <tbody>
        <tr><th scope="row">${t('motion.before')}</th><td>${tb.for}</td><td>${tb.against}</td></tr>
        <tr><th scope="row">${t('motion.after')}</th><td>${ta.for}</td><td>${ta.against}</td></tr>
      </tbody>
    </table>
    ${debate.shift !== undefined && debate.shift !== null ? html`<p class="shift"><strong>${t('motion.shift', { n: (debate.shift > 0 ? '+' : '') + num(debate.shift, 1) })}</strong></p>` : null}
    ${debate.result && debate.result.verdict && !open ? html`<p class="verdict">${verdictText(debate.result)}</p>` : null}
  </section>`;
}

function verdictText(r) {
  return t(`motion.verdict.${r.verdict}`, { pct: num(r.forAfter, 0) });
}

/** barText labels one part of a vote's bar: in words when it is wide
 * enough, the share alone when it is narrow, nothing when it is a sliver. */
function barText(side, pct) {
  const share = t('debate.pct', { n: pct });
  if (pct >= 40) return `${t(`motion.${side}`)} ${share}`;
  return pct >= 12 ? share : '';
}

/** MotionBars shows the vote before and after the debate as two bars
 * (share for, share against), the second growing in when it is in. */
export function MotionBars({ debate }) {
  const rows = ['before', 'after'].map((k) => ({ k, v: (debate.tally && debate.tally[k]) || { for: 0, against: 0 } }))
    .filter((r) => r.v.for + r.v.against > 0);
  if (!rows.length) return null;
  const width = (share) => (el) => { if (el) el.style.width = `${share}%`; };
  return html`<div class="motion-bars" aria-hidden="true">
    ${rows.map(({ k, v }) => {
      const total = v.for + v.against;
      const pFor = Math.round((100 * v.for) / total);
      return html`<div key=${k} class="motion-bar">
        <span class="bar-label">${t(`motion.${k}`)}</span>
        <span class="bar"><span class="bar-fill bar-for" ref=${width(pFor)}>${barText('for', pFor)}</span><span class="bar-fill bar-against" ref=${width(100 - pFor)}>${barText('against', 100 - pFor)}</span></span>
      </div>`;
    })}
  </div>`;
}

/** MotionResult is the motion's outcome for the retrospective: the
 * votes before and after with their shares, the shift of opinion, the
 * verdict after the debate and who changed sides. */
export function MotionResult({ debate, big }) {
  if (!debate || !debate.motion || !debate.result) return null;
  const r = debate.result;
  const b = r.before || { for: 0, against: 0 };
  const a = r.after || { for: 0, against: 0 };
  if (b.for + b.against + a.for + a.against === 0) return null;
  const line = (v, pct) => t('motion.voteLine', { for: v.for, against: v.against, pct: num(pct, 0) });
  return html`<section class="card motion-result" aria-labelledby="motion-res-h">
    <h3 id="motion-res-h">${t('motion.result')}</h3>
    <p class="motion-text">${t('motion.quote', { text: tx(debate.motion.motion) })}</p>
    <${MotionBars} debate=${debate} />
    ${big ? null : html`<ul class="plain motion-lines">
      <li><strong>${t('motion.before')}</strong>${t('motion.colon')}${b.for + b.against ? line(b, r.forBefore) : t('motion.noBefore')}</li>
      <li><strong>${t('motion.after')}</strong>${t('motion.colon')}${a.for + a.against ? line(a, r.forAfter) : t('motion.noAfter')}</li>
    </ul>`}
    ${r.shift !== undefined && r.shift !== null ? html`<p class="shift"><strong>${t('motion.shift', { n: (r.shift > 0 ? '+' : '') + num(r.shift, 1) })}</strong></p>` : null}
    ${r.verdict ? html`<p class="verdict"><strong>${verdictText(r)}</strong></p>` : null}
    ${r.bothVotes ? html`<p>${t('motion.changed', { m: r.bothVotes, f: r.toFor, a: r.toAgainst })}</p>` : null}
  </section>`;
}

function RatingForm({ session, p, mine, companies }) {
  const [r, setR] = useState(mine || {});
  const done = CRITERIA.every((c) => r[c]);
  return html`<form class="card form" onSubmit=${(e) => {
    e.preventDefault();
    if (done) run(session.send('rating.submit', { clarity: r.clarity, relevance: r.relevance, collaboration: r.collaboration }), t('rating.thanks'));
  }}>
    <h3>${t('rating.title', { team: teamLabel(p.company, p.team, companies) })}</h3>
    ${mine ? html`<p class="muted">${t('rating.already')}</p>` : null}
    ${CRITERIA.map((c) => html`<${Choice} key=${c} legend=${t(`rating.${c}`)} name=${`rate-${c}`} value=${r[c] ? String(r[c]) : ''} small
      onChange=${(v) => setR({ ...r, [c]: Number(v) })} options=${[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: String(n) }))} />`)}
    <p class="hint">${t('rating.scale')}</p>
    <button class="btn btn-primary" type="submit" disabled=${!done}>${mine ? t('rating.update') : t('rating.submit')}</button>
  </form>`;
}

/** debateNextLabel names what the facilitator's "next" does during the
 * debate (the server says it: the presenting team's rebuttal, the next
 * team, or the end of the debate), or '' for the end. */
export function debateNextLabel(debate, game) {
  if (!debate) return '';
  const p = presenter(debate);
  if (debate.next === 'rebuttal' && p) return t('rebuttal.nextStep', { team: teamLabel(p.company, p.team, game.companies) });
  if (debate.next === 'team') {
    const s = debate.order[debate.current + 1];
    return t('debate.nextTeam', { team: teamLabel(s.company, s.team, game.companies) });
  }
  return '';
}

/** turnTimerLabel names what the clock measures during the debate: the
 * speaker's time, or the time the team has to answer its questions. */
export function turnTimerLabel(debate) {
  return timerLabel({ kind: 'debate' }, null, debate);
}

/** rebuttalMinutes is the time the agenda gives the current debate's
 * rebuttals (0: none). */
export function rebuttalMinutes(game) {
  const ph = game.agenda[game.phase] || {};
  return ph.kind === 'debate' ? ph.rebuttalMinutes || 0 : 0;
}

/** RebuttalNow shows the question being answered, large. */
export function RebuttalNow({ session, debate, big }) {
  const r = debate.rebuttal;
  if (!r || !r.answering) return null;
  const q = session.docs[`question/${r.answering}`];
  return html`<div class=${`rebuttal-now card${big ? ' big' : ''}`} data-testid="rebuttal-now">
    <p class="rebuttal-step"><strong>${t('rebuttal.answeringNow')}</strong> · ${t('rebuttal.of', { n: r.current + 1, total: r.questions.length })}</p>
    ${q ? html`<p class="rebuttal-q">${q.text}</p><p class="muted">${t('question.upvotes', { n: q.upvotes })}</p>` : null}
  </div>`;
}

/** RebuttalList lists the questions of a rebuttal with where each stands. */
export function RebuttalList({ session, debate, big }) {
  const r = debate.rebuttal;
  // One question being answered is already shown large.
  if (!r || (r.questions.length === 1 && r.status === 'answering')) return null;
  const state = (i, q) => {
    if (r.status === 'answering' && i === r.current) return 'now';
    if (i < r.current) return q.status === 'taken' ? 'answered' : 'passed';
    return r.status === 'answering' ? 'later' : 'notReached';
  };
  return html`<ol class=${`rebuttal-list${big ? ' big' : ''}`}>
    ${r.questions.map((id, i) => {
      const q = session.docs[`question/${id}`];
      if (!q) return null;
      const st = state(i, q);
      return html`<li key=${id} class=${`rebuttal-item is-${st}`}><span class="qtext">${q.text}</span>
        <span class="tag">${st === 'now' ? html`<span aria-hidden="true">▶ </span>` : st === 'answered' ? html`<span aria-hidden="true">✓ </span>` : null}${t(`rebuttal.${st}`)}</span></li>`;
    })}
  </ol>`;
}

/** TurnStatus says where a finished rebuttal stands: skipped, or how many
 * of its questions the team answered. */
export function TurnStatus({ session, debate }) {
  if (debate.turn === 'skipped') return html`<p class="muted">${t('rebuttal.skipped')}</p>`;
  const r = debate.rebuttal;
  if (debate.turn !== 'done' || !r) return null;
  const answered = r.questions.filter((id, i) => i < r.current && (session.docs[`question/${id}`] || {}).status === 'taken').length;
  return html`<p class="muted">${t('rebuttal.done', { n: answered })}</p>`;
}

/** PresenterRebuttal is the presenting team's phone: the questions it will
 * answer, then the one to answer now with its time. */
function PresenterRebuttal({ session, game, debate, p }) {
  if (debate.turn === 'rebuttal') {
    return html`<section class="card rebuttal-mine" aria-labelledby="reb-h">
      <h3 id="reb-h">${t('rebuttal.title')}</h3>
      <p>${t('rebuttal.yours')}</p>
      <${Timer} clock=${game.clock} session=${session} label=${t('timer.rebuttal')} />
      <${RebuttalNow} session=${session} debate=${debate} />
      <${RebuttalList} session=${session} debate=${debate} />
    </section>`;
  }
  if (debate.turn !== 'presenting') return html`<${TurnStatus} session=${session} debate=${debate} />`;
  const upcoming = questionsFor(session, p.key).filter((q) => q.status === 'open').slice(0, 3);
  if (!rebuttalMinutes(game) || !upcoming.length) return null;
  return html`<section class="card rebuttal-mine" aria-labelledby="reb-h">
    <h3 id="reb-h">${t('rebuttal.title')}</h3>
    <p>${t('rebuttal.upcoming', { n: upcoming.length })}</p>
    <ol class="rebuttal-list">${upcoming.map((q) => html`<li key=${q.id} class="rebuttal-item"><span class="qtext">${q.text}</span>
      <span class="tag">${t('question.upvotes', { n: q.upvotes })}</span></li>`)}</ol>
  </section>`;
}

/** PlayerDebate is what a player does during the debate. */
export function PlayerDebate({ session, game }) {
  const debate = session.docs.debate;
  const me = session.docs.me || {};
  const mine = (me.extra && me.extra.debate) || { ratings: {}, votes: {}, upvoted: [] };
  const [text, setText] = useDraft(session.gameId, 'question');
  if (!debate) return null;
  const p = presenter(debate);
  const presenting = p && p.company === me.company && p.team === me.team;
  // The motion comes first while its vote is open, after the turn
  // otherwise (the question to answer matters more then).
  const voteOpen = debate.stage === 'before' || debate.stage === 'after';
  const motion = html`<${Motion} session=${session} debate=${debate} vote myVotes=${mine.votes} />`;
  return html`<section aria-labelledby="debate-h">
    <h2 id="debate-h">${t('phase.debate')}</h2>
    ${voteOpen || !p ? motion : null}
    ${p ? html`
      <p class="presenter">${t('debate.presenting')} <strong>${teamLabel(p.company, p.team, game.companies)}</strong>
        ${debate.turn === 'rebuttal' ? html` <span class="tag">${t('rebuttal.title')}</span>` : null}</p>
      ${presenting ? html`<p class="callout">${t('debate.yourTurn')}</p>
        <${PresenterRebuttal} session=${session} game=${game} debate=${debate} p=${p} />` : html`
        ${debate.turn === 'rebuttal' && debate.rebuttal && debate.rebuttal.answering ? html`
          <p>${t('rebuttal.watch', { team: teamLabel(p.company, p.team, game.companies) })}</p>
          <${RebuttalNow} session=${session} debate=${debate} />` : null}
        <form class="card form" onSubmit=${async (e) => {
          e.preventDefault();
          if (!text.trim()) return;
          if (await run(session.send('question.ask', { text: text.trim() }))) { setText(''); notify(t('question.sent')); }
        }}>
          <${TextField} label=${t('question.ask')} value=${text} onInput=${setText} max=${200} rows=${2} name="question" />
          <button class="btn btn-primary" type="submit" disabled=${!text.trim()}>${t('question.send')}</button>
        </form>`}
      <h3>${t('question.queue')}</h3>
      <${QuestionList} session=${session} list=${questionsFor(session, p.key)} upvote=${!presenting} upvoted=${mine.upvoted} />
      ${presenting ? null : html`<${RatingForm} key=${p.key} session=${session} p=${p} mine=${mine.ratings[p.key]} companies=${game.companies} />`}
      ${voteOpen ? null : motion}
      <details class="card"><summary>${t('debate.theirSheet')}</summary>
        <${Worksheet} session=${session} company=${p.company} team=${p.team} /></details>
    ` : html`<p class="muted">${t('debate.notStarted')}</p>`}
  </section>`;
}

/** ScreenDebate is the projector: speaker, their worksheet with the
 * figures its cards cite, top questions; during the rebuttal, the
 * question being answered and the others of the turn. */
export function ScreenDebate({ session, game }) {
  const debate = session.docs.debate;
  if (!debate) return null;
  const p = presenter(debate);
  const qs = p ? questionsFor(session, p.key).filter((q) => q.status !== 'dismissed').slice(0, 5) : [];
  const answering = debate.turn === 'rebuttal' && debate.rebuttal;
  return html`<section class="screen-debate">
    ${p ? html`<h2 class="speaker">${t('debate.presenting')} ${teamLabel(p.company, p.team, game.companies)}
      ${debate.turn === 'rebuttal' ? html` <span class="tag tag-big">${t('rebuttal.title')}</span>` : null}</h2>` : html`<h2>${t('phase.debate')}</h2>`}
    <div class="screen-cols">
      <div>${p ? html`<${Worksheet} session=${session} company=${p.company} team=${p.team} />` : null}</div>
      <div>
        ${answering ? html`<${RebuttalNow} session=${session} debate=${debate} big />
          <${RebuttalList} session=${session} debate=${debate} big />` : html`
          ${p ? html`<${TurnStatus} session=${session} debate=${debate} />` : null}
          <h3>${t('question.top')}</h3>
          <${QuestionList} session=${session} list=${qs} big />`}
        <${Motion} session=${session} debate=${debate} />
      </div>
    </div>
  </section>`;
}

/** Ratings shows the average peer ratings and bonuses. */
export function Ratings({ debate, companies }) {
  if (!debate) return null;
  const keys = new Set([...Object.keys(debate.ratings || {}), ...Object.keys(debate.bonus || {})]);
  if (!keys.size) return html`<p class="muted">${t('rating.none')}</p>`;
  return html`<table class="table stack">
    <caption>${t('rating.results')}</caption>
    <thead><tr><th scope="col">${t('team')}</th><th scope="col">${t('rating.mean')}</th><th scope="col">${t('rating.detail')}</th><th scope="col">${t('debate.bonus')}</th></tr></thead>
    <tbody>${[...keys].sort().map((k) => {
      const r = (debate.ratings || {})[k] || { count: 0 };
      return html`<tr key=${k}><th scope="row">${teamKeyLabel(k, companies)}</th>
        <td data-label=${t('rating.mean')}><strong>${r.count ? num(r.mean, 2) : '–'}</strong></td>
        <td data-label=${t('rating.detail')}>${r.count ? CRITERIA.map((c) => `${t(`rating.${c}`)} ${num(r[c], 1)}`).join(' · ') : ''}${r.count ? html`<br /><span class="muted">${t('rating.n', { n: r.count })}</span>` : null}</td>
        <td data-label=${t('debate.bonus')}>${(debate.bonus || {})[k] || 0}</td></tr>`;
    })}</tbody>
  </table>`;
}
