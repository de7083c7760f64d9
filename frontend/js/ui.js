// ui.js holds the pieces every screen shares: the session hook, the
// header with connection status and language switch, the timer, notices,
// text fields whose drafts survive a reload, and small helpers.

import { html, h, Component, useState, useEffect, useRef, useCallback } from './deps.js';
import { t, lang, setLang, onLang, errText } from './i18n.js';
import { draft, saveDraft } from './storage.js';

export { TEAMS } from './vocab.js';

/** useSession re-renders the component when the session changes: the
 * connection status, the language, and the documents whose key starts
 * with one of prefixes (every document when none is given). Changes come
 * at most once per animation frame (session.js), so a component that
 * names what it shows is not redrawn for the rest of a busy game. Effects
 * run after the first paint, and the session is already connecting by
 * then: a change that came in between (the snapshot, on a fast network)
 * is caught up on when subscribing, else the page would show "Loading…"
 * until the next one. */
export function useSession(session, prefixes, every = 0) {
  const [, setTick] = useState(0);
  const rendered = useRef(null);
  rendered.current = { rev: session ? session.rev : 0, lang: lang(), at: performance.now() };
  // undefined: every document; []: none (the status and the language only).
  const key = prefixes ? prefixes.join(' ') : null;
  useEffect(() => {
    let timer = 0;
    const now = () => setTick((n) => n + 1);
    // every: at most one redraw per that many ms (a busy wall on a
    // projector need not redraw 60 times a second to be on time).
    const bump = every ? () => {
      if (timer) return;
      const wait = rendered.current.at + every - performance.now();
      if (wait <= 0) now();
      else timer = setTimeout(() => { timer = 0; now(); }, wait);
    } : now;
    const watch = key === null ? null : key.split(' ').filter(Boolean);
    const un1 = session ? session.subscribe((_, changed) => {
      if (!changed) {
        // The status, an answer to this page's own command, a snapshot:
        // at once.
        now();
        return;
      }
      if (!watch) {
        bump();
        return;
      }
      for (const k of changed) {
        for (const p of watch) {
          if (k.startsWith(p)) {
            bump();
            return;
          }
        }
      }
    }) : () => {};
    const un2 = onLang(now);
    if ((session && session.rev !== rendered.current.rev) || lang() !== rendered.current.lang) now();
    return () => { un1(); un2(); clearTimeout(timer); };
  }, [session, key, every]);
  return session;
}

/** memo returns a component that redraws only when one of its props
 * changes (or when it asks itself, through useSession/useDocs): a busy
 * parent does not redraw a part of the page whose documents stayed the
 * same. */
export function memo(fn) {
  class Memo extends Component {
    shouldComponentUpdate(next) {
      for (const k in next) if (next[k] !== this.props[k]) return true;
      for (const k in this.props) if (!(k in next)) return true;
      return false;
    }

    render(props) { return h(fn, props); }
  }
  Memo.displayName = `Memo(${fn.name})`;
  return Memo;
}

/** useDocs is useSession for a part of a page: it redraws the component
 * only for changes of the documents it shows. */
export function useDocs(session, prefixes, every) { return useSession(session, prefixes, every); }

/** useLang re-renders the component when the language changes (a change
 * between the render and the subscription included). */
export function useLang() {
  const [, setTick] = useState(0);
  const rendered = lang();
  useEffect(() => {
    const un = onLang(() => setTick((n) => n + 1));
    if (lang() !== rendered) setTick((n) => n + 1);
    return un;
  }, []);
  return lang();
}

// Notices: one shared polite live region for confirmations and one
// assertive one for errors.
const noticeListeners = new Set();
let notices = [];
let noticeSeq = 0;

export function notify(text, kind = 'info') {
  const id = ++noticeSeq;
  notices = [...notices.slice(-3), { id, text, kind }];
  for (const fn of noticeListeners) fn();
  setTimeout(() => {
    notices = notices.filter((n) => n.id !== id);
    for (const fn of noticeListeners) fn();
  }, kind === 'error' ? 8000 : 4000);
}

export function notifyError(e) { notify(errText(e), 'error'); }

/** run awaits a command and reports a refusal as an error notice; it
 * returns the result, or undefined when refused. */
export async function run(promise, okText) {
  try {
    const r = await promise;
    if (okText) notify(okText);
    return r;
  } catch (e) {
    notifyError(e);
    return undefined;
  }
}

export function Notices() {
  const [, setTick] = useState(0);
  const shown = notices;
  useEffect(() => {
    const fn = () => setTick((n) => n + 1);
    noticeListeners.add(fn);
    if (notices !== shown) fn(); // one came before this subscription
    return () => noticeListeners.delete(fn);
  }, []);
  const errors = notices.filter((n) => n.kind === 'error');
  const infos = notices.filter((n) => n.kind !== 'error');
  return html`<div class="notices">
    <div role="alert" aria-live="assertive">${errors.map((n) => html`<p key=${n.id} class="notice notice-error"><span aria-hidden="true">⚠ </span>${n.text}</p>`)}</div>
    <div role="status" aria-live="polite">${infos.map((n) => html`<p key=${n.id} class="notice"><span aria-hidden="true">✓ </span>${n.text}</p>`)}</div>
  </div>`;
}

