// study.js is the study phase: the product and team briefs, the team's
// shared worksheet (edited by several people at once, with the card's
// revision guarding against silent overwrites) and the quiz.

import { html, useState } from './deps.js';
import { t, tx, num, errText } from './i18n.js';
import { TextField, Choice, useDraft, run, byId, notify, teamName, teamLabel, TEAMS } from './ui.js';
import { saveDraft, draft } from './storage.js';
import { CardEvidence } from './evidence.js';

export const CARD_KINDS = ['finding', 'advantage', 'challenge', 'recommendation'];
const MAX_CARD = 500;

function Items({ items }) {
  if (!items || !items.length) return null;
  return html`<ul class="items">${items.map((it) => html`<li key=${it.id}><strong>${tx(it.name)}</strong>${it.description ? html` — ${tx(it.description)}` : null}</li>`)}</ul>`;
}

/** ProductBrief shows the product every team works on. */
export function ProductBrief({ product, compact }) {
  if (!product) return null;
  return html`<article class="brief card">
    <h3>${tx(product.name)}</h3>
    <p>${tx(product.description)}</p>
    <h4>${t('study.features')}</h4><${Items} items=${product.features} />
    ${compact ? null : html`
      <details><summary>${t('study.stack')}</summary><${Items} items=${product.stack} /></details>
      <details><summary>${t('study.steps')}</summary><${Items} items=${product.studySteps} /></details>
      <details><summary>${t('study.challenges')}</summary><${Items} items=${product.challenges} /></details>`}
  </article>`;
}

/** StudySteps walks a team through the product's study steps, one
 * collapsible step at a time: what to look at, a case from the product,
 * the course notions it draws on and the questions for the worksheet. */
function StudySteps({ steps, product }) {
  if (!steps || !steps.length) return null;
  const named = (id) => ((product && product.studySteps) || []).find((s) => s.id === id);
  return html`<h4>${t('study.byStep')}</h4>
    <ol class="study-steps">${steps.map((st, i) => {
      const p = named(st.step);
      return html`<li key=${st.step}><details class="study-step" open=${i === 0}>
        <summary><span class="step-n" aria-hidden="true">${i + 1}</span> ${p ? tx(p.name) : st.step}</summary>
        ${p ? html`<p class="muted">${tx(p.description)}</p>` : null}
        <p><strong>${t('study.look')}</strong> ${tx(st.look)}</p>
        <p class="step-case"><strong>${t('study.case')}</strong> ${tx(st.case)}</p>
        <p class="step-notions"><strong>${t('study.notions')}</strong> ${(st.notions || []).map((n, j) => html`<span key=${j} class="tag">${tx(n)}</span> `)}</p>
        <p><strong>${t('study.onWorksheet')}</strong></p>
        <ul class="step-questions">${(st.questions || []).map((q, j) => html`<li key=${j}>${tx(q)}</li>`)}</ul>
      </details></li>`;
    })}</ol>`;
}

/** TeamBrief shows one team's mission, objective, study steps,
 * challenges and CALMS questions. */
export function TeamBrief({ brief, product }) {
  if (!brief) return null;
  const challenges = (brief.challenges || []).map((id) => (product && product.challenges || []).find((c) => c.id === id)).filter(Boolean);
  return html`<article class="brief card">
    <h3>${tx(brief.name)}</h3>
    <p><strong>${t('study.mission')}</strong> ${tx(brief.mission)}</p>
    <p><strong>${t('study.objective')}</strong> ${tx(brief.objective)}</p>
    <${StudySteps} steps=${brief.study} product=${product} />
    ${challenges.length ? html`<details><summary>${t('study.yourChallenges')}</summary><${Items} items=${challenges} /></details>` : null}
    ${brief.questions && brief.questions.length ? html`<details><summary>${t('study.calmsQuestions')}</summary>
      <ul class="calms-questions">${brief.questions.map((q, i) => html`<li key=${i}><span class="tag">${t(`calms.${q.pillar}`)}</span> ${tx(q.text)}</li>`)}</ul></details>` : null}
  </article>`;
}

function kindName(k) { return t(`card.${k}`); }

/** teamCards returns the cards of one team, oldest first. */
export function teamCards(session, company, team) {
  return session.list('card/', byId).filter((c) => c.company === company && c.team === team);
}

