// wall.js is the wall of confusion: players post anonymous notes aimed at
// the Devs or the Ops and vote for clusters; the facilitator groups, names
// and moderates; the projector shows it live.

import { html, useState, useRef, useLayoutEffect } from './deps.js';
import { t } from './i18n.js';
import { TextField, Choice, useDraft, run, byId, by, notify, useDocs } from './ui.js';

const MAX_NOTE = 140;

/** wallData sorts the wall's documents; cached until a note or a
 * cluster changes (the session counts changes per prefix). */
const cache = new WeakMap();
export function wallData(session) {
  const rev = `${session.prefixRev('note')}/${session.prefixRev('cluster')}/${session.version}`;
  const hit = cache.get(session);
  if (hit && hit.rev === rev) return hit.data;
  const data = computeWall(session);
  cache.set(session, { rev, data });
  return data;
}

function computeWall(session) {
  const notes = session.list('note/', byId);
  const clusters = session.list('cluster/', by('order'));
  const byCluster = new Map(clusters.map((c) => [c.id, []]));
  const loose = [];
  for (const n of notes) {
    if (n.cluster && byCluster.has(n.cluster)) byCluster.get(n.cluster).push(n);
    else loose.push(n);
  }
  return { notes, clusters, byCluster, loose };
}

export function targetLabel(target) { return target === 'ops' ? t('wall.toOps') : t('wall.toDevs'); }

export function Note({ note, children, big, extraClass, ...rest }) {
  return html`<li class=${`note note-${note.target}${note.hidden ? ' note-hidden' : ''}${big ? ' note-big' : ''}${extraClass || ''}`} ...${rest}>
    <span class="note-target">${targetLabel(note.target)}${note.hidden ? ` · ${t('wall.hidden')}` : ''}</span>
    <span class="note-text">${note.text}</span>
    ${children}
  </li>`;
}

/** PlayerWall is the player's wall: post a note, vote for clusters. */
export function PlayerWall({ session }) {
  useDocs(session, ['note/', 'cluster/', 'me'], BUSY_REDRAW_MS);
  const gameId = session.gameId;
  const me = session.docs.me || {};
  const mine = (me.extra && me.extra.wall) || { voted: [], votesLeft: 3, notes: 0 };
  const [text, setText] = useDraft(gameId, 'note');
  const [target, setTarget] = useDraft(gameId, 'noteTarget', 'devs');
  const [busy, setBusy] = useState(false);
  const { clusters, byCluster, loose } = wallData(session);

  async function post(e) {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    const r = await run(session.send('note.add', { text: text.trim(), target }));
    setBusy(false);
    if (r) {
      setText('');
      notify(t('wall.posted'));
    }
  }

  return html`<section aria-labelledby="wall-h">
    <h2 id="wall-h">${t('phase.wall')}</h2>
    <p class="lead">${t('wall.intro')}</p>
    <form class="card form" onSubmit=${post}>
      <${Choice} legend=${t('wall.target')} name="target" value=${target} onChange=${setTarget}
        options=${[{ value: 'devs', label: t('wall.toDevs') }, { value: 'ops', label: t('wall.toOps') }]} />
      <${TextField} label=${t('wall.note')} value=${text} onInput=${setText} max=${MAX_NOTE} rows=${3} name="note"
        hint=${t('wall.noteHint')} />
      <button class="btn btn-primary" type="submit" disabled=${busy || !text.trim()}>${t('wall.post')}</button>
      <p class="muted">${t('wall.mine', { n: mine.notes })}</p>
    </form>
    <h3>${t('wall.clusters')}</h3>
    <p class="muted" aria-live="polite">${t('wall.votesLeft', { n: mine.votesLeft })}</p>
    ${clusters.length === 0 ? html`<p class="muted">${t('wall.noClusters')}</p>` : null}
    <ul class="clusters">
      ${clusters.map((c) => {
        const voted = (mine.voted || []).includes(c.id);
        return html`<li key=${c.id} class="cluster card">
          <div class="cluster-head">
            <h4>${c.name}</h4>
            <span class="votes">${t('wall.votes', { n: c.votes })}</span>
            <button type="button" class=${`btn btn-small${voted ? ' btn-on' : ''}`} aria-pressed=${voted ? 'true' : 'false'}
              disabled=${!voted && mine.votesLeft <= 0}
              onClick=${() => run(session.send(voted ? 'cluster.unvote' : 'cluster.vote', { clusterId: c.id }))}>
              ${voted ? t('wall.unvote') : t('wall.vote')}<span class="sr-only"> ${c.name}</span>
            </button>
          </div>
          <${Capped} list=${byCluster.get(c.id)} max=${6} render=${(n) => html`<${Note} key=${n.id} note=${n} />`} />
        </li>`;
      })}
    </ul>
    <${LooseNotes} loose=${loose} max=${20} />
  </section>`;
}


/** Capped shows the first max items of a long list and a button for the
 * rest, so that a wall of 2,000 notes stays a page a phone can scroll. */
export function Capped({ list, max, render }) {
  const [all, setAll] = useState(false);
  const shown = all ? list : list.slice(0, max);
  return html`<ul class="notes">${shown.map(render)}</ul>
    ${list.length > max ? html`<button type="button" class="btn btn-small btn-link" aria-expanded=${all ? 'true' : 'false'}
      onClick=${() => setAll(!all)}>${all ? t('wall.fewer') : t('wall.more', { n: list.length - max })}</button>` : null}`;
}

