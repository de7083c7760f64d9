// play.js is the player view (phone first): every phase from the lobby to
// the retrospective, for the player whose token this browser holds.

import { html, render, useEffect, useRef, useState } from './deps.js';
import { t, num } from './i18n.js';
import { Session } from './session.js';
import { seat, dropSeat } from './storage.js';
import {
  Header, Notices, Timer, useSession, Revoked, Loading, SkipLink, Choice, run, notify,
  teamName, teamLabel, currentPhase, phaseName, TEAMS, timerLabel, sprintTitle,
} from './ui.js';
import { loadVocab } from './vocab.js';

// The modules of each phase load when the game reaches it (and the next
// phase's in the background), so that a phone joining in the lobby
// downloads only what the lobby shows.
const PHASE_MODULES = {
  wall: ['wall'], study: ['study'], sprints: ['sprints', 'study'], debate: ['debate', 'study'], retro: ['retro'],
};
const loaded = new Map(); // name → {mod, promise}

function loadModule(name) {
  let m = loaded.get(name);
  if (!m) {
    m = { mod: null };
    m.promise = import(`./${name}.js`).then((mod) => { m.mod = mod; });
    loaded.set(name, m);
  }
  return m;
}

/** usePhaseModules returns the modules of a phase kind once they have
 * loaded (null until then), and prefetches those of the next phase. */
function usePhaseModules(kind, nextKind) {
  const names = PHASE_MODULES[kind] || [];
  const mods = names.map(loadModule);
  const ready = mods.every((m) => m.mod);
  const [, redraw] = useState(0);
  useEffect(() => {
    if (!ready) Promise.all(mods.map((m) => m.promise)).then(() => redraw((n) => n + 1), () => redraw((n) => n + 1));
    // A prefetch that fails (the phone is offline) is forgotten: the
    // phase loads its modules again when it comes.
    for (const n of PHASE_MODULES[nextKind] || []) {
      const m = loadModule(n);
      m.promise.catch(() => { if (loaded.get(n) === m) loaded.delete(n); });
    }
  }, [kind, nextKind, ready]);
  return ready ? Object.assign({}, ...mods.map((m) => m.mod)) : null;
}

const gameId = new URLSearchParams(location.search).get('g') || '';
const mySeat = gameId ? seat('player', gameId) : null;

function Lobby({ session, game }) {
  const me = session.docs.me || {};
  const players = session.list('player/').filter((p) => p.company === me.company);
  return html`<section aria-labelledby="lobby-h">
    <h2 id="lobby-h">${t('lobby.welcome', { name: me.nickname })}</h2>
    <p class="lead">${t('lobby.youAre', { team: teamLabel(me.company, me.team, game.companies) })}</p>
    ${game.assignment === 'choice' ? html`<${Choice} legend=${t('lobby.changeTeam')} name="myteam" value=${me.team}
      onChange=${(tm) => run(session.send('player.team', { team: tm }))}
      options=${TEAMS.map((tm) => ({ value: tm, label: teamName(tm) }))} />` : html`<p class="muted">${t('lobby.auto')}</p>`}
    <p>${t('lobby.wait')}</p>
    <h3>${game.companies > 1 ? t('lobby.yourCompany', { n: me.company }) : t('lobby.players')}</h3>
    <div class="team-grid">
      ${TEAMS.map((tm) => html`<div key=${tm} class="card">
        <h4>${teamName(tm)}</h4>
        <ul class="plain">${players.filter((p) => p.team === tm).map((p) => html`<li key=${p.id}>${p.nickname}${p.id === me.playerId ? ` (${t('you')})` : ''}</li>`)}</ul>
      </div>`)}
    </div>
  </section>`;
}

/** GameOver tells a player the game has ended, with their team's place,
 * above the results they can still read. */
