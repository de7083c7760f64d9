// screen.js is the projector view (big screen, read-only): the join code
// and its QR code, the timer and the live picture of the current phase.
// Its token comes in the URL fragment (never sent to the server) and is
// then kept in this browser and removed from the address bar.

import { html, h, render, useEffect, useRef, useLayoutEffect } from './deps.js';
import { t, langChosen, setLang, scopeLang } from './i18n.js';
import { Session } from './session.js';
import { seat, saveSeat, dropSeat } from './storage.js';
import {
  Notices, Timer, useSession, useDocs, memo, ConnBadge, LangSwitch, currentPhase, phaseName, TEAMS, teamName, timerLabel,
} from './ui.js';
import { sprintTitle } from './sprints.js';
import { ScreenWall, BUSY_REDRAW_MS } from './wall.js';
import { ScreenStudy } from './study.js';
import { ScreenDebate, turnTimerLabel } from './debate.js';
import { ScreenSprints } from './sprints.js';
import { Retro } from './retro.js';
import { loadVocab } from './vocab.js';
import { useJoinAddress } from './lan.js';

scopeLang('screen');

const frag = new URLSearchParams(location.hash.slice(1));
const query = new URLSearchParams(location.search);
const gameId = frag.get('g') || query.get('g') || '';
if (gameId && frag.get('t')) {
  saveSeat('projector', gameId, { token: frag.get('t') });
  history.replaceState(null, '', `/screen?g=${encodeURIComponent(gameId)}`);
}
const mySeat = gameId ? seat('projector', gameId) : null;

function JoinPanel({ game, big }) {
  const addr = useJoinAddress(game.code);
  return html`<div class=${`join-panel${big ? ' join-panel-big' : ''}`}>
    <img class="qr" src=${addr.qr} alt=${t('qr.alt', { code: game.code })} width="240" height="240" />
    <div>
      <p class="join-how">${t('screen.joinAt', { host: addr.origin.replace(/^https?:\/\//, '') })}</p>
      <p class="code code-huge" data-testid="join-code" aria-label=${t('screen.codeLabel', { code: game.code.split('').join(' ') })}>${game.code}</p>
      ${addr.unreachable && big ? html`<p class="warn">${t('lan.none')}</p>` : null}
    </div>
  </div>`;
}

// A team's names the lobby shows at most (1080p, under the join panel):
// at an event of hundreds the rest is counted, the screen never cut.
const LOBBY_NAMES = 16;

function Lobby({ session, game }) {
  useDocs(session, ['player/'], BUSY_REDRAW_MS);
  const players = session.list('player/');
  return html`<section class="screen-lobby">
    <${JoinPanel} game=${game} big />
    <h2>${t('screen.players', { n: players.length })}</h2>
    <div class="team-grid team-grid-screen">
      ${TEAMS.map((tm) => {
        const team = players.filter((p) => p.team === tm);
        // The latest to join first: they are the ones looking for their name.
        const shown = team.slice(-LOBBY_NAMES).reverse();
        return html`<div key=${tm} class="card">
          <h3>${teamName(tm)} <span class="muted">(${team.length})</span></h3>
          <ul class="plain names">${shown.map((p) => html`<li key=${p.id}>${p.nickname}</li>`)}
            ${team.length > shown.length ? html`<li class="muted">${t('screen.morePlayers', { n: team.length - shown.length })}</li>` : null}</ul>
        </div>`;
      })}
    </div>
  </section>`;
}

function ScreenRetro({ session, game }) {
  useDocs(session, undefined, BUSY_REDRAW_MS);
  return html`<${Retro} session=${session} game=${game} role="projector" />`;
}

function ScreenStudyAll({ session, game }) {
  useDocs(session, undefined, BUSY_REDRAW_MS);
  return html`<${ScreenStudy} session=${session} game=${game} />`;
}