/** LooseNotes shows the notes not grouped yet, newest first, in two
 * columns (to the Devs, to the Ops). */
export function LooseNotes({ loose, big, max = 40, renderNote }) {
  if (!loose.length) return null;
  const newest = [...loose].reverse();
  const devs = newest.filter((n) => n.target === 'devs');
  const ops = newest.filter((n) => n.target === 'ops');
  const one = renderNote || ((n) => html`<${Note} key=${n.id} note=${n} big=${big} />`);
  return html`<div class="wall-columns">
    <div><h3>${t('wall.toDevs')} (${devs.length})</h3><${Capped} list=${devs} max=${max} render=${one} /></div>
    <div><h3>${t('wall.toOps')} (${ops.length})</h3><${Capped} list=${ops} max=${max} render=${one} /></div>
  </div>`;
}

// Projector --------------------------------------------------------------

const SCREEN_MAX_NOTES = 72; // never more on one screen, whatever the wall holds
// The projector redraws a busy wall at most this often: a change still
// shows within a fraction of a second, and the page keeps up at 50 a
// second.
export const BUSY_REDRAW_MS = 250;
const FONT_MAX = 1.6; // rem
const FONT_MIN = 0.85;

/** ScreenWall is the projector's live wall. It always fits the screen:
 * clusters flow in columns (a large one continues in the next column
 * rather than being cut), the type shrinks until everything fits, and
 * when even the smallest readable type is not enough the oldest loose
 * notes and the tails of big clusters give way, each replaced by a count. */
export function ScreenWall({ session }) {
  useDocs(session, ['note/', 'cluster/'], BUSY_REDRAW_MS);
  const { clusters, byCluster, loose, notes } = wallData(session);
  const ref = useRef(null);
  const size = useRef(FONT_MAX);
  const [limit, setLimit] = useState(SCREEN_MAX_NOTES);
  const ranked = [...clusters].sort((a, b) => b.votes - a.votes || a.order - b.order);
  // Share the room: every cluster keeps at least a few notes, loose notes
  // (newest first) take what is left.
  const visible = notes.filter((n) => !n.hidden);
  const perCluster = Math.max(3, Math.floor(limit / Math.max(1, ranked.length + 1)));
  const needed = ranked.reduce((a, c) => a + byCluster.get(c.id).length, 0) + loose.length;
  const capped = needed > limit;
  const inClusters = ranked.reduce((a, c) => a + Math.min(perCluster, byCluster.get(c.id).length), 0);
  const looseShown = [...loose].reverse().slice(0, capped ? Math.max(12, limit - inClusters) : loose.length);
  useLayoutEffect(() => {
    const sec = ref.current;
    const el = sec && sec.querySelector('.wall-flow');
    if (!el) return;
    // The notes flow down fixed-height columns: what does not fit makes
    // more columns than the screen is wide.
    el.style.height = `${Math.max(200, window.innerHeight - el.getBoundingClientRect().top - 8)}px`;
    const fits = (rem) => {
      el.style.setProperty('--wall-size', `${rem}rem`);
      return el.scrollWidth <= el.clientWidth + 1;
    };
    // A wall mostly grows: keep the size found last time when it still
    // fits (one layout). Else guess from the overflow (the room a note
    // takes grows with the square of the type size) and check in the next
    // frame: one layout a frame, never a long task of several.
    let frame = 0;
    const step = () => {
      frame = 0;
      if (fits(size.current)) return;
      if (size.current <= FONT_MIN + 0.01) {
        // Already the smallest readable type: show fewer notes, in
        // proportion to the overflow, rather than lay the wall out again
        // and again.
        if (limit > 24) setLimit(Math.max(24, Math.floor((limit * el.clientWidth) / el.scrollWidth) - 1));
        return;
      }
      size.current = Math.max(FONT_MIN, Math.min(size.current * 0.92, size.current * Math.sqrt(el.clientWidth / el.scrollWidth)));
      el.style.setProperty('--wall-size', `${size.current}rem`);
      frame = requestAnimationFrame(step);
    };
    step();
    return () => cancelAnimationFrame(frame);
  });
  const more = (n) => (n > 0 ? html`<li class="note-more">${t('wall.more', { n })}</li>` : null);
  return html`<section class="screen-wall" aria-labelledby="wall-h" ref=${ref}>
    <h2 id="wall-h">${t('phase.wall')} <span class="muted">· ${t('wall.count', { n: visible.length })}</span></h2>
    <div class="wall-flow">
      ${ranked.map((c) => {
        const list = byCluster.get(c.id);
        const shown = capped ? list.slice(0, perCluster) : list;
        return html`<section key=${c.id} class="cluster card">
          <div class="cluster-head"><h3>${c.name}</h3><span class="votes">${t('wall.votes', { n: c.votes })}</span></div>
          <ul class="notes">${shown.map((n) => html`<${Note} key=${n.id} note=${n} big />`)}${more(list.length - shown.length)}</ul>
        </section>`;
      })}
      ${loose.length ? html`<section class="cluster card loose">
        <div class="cluster-head"><h3>${t('wall.ungrouped')}</h3><span class="votes">${t('wall.count', { n: loose.length })}</span></div>
        <ul class="notes">${looseShown.map((n) => html`<${Note} key=${n.id} note=${n} big />`)}${more(loose.length - looseShown.length)}</ul>
      </section>` : null}
    </div>
  </section>`;
}