/** CardView is one worksheet card, editable by its team. */
function CardView({ session, card, editable }) {
  const gameId = session.gameId;
  const field = `card:${card.id}`;
  const [edit, setEdit] = useState(() => draft(gameId, field));
  const [conflict, setConflict] = useState('');

  function change(next) {
    setEdit(next);
    saveDraft(gameId, field, next);
  }
  function start() { change({ text: card.text, kind: card.kind, rev: card.rev }); setConflict(''); }
  function stop() { change(null); setConflict(''); }

  async function saveCard(e) {
    e.preventDefault();
    try {
      await session.send('card.edit', { cardId: card.id, rev: edit.rev, kind: edit.kind, text: edit.text.trim() });
      stop();
      notify(t('card.saved'));
    } catch (err) {
      if (err.code === 'conflict') {
        // Someone else saved first: keep what this person typed, show
        // theirs, and base the next save on it.
        setConflict(errText(err));
        change({ ...edit, rev: card.rev });
      } else {
        notify(errText(err), 'error');
      }
    }
  }

  async function del() {
    if (!window.confirm(t('card.confirmDelete'))) return;
    await run(session.send('card.delete', { cardId: card.id, rev: card.rev }));
  }

  if (edit && editable) {
    const stale = edit.rev !== card.rev;
    return html`<li class="wcard card editing">
      <form onSubmit=${saveCard}>
        ${conflict || stale ? html`<div class="conflict" role="alert">
          <p>${conflict || t('card.changed')}</p>
          <p class="muted">${t('card.theirs')}</p><blockquote>${card.text}</blockquote>
          ${stale ? html`<button type="button" class="btn btn-small" onClick=${() => change({ ...edit, rev: card.rev })}>${t('card.keepMine')}</button>` : null}
        </div>` : null}
        <${Choice} legend=${t('card.kind')} name=${`kind-${card.id}`} value=${edit.kind} small
          onChange=${(k) => change({ ...edit, kind: k })} options=${CARD_KINDS.map((k) => ({ value: k, label: kindName(k) }))} />
        <${TextField} label=${t('card.text')} value=${edit.text} onInput=${(v) => change({ ...edit, text: v })} max=${MAX_CARD} rows=${4} name="cardtext" />
        <div class="row">
          <button class="btn btn-primary" type="submit" disabled=${!edit.text.trim() || stale}>${t('save')}</button>
          <button class="btn" type="button" onClick=${stop}>${t('cancel')}</button>
        </div>
      </form>
    </li>`;
  }
  return html`<li class="wcard card">
    <p class="wcard-text">${card.text}</p>
    <p class="wcard-meta muted">${t('card.by', { name: card.author })}</p>
    <${CardEvidence} session=${session} card=${card} editable=${editable} />
    ${editable ? html`<div class="row">
      <button type="button" class="btn btn-small" onClick=${start}>${t('edit')}<span class="sr-only"> ${card.text.slice(0, 40)}</span></button>
      <button type="button" class="btn btn-small btn-danger" onClick=${del}>${t('delete')}<span class="sr-only"> ${card.text.slice(0, 40)}</span></button>
    </div>` : null}
  </li>`;
}

/** Worksheet shows a team's cards grouped by kind; editable for its team. */
export function Worksheet({ session, company, team, editable, title }) {
  const cards = teamCards(session, company, team);
  return html`<div class="worksheet">
    ${title ? html`<h3>${title}</h3>` : null}
    ${cards.length === 0 ? html`<p class="muted">${t('card.none')}</p>` : null}
    <div class="worksheet-grid">
      ${CARD_KINDS.map((k) => {
        const list = cards.filter((c) => c.kind === k);
        return html`<section key=${k} class=${`kind kind-${k}`} aria-label=${kindName(k)}>
          <h4><span aria-hidden="true" class="kind-icon">${{ finding: '●', advantage: '+', challenge: '!', recommendation: '→' }[k]}</span> ${kindName(k)} (${list.length})</h4>
          <ul class="wcards">${list.map((c) => html`<${CardView} key=${c.id} session=${session} card=${c} editable=${editable} />`)}</ul>
        </section>`;
      })}
    </div>
  </div>`;
}