export function LangSwitch() {
  const l = useLang();
  const other = l === 'fr' ? 'en' : 'fr';
  // The visible text (FR/EN) starts the accessible name; the rest says,
  // in the other language, what the button does.
  return html`<button type="button" class="btn btn-small lang-switch" onClick=${() => setLang(other)}>
    <span lang=${other}>${other.toUpperCase()}</span><span class="sr-only" lang=${other}> – ${t('lang.switch')}</span>
  </button>`;
}

/** ConnBadge shows the connection state in words and with a shape, never
 * by colour alone. */
export function ConnBadge({ session }) {
  const [, setTick] = useState(0);
  useEffect(() => {
    if (session.status !== 'offline') return undefined;
    const id = setInterval(() => setTick((n) => n + 1), 1000);
    return () => clearInterval(id);
  }, [session.status]);
  // The live region only says what matters (online, offline, gone); the
  // count of changes being sent is shown but not announced at every
  // command.
  let text;
  let icon;
  let extra = '';
  switch (session.status) {
    case 'online':
      icon = '●';
      text = t('conn.online');
      if (session.unsent()) {
        extra = t(session.storeBusy() ? 'conn.waiting' : 'conn.sending', { n: session.unsent() });
      }
      break;
    case 'offline': {
      icon = '○';
      const s = Math.max(0, Math.ceil(((session.nextRetryAt || 0) - Date.now()) / 1000));
      text = t('conn.reconnecting');
      extra = s > 0 ? t('conn.retryIn', { s }) : '';
      if (session.unsent()) extra += `${extra ? ' · ' : ''}${t('conn.waiting', { n: session.unsent() })}`;
      break;
    }
    case 'revoked':
      icon = '✕';
      text = t('conn.revoked');
      break;
    default:
      icon = '◌';
      text = t('conn.connecting');
  }
  return html`<span class=${`conn conn-${session.status}`} data-testid="conn">
    <span role="status"><span aria-hidden="true" class="conn-icon">${icon}</span> ${text}</span>
    ${extra ? html`<span class="conn-extra" aria-hidden="true"> · ${extra}</span>` : null}
    ${session.status === 'offline' ? html` <button type="button" class="btn btn-link" onClick=${() => session.connectNow()}>${t('conn.retryNow')}</button>` : null}
  </span>`;
}

function fmtClock(ms) {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** remaining returns the milliseconds left on a clock, or null for none. */
export function remaining(clock, session) {
  if (!clock) return null;
  if (clock.paused) return clock.remainingMs || 0;
  if (!clock.deadlineMs) return null;
  return Math.max(0, clock.deadlineMs - session.serverNow());
}

/** Timer counts down a game clock, corrected for the skew between this
 * device and the server. */
export function Timer({ clock, session, label, big }) {
  const [, setTick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setTick((n) => n + 1), 500);
    return () => clearInterval(id);
  }, []);
  const ms = remaining(clock, session);
  if (ms === null) return null;
  const low = !clock.paused && ms < 30000;
  return html`<div class=${`timer${big ? ' timer-big' : ''}${low ? ' timer-low' : ''}${clock.paused ? ' timer-paused' : ''}`} data-testid="timer">
    <span class="timer-label">${label || t('timer.left')}</span>
    <span class="timer-value" role="timer" aria-label=${`${label || t('timer.left')} ${fmtClock(ms)}`}>${fmtClock(ms)}</span>
    ${clock.paused ? html`<span class="timer-state">${t('timer.paused')}</span>` : null}
    ${!clock.paused && ms === 0 ? html`<span class="timer-state">${t('timer.over')}</span>` : null}
  </div>`;
}

/** useDraft is a piece of state kept in localStorage while it is being
 * typed, so that a reload or a crash loses nothing. */
export function useDraft(gameId, field, initial = '') {
  const [value, setValue] = useState(() => {
    const d = draft(gameId, field);
    return d === null ? initial : d;
  });
  const set = useCallback((v) => {
    setValue(v);
    saveDraft(gameId, field, v);
  }, [gameId, field]);
  return [value, set];
}

let fieldSeq = 0;
/** useId returns an id unique in the page, for label/input pairs. */
export function useId(prefix = 'f') {
  const ref = useRef(null);
  if (ref.current === null) ref.current = `${prefix}-${++fieldSeq}`;
  return ref.current;
}