function ScreenDebateAll({ session, game }) {
  useDocs(session, ['debate', 'question/', 'card/', 'evidence/'], BUSY_REDRAW_MS);
  return html`<${ScreenDebate} session=${session} game=${game} />`;
}

const VIEWS = {
  lobby: Lobby, wall: ScreenWall, study: ScreenStudyAll, sprints: ScreenSprints, debate: ScreenDebateAll, retro: ScreenRetro,
};

// Nobody scrolls a projector: a view taller than the room under the header
// is scaled down as a whole, never below this (the type stays readable).
const MIN_SCALE = 0.72;

/** Fit keeps the phase's view on the screen. It follows the view's size
 * (a ResizeObserver: no work when nothing grows) and scales it down with a
 * transform, which leaves the layout, and so the measure, unchanged. */
function Fit({ children }) {
  const ref = useRef(null);
  useLayoutEffect(() => {
    const el = ref.current;
    const room = el.parentElement;
    let scale = 1;
    const fit = () => {
      const cs = getComputedStyle(room);
      const avail = room.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom);
      const need = el.offsetHeight;
      const s = need > avail + 1 ? Math.max(MIN_SCALE, avail / need) : 1;
      if (Math.abs(s - scale) < 0.002) return;
      scale = s;
      el.style.transform = s < 1 ? `scale(${s.toFixed(4)})` : '';
      el.dataset.scale = s.toFixed(3);
    };
    const ro = new ResizeObserver(fit);
    ro.observe(el);
    ro.observe(room);
    return () => ro.disconnect();
  }, []);
  return html`<div class="screen-fit" ref=${ref}>${children}</div>`;
}

/** Body draws the current phase; it redraws for its own documents only
 * (each view follows them), not for every change of the game. */
const Body = memo(({ session, game, kind }) => (VIEWS[kind] ? h(VIEWS[kind], { session, game }) : null));

function App({ session }) {
  useSession(session, ['game', 'sprint', 'debate']);
  const game = session.docs.game;
  useEffect(() => {
    if (game && !langChosen() && game.lang) setLang(game.lang, false);
  }, [game && game.lang]);
  if (session.status === 'revoked') {
    dropSeat('projector', gameId);
    return html`<main id="main" class="page narrow"><h1>${t('revoked.title')}</h1><p>${t('screen.revoked')}</p></main>`;
  }
  if (!game) return html`<main id="main" class="page narrow"><h1>DevOps Challenge</h1><p role="status">${t('loading')}</p></main>`;
  const ph = currentPhase(game);
  const sprint = session.docs.sprint;
  return html`<div class="screen">
    <header class="screen-top">
      <div class="screen-title"><h1>${game.title}</h1>
        <p class="screen-phase" data-testid="stage">${ph.kind === 'sprints' && sprint ? html`<strong>${sprintTitle(sprint)}</strong>` : phaseName(ph.kind)}</p></div>
      <${Timer} clock=${game.clock} session=${session} big label=${ph.kind === 'debate' ? turnTimerLabel(session.docs.debate) : timerLabel(ph, session.docs.sprint)} />
      ${ph.kind !== 'lobby' ? html`<${JoinPanel} game=${game} />` : null}
      <div class="screen-tools"><${ConnBadge} session=${session} /><${LangSwitch} /></div>
    </header>
    <main id="main" class="screen-main"><${Fit}><${Body} session=${session} game=${game} kind=${ph.kind} /><//></main>
    <${Notices} />
  </div>`;
}

await loadVocab();
if (!mySeat) {
  render(html`<main id="main" class="page narrow"><h1>DevOps Challenge</h1><p>${t('screen.noToken')}</p><p><a href="/host">${t('screen.toHost')}</a></p></main>`,
    document.getElementById('app'));
} else {
  const session = new Session({ gameId, token: mySeat.token, role: 'projector' });
  session.start();
  window.dcSession = session;
  render(html`<${App} session=${session} />`, document.getElementById('app'));
}