function AddCard({ session }) {
  const [text, setText] = useDraft(session.gameId, 'newcard');
  const [kind, setKind] = useDraft(session.gameId, 'newcardKind', 'finding');
  async function add(e) {
    e.preventDefault();
    if (!text.trim()) return;
    if (await run(session.send('card.add', { kind, text: text.trim() }))) {
      setText('');
      notify(t('card.added'));
    }
  }
  return html`<form class="card form" onSubmit=${add}>
    <h3>${t('card.add')}</h3>
    <${Choice} legend=${t('card.kind')} name="newkind" value=${kind} onChange=${setKind} small
      options=${CARD_KINDS.map((k) => ({ value: k, label: kindName(k) }))} />
    <${TextField} label=${t('card.text')} value=${text} onInput=${setText} max=${MAX_CARD} rows=${3} name="newcard" />
    <button class="btn btn-primary" type="submit" disabled=${!text.trim()}>${t('card.addBtn')}</button>
  </form>`;
}

/** Quiz lists the questions; answered ones show the correction. */
export function Quiz({ session }) {
  const quiz = session.docs.quiz;
  const me = session.docs.me || {};
  const answers = (me.extra && me.extra.quiz) || {};
  const [choice, setChoice] = useState({});
  if (!quiz) return null;
  const done = Object.keys(answers).length;
  const orders = (me.extra && me.extra.quizOrder) || {};
  // Each player's own order of the options (the server draws it from the
  // game's seed), the file's order otherwise.
  const ordered = (q) => {
    const order = orders[q.id];
    if (!order) return q.options;
    const byId = new Map(q.options.map((o) => [o.id, o]));
    const out = order.map((id) => byId.get(id)).filter(Boolean);
    return out.length === q.options.length ? out : q.options;
  };
  return html`<section class="quiz" aria-labelledby="quiz-h">
    <h3 id="quiz-h">${t('quiz.title')} <span class="muted">(${t('quiz.progress', { n: done, total: quiz.questions.length })})</span></h3>
    ${quiz.open ? html`<p class="hint">${t('quiz.rule')}</p>` : html`<p class="muted">${t('quiz.closed')}</p>`}
    <ol class="questions">
      ${quiz.questions.map((q) => {
        const a = answers[q.id];
        if (a) {
          const chosen = q.options.find((o) => o.id === a.choice);
          const right = q.options.find((o) => o.id === a.answer);
          return html`<li key=${q.id} class=${`question card ${a.correct ? 'right' : 'wrong'}`}>
            <p class="q">${tx(q.question)}</p>
            <p><strong>${a.correct ? html`<span aria-hidden="true">✔ </span>${t('quiz.right')}` : html`<span aria-hidden="true">✘ </span>${t('quiz.wrong')}`}</strong>
              ${' '}${t('quiz.yourAnswer')} ${chosen ? tx(chosen.text) : a.choice}</p>
            ${!a.correct && right ? html`<p>${t('quiz.correctAnswer')} ${tx(right.text)}</p>` : null}
            <p class="explain">${tx(a.explanation)}</p>
          </li>`;
        }
        return html`<li key=${q.id} class="question card">
          <form onSubmit=${(e) => {
            e.preventDefault();
            if (choice[q.id]) run(session.send('quiz.answer', { questionId: q.id, optionId: choice[q.id] }));
          }}>
            <fieldset disabled=${!quiz.open}>
              <legend class="q">${tx(q.question)}</legend>
              ${ordered(q).map((o) => html`<label key=${o.id} class="option">
                <input type="radio" name=${`q-${q.id}`} value=${o.id} checked=${choice[q.id] === o.id}
                  onChange=${() => setChoice({ ...choice, [q.id]: o.id })} /> ${tx(o.text)}
              </label>`)}
              <button class="btn btn-primary btn-small" type="submit" disabled=${!choice[q.id]}>${t('quiz.answer')}</button>
            </fieldset>
          </form>
        </li>`;
      })}
    </ol>
  </section>`;
}