function GameOver({ session, game }) {
  const me = session.docs.me || {};
  const res = session.docs.results;
  const mine = res && res.ranking ? res.ranking.teams.find((r) => Number(r.company) === me.company && r.team === me.team) : null;
  return html`<section class="card game-over" aria-labelledby="over-h" data-testid="game-over">
    <h2 id="over-h">${t('over.title')}</h2>
    ${mine ? html`<p class="lead">${t('over.place', { team: teamLabel(me.company, me.team, game.companies), n: mine.rank, total: res.ranking.teams.length, mark: num(mine.final, 1) })}</p>` : null}
    <p>${t('over.thanks')}</p>
    <p class="hint">${t('over.keep')}</p>
  </section>`;
}

function PhaseBody({ session, game }) {
  const ph = currentPhase(game);
  const next = game.agenda && game.status !== 'finished' ? game.agenda[game.phase + 1] : null;
  const mods = usePhaseModules(ph ? ph.kind : '', next ? next.kind : '');
  if (!ph) return html`<p>${t('loading')}</p>`;
  if (PHASE_MODULES[ph.kind] && !mods) return html`<${Loading} />`;
  const {
    PlayerWall, PlayerStudy, WorksheetEditor, PlayerSprints, PlayerDebate, Retro,
  } = mods || {};
  switch (ph.kind) {
    case 'lobby': return html`<${Lobby} session=${session} game=${game} />`;
    case 'wall': return html`<${PlayerWall} session=${session} />`;
    case 'study': return html`<${PlayerStudy} session=${session} game=${game} />`;
    case 'sprints': return html`<${PlayerSprints} session=${session} game=${game} /><${WorksheetEditor} session=${session} />`;
    case 'debate': return html`<${PlayerDebate} session=${session} game=${game} /><${WorksheetEditor} session=${session} />`;
    case 'retro': return html`${game.status === 'finished' ? html`<${GameOver} session=${session} game=${game} />` : null}<${Retro} session=${session} game=${game} role="player" />`;
    default: return html`<p>${phaseName(ph.kind)}</p>`;
  }
}

function App({ session }) {
  // A phone at an event of 240 gets every note: it redraws at most four
  // times a second for others' changes, at once for its own.
  useSession(session, undefined, 250);
  const game = session.docs.game;
  const me = session.docs.me || {};
  const lastPhase = useRef(null);
  const ph = currentPhase(game);
  const phaseKey = game ? `${game.status}:${game.phase}` : '';
  useEffect(() => {
    if (!game) return;
    if (lastPhase.current && lastPhase.current !== phaseKey) {
      notify(t('phase.now', { phase: phaseName(ph.kind) }));
      window.scrollTo(0, 0);
    }
    lastPhase.current = phaseKey;
  }, [phaseKey]);
  if (session.status === 'revoked') {
    dropSeat('player', gameId);
    return html`<${Revoked} session=${session} backHref=${`/join${mySeat && mySeat.code ? `?code=${mySeat.code}` : ''}`} backLabel=${t('revoked.rejoin')} />`;
  }
  if (!game) return html`<${Header} session=${session} title="DevOps Challenge" /><${Loading} />`;
  const idx = game.status === 'finished' ? game.agenda.length : game.phase + 1;
  return html`<${SkipLink} />
    <div class="sticky-head">
    <${Header} session=${session} title=${html`<span class="brand">${game.title}</span>`} />
    <div class="phasebar">
      <div>
        <span class="phase-name">${phaseName(ph.kind)}</span>
        ${ph.kind === 'sprints' && session.docs.sprint ? html`<span> · ${sprintTitle(session.docs.sprint)}</span>`
          : html`<span class="muted"> · ${t('phase.of', { n: idx, total: game.agenda.length })}</span>`}
        <div class="whoami">${me.nickname} · ${teamLabel(me.company, me.team, game.companies)}</div>
      </div>
      <${Timer} clock=${game.clock} session=${session} label=${timerLabel(ph, session.docs.sprint, session.docs.debate)} />
    </div>
    </div>
    <main id="main" class="page play">
      <${PhaseBody} session=${session} game=${game} />
    </main>
    <${Notices} />`;
}

await loadVocab();
if (!mySeat) {
  location.replace('/join');
} else {
  const session = new Session({ gameId, token: mySeat.token, role: 'player' });
  session.start();
  window.dcSession = session; // for the browser tests and debugging
  render(html`<${App} session=${session} />`, document.getElementById('app'));
}