/** TextField is a labelled text input or textarea with a character count. */
export function TextField({ label, value, onInput, max, rows, required, hint, name, autocomplete, inputmode, autofocus, id: givenId, disabled, onKeyDown }) {
  const autoId = useId(name || 'field');
  const id = givenId || autoId;
  const hintId = `${id}-hint`;
  const count = max ? html`<span class="count" aria-hidden="true">${value.length}/${max}</span>` : null;
  const common = {
    id, name, value, required, disabled, maxLength: max, autocomplete, inputMode: inputmode, autoFocus: autofocus, onKeyDown,
    'aria-describedby': hint ? hintId : undefined,
    onInput: (e) => onInput(e.currentTarget.value),
  };
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${rows ? html`<textarea rows=${rows} ...${common}></textarea>` : html`<input type="text" ...${common} />`}
    <div class="field-foot">${hint ? html`<span id=${hintId} class="hint">${hint}</span>` : html`<span></span>`}${count}</div>
  </div>`;
}

/** Choice is a group of radio buttons drawn as buttons. */
export function Choice({ legend, name, options, value, onChange, disabled, small }) {
  return html`<fieldset class=${`choice${small ? ' choice-small' : ''}`}>
    <legend>${legend}</legend>
    <div class="choice-options">
      ${options.map((o) => html`<label key=${o.value} class=${`choice-option${value === o.value ? ' checked' : ''}`}>
        <input type="radio" name=${name} value=${o.value} checked=${value === o.value} disabled=${disabled || o.disabled}
          onChange=${() => onChange(o.value)} />
        <span>${value === o.value ? html`<span aria-hidden="true">✓ </span>` : null}${o.label}</span>
      </label>`)}
    </div>
  </fieldset>`;
}

export function teamName(team) { return t(`team.${team}`); }

export function teamLabel(company, team, companies) {
  return companies > 1 ? t('team.inCompany', { team: teamName(team), company }) : teamName(team);
}

/** teamKeyLabel names a team from its key "1/dev". */
export function teamKeyLabel(key, companies) {
  const [c, team] = String(key).split('/');
  return teamLabel(Number(c), team, companies);
}

export function phaseName(kind) { return t(`phase.${kind}`); }

/** currentPhase returns the agenda entry being played, or null. */
export function currentPhase(game) {
  if (!game || !game.agenda) return null;
  if (game.status === 'lobby') return game.agenda[0] || { kind: 'lobby' };
  if (game.status === 'finished') return { kind: 'retro', finished: true };
  return game.agenda[game.phase] || null;
}

/** timerLabel names what the clock of the current phase measures. */
export function timerLabel(ph, sprint, debate) {
  if (ph && ph.kind === 'debate') return debate && debate.turn === 'rebuttal' ? t('timer.rebuttal') : t('timer.speaker');
  if (ph && ph.kind === 'sprints' && sprint && sprint.step === 'incident') return t('timer.incident');
  if (ph && ph.kind === 'sprints' && sprint && sprint.step === 'planning') return t('timer.planning');
  return undefined;
}

/** Header is the top bar of every screen. */
export function Header({ session, title, extra }) {
  return html`<header class="topbar">
    <div class="topbar-title">${title}</div>
    <div class="topbar-tools">${extra}${session ? html`<${ConnBadge} session=${session} />` : null}<${LangSwitch} /></div>
  </header>`;
}

/** revokedWhy says why the token stopped working, in the page's language:
 * the server's refusal when it sent one (an error before closing), else
 * the facilitator removed this seat (the only close without one). */
function revokedWhy(session) {
  if (session.lastError) return errText(session.lastError);
  return session.closeReason ? t('revoked.kicked') : '';
}

/** Revoked explains that the token no longer works and offers a way back. */
export function Revoked({ session, backHref, backLabel }) {
  return html`<main id="main" class="page narrow">
    <h1>${t('revoked.title')}</h1>
    <p>${t('revoked.text')}</p>
    ${session ? html`<p class="muted">${revokedWhy(session)}</p>` : null}
    <p><a class="btn btn-primary" href=${backHref}>${backLabel}</a></p>
  </main>`;
}

/** byOrder sorts documents by a numeric or string field. */
export function by(field) {
  return (a, b) => (a[field] < b[field] ? -1 : a[field] > b[field] ? 1 : 0);
}

/** idNum orders ids like "n12" by their number. */
export function idNum(id) { return Number(String(id).replace(/^\D+/, '')) || 0; }

export function byId(a, b) { return idNum(a.id) - idNum(b.id); }

/** Modal-free confirmation. */
export function confirmAction(text) { return window.confirm(text); }

export function Loading() {
  return html`<main id="main" class="page narrow"><p role="status">${t('loading')}</p></main>`;
}

export function SkipLink() {
  return html`<a class="skip-link" href="#main">${t('skip')}</a>`;
}

/** stepName is the name of a sprint's step ("Planning"). */
export function stepName(step) { return t(`sprint.step.${step}`); }

/** sprintTitle is "Sprint 2 of 4 · Planning". */
export function sprintTitle(sprint) {
  if (!sprint) return '';
  return `${t('sprint.nOf', { n: sprint.sprint, total: sprint.of })} · ${stepName(sprint.step)}`;
}