/** QuizBoard shows the teams' quiz scores. */
export function QuizBoard({ session, companies, top }) {
  const qs = session.docs.quizscores;
  if (!qs) return null;
  // A team's score is its right answers over the questions asked to the
  // members who took the quiz.
  const share = (s) => (s.asked ? s.correct / s.asked : 0);
  const rows = Object.entries(qs.teams || {}).sort((a, b) => share(b[1]) - share(a[1]));
  if (!rows.length) return null;
  // The projector shows the leaders only (top), saying how many follow.
  const shown = top ? rows.slice(0, top) : rows;
  return html`<table class="table">
    <caption>${t('quiz.scores')}${shown.length < rows.length ? html` <span class="muted">${t('screen.topTeams', { n: shown.length, total: rows.length })}</span>` : null}</caption>
    <thead><tr><th scope="col">${t('team')}</th><th scope="col">${t('quiz.score')}</th><th scope="col">${t('quiz.answered')}</th></tr></thead>
    <tbody>${shown.map(([k, s]) => {
      const [c, team] = k.split('/');
      return html`<tr key=${k}><th scope="row">${teamLabel(Number(c), team, companies)}</th>
        <td>${s.asked ? t('quiz.scoreOf', { correct: s.correct, asked: s.asked, pct: num(100 * share(s), 0) }) : '–'}</td><td>${s.answered}</td></tr>`;
    })}</tbody>
  </table>`;
}

/** PlayerStudy is the player's study phase, in three tabs. */
export function PlayerStudy({ session, game }) {
  const me = session.docs.me || {};
  const hasQuiz = !!(session.docs.quiz && session.docs.quiz.open);
  const [tab, setTab] = useState('brief');
  const tabs = [['brief', t('study.brief')], ['sheet', t('study.worksheet')]];
  if (hasQuiz) tabs.push(['quiz', t('quiz.title')]);
  const cur = tabs.some(([k]) => k === tab) ? tab : 'brief';
  return html`<section aria-labelledby="study-h">
    <h2 id="study-h">${t('phase.study')}</h2>
    <nav class="tabs" aria-label=${t('study.sections')}>
      ${tabs.map(([k, label]) => html`<button key=${k} type="button" class=${`tab${cur === k ? ' tab-on' : ''}`}
        aria-pressed=${cur === k ? 'true' : 'false'} onClick=${() => setTab(k)}>${label}</button>`)}
    </nav>
    ${cur === 'brief' ? html`<${TeamBrief} brief=${session.docs[`brief/${me.team}`]} product=${session.docs.product} />
      <${ProductBrief} product=${session.docs.product} />` : null}
    ${cur === 'sheet' ? html`<p class="lead">${t('study.sheetIntro', { team: teamName(me.team) })}</p>
      <${AddCard} session=${session} />
      <${Worksheet} session=${session} company=${me.company} team=${me.team} editable />` : null}
    ${cur === 'quiz' ? html`<${Quiz} session=${session} /><${QuizBoard} session=${session} companies=${game.companies} />` : null}
  </section>`;
}

/** WorksheetEditor is the worksheet with its add form, for later phases. */
export function WorksheetEditor({ session }) {
  const me = session.docs.me || {};
  return html`<details class="card">
    <summary>${t('study.worksheet')}</summary>
    <${AddCard} session=${session} />
    <${Worksheet} session=${session} company=${me.company} team=${me.team} editable />
  </details>`;
}

/** HostStudy shows every team's worksheet and the quiz scores. */
export function HostStudy({ session, game }) {
  const [sel, setSel] = useState('1/dev');
  const [c, team] = sel.split('/');
  const opts = [];
  for (let i = 1; i <= game.companies; i++) for (const tm of TEAMS) opts.push([`${i}/${tm}`, teamLabel(i, tm, game.companies)]);
  const counts = {};
  for (const card of session.list('card/')) counts[`${card.company}/${card.team}`] = (counts[`${card.company}/${card.team}`] || 0) + 1;
  return html`<section aria-labelledby="hstudy-h">
    <h2 id="hstudy-h">${t('phase.study')}</h2>
    <${QuizBoard} session=${session} companies=${game.companies} />
    <div class="field">
      <label for="ws-team">${t('study.showWorksheet')}</label>
      <select id="ws-team" value=${sel} onChange=${(e) => setSel(e.currentTarget.value)}>
        ${opts.map(([k, label]) => html`<option key=${k} value=${k}>${label} (${counts[k] || 0})</option>`)}
      </select>
    </div>
    <${Worksheet} session=${session} company=${Number(c)} team=${team} />
  </section>`;
}

/** ScreenStudy is the projector during the study: the product and the
 * progress of each team. */
export function ScreenStudy({ session, game }) {
  return html`<section class="screen-study">
    <h2>${t('phase.study')}</h2>
    <div class="screen-cols">
      <${ProductBrief} product=${session.docs.product} compact />
      <div><${QuizBoard} session=${session} companies=${game.companies} top=${12} /></div>
    </div>
  </section>`;
}
