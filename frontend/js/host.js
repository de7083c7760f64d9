// host.js is the facilitator console (desktop): create a game, manage the
// lobby, drive phases and timers, moderate the wall, run the debate,
// follow each company's dashboard, open the projector and export.

import { html, h, render, useState, useEffect, useRef } from './deps.js';
import { t, tx, lang, errText } from './i18n.js';
import { Session, api } from './session.js';
import { seat, saveSeat, dropSeat } from './storage.js';
import {
  Header, Notices, Timer, useSession, useDocs, memo, useLang, Revoked, Loading, SkipLink, TextField, Choice, run, notify,
  teamName, teamLabel, currentPhase, phaseName, remaining, timerLabel, TEAMS,
} from './ui.js';
import { vocab, loadVocab, canReopen } from './vocab.js';
import { useJoinAddress } from './lan.js';
import { AgendaEditor, defaultAgenda, firstPhase, cleanAgenda } from './agenda.js';
import { HostWall } from './wallhost.js';
import { BUSY_REDRAW_MS } from './wall.js';
import { HostStudy } from './study.js';
import { debateNextLabel, turnTimerLabel } from './debate.js';
import { HostDebate } from './debate-host.js';
import { HostSprints, sprintTitle } from './sprints.js';
import { Retro, Exports } from './retro.js';
import { Newcomers, RemovedPlayers, RevokeExports } from './moderation.js';

const params = new URLSearchParams(location.search);
const gameId = params.get('g') || '';

// A facilitator link (/host?g=ID#t=TOKEN) moves the console to another
// browser: keep the token and take it out of the address bar.
(function adoptFragment() {
  const h = new URLSearchParams(location.hash.slice(1));
  if (gameId && h.get('t')) {
    saveSeat('facilitator', gameId, { ...(seat('facilitator', gameId) || {}), token: h.get('t') });
    history.replaceState(null, '', `/host?g=${encodeURIComponent(gameId)}`);
  }
}());

function Create() {
  useLang();
  const [title, setTitle] = useState('');
  const [scenarios, setScenarios] = useState([]);
  const [scenario, setScenario] = useState('');
  const [companies, setCompanies] = useState('1');
  const [teamCap, setTeamCap] = useState('0');
  const [assignment, setAssignment] = useState('choice');
  const [gameLang, setGameLang] = useState(lang());
  const [agenda, setAgenda] = useState(defaultAgenda());
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    api('GET', '/api/scenarios').then((list) => {
      setScenarios(list || []);
      const d = (list || []).find((s) => s.default) || (list || [])[0];
      if (d) setScenario(d.id);
    }).catch((e) => setError(errText(e)));
  }, []);
  async function submit(e) {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      const body = {
        title: title.trim() || undefined, scenario: scenario || undefined, companies: Number(companies) || 1,
        teamCap: Number(teamCap) || 0, assignment, lang: gameLang, agenda: [firstPhase(), ...cleanAgenda(agenda)],
      };
      const r = await api('POST', '/api/games', body);
      saveSeat('facilitator', r.gameId, { token: r.facilitatorToken, projectorToken: r.projectorToken, code: r.code, title: body.title || 'DevOps Challenge' });
      location.assign(`/host?g=${encodeURIComponent(r.gameId)}`);
    } catch (err) {
      setError(errText(err));
      setBusy(false);
    }
  }
  const scn = scenarios.find((s) => s.id === scenario);
  return html`<${SkipLink} /><${Header} title=${html`<a class="brand" href="/">DevOps Challenge</a>`} />
  <main id="main" class="page">
    <h1>${t('create.title')}</h1>
    <form class="card form create-form" onSubmit=${submit}>
      <${TextField} label=${t('create.gameTitle')} value=${title} onInput=${setTitle} max=${vocab().limits.title} name="title" hint=${t('create.gameTitleHint')} />
      <div class="field"><label for="scenario">${t('create.scenario')}</label>
        <select id="scenario" value=${scenario} onChange=${(e) => setScenario(e.currentTarget.value)}>
          ${scenarios.map((s) => html`<option key=${s.id} value=${s.id}>${tx(s.title)}</option>`)}
        </select>
        ${scn ? html`<p class="hint">${tx(scn.summary)}</p>` : null}</div>
      <div class="form-row">
        <div class="field"><label for="companies">${t('create.companies')}</label>
          <input id="companies" type="number" min="1" max=${vocab().limits.companies} value=${companies} onInput=${(e) => setCompanies(e.currentTarget.value)} aria-describedby="companies-hint" />
          <span id="companies-hint" class="hint">${t('create.companiesHint')}</span></div>
        <div class="field"><label for="teamcap">${t('create.teamCap')}</label>
          <input id="teamcap" type="number" min="0" max="500" value=${teamCap} onInput=${(e) => setTeamCap(e.currentTarget.value)} aria-describedby="teamcap-hint" />
          <span id="teamcap-hint" class="hint">${t('create.teamCapHint')}</span></div>
      </div>
      <${Choice} legend=${t('create.assignment')} name="assignment" value=${assignment} onChange=${setAssignment}
        options=${[{ value: 'choice', label: t('create.choice') }, { value: 'auto', label: t('create.auto') }]} />
      <${Choice} legend=${t('create.lang')} name="glang" value=${gameLang} onChange=${setGameLang}
        options=${[{ value: 'fr', label: 'Français' }, { value: 'en', label: 'English' }]} />
      <fieldset class="agenda-fieldset"><legend>${t('create.agenda')}</legend>
        <p class="hint">${t('create.agendaHint')}</p>
        <${AgendaEditor} phases=${agenda} onChange=${setAgenda} idPrefix="new" />
      </fieldset>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <button class="btn btn-primary btn-big" type="submit" disabled=${busy}>${t('create.submit')}</button>
    </form>
  </main><${Notices} />`;
}

function QR({ code, src, size = 'small' }) {
  return html`<img class=${`qr qr-${size}`} src=${src} alt=${t('qr.alt', { code })} width="164" height="164" />`;
}


function PhaseControl({ session, game }) {
  const ph = currentPhase(game);
  const idx = game.phase;
  const next = game.agenda[idx + 1];
  const prevPhase = game.status === 'running' && idx > 1 ? game.agenda[idx - 1] : null;
  const prev = prevPhase && canReopen(prevPhase.kind) ? prevPhase : null;
  const clock = game.clock || {};
  const ms = remaining(clock, session);
  const hasTimer = ms !== null;
  const players = session.list('player/');
  // Inside a phase, "next" may move a step of the phase rather than the
  // agenda: resolve a sprint, close an incident, give the floor.
  let inner = '';
  const sprint = session.docs.sprint;
  const debate = session.docs.debate;
  if (ph && ph.kind === 'sprints' && sprint) {
    if (sprint.step === 'planning') inner = t('control.resolve', { n: sprint.sprint });
    else if (sprint.step === 'incident') inner = t('control.endIncident');
    else if (sprint.sprint < sprint.of) inner = t('control.nextSprint', { n: sprint.sprint + 1 });
  }
  if (ph && ph.kind === 'debate') inner = debateNextLabel(debate, game);
  const nextLabel = inner || (next ? t('control.next', { phase: phaseName(next.kind) }) : t('control.finish'));
  return html`<section class="card control" aria-labelledby="ctl-h">
    <h2 id="ctl-h">${t('control.title')}</h2>
    <ol class="agenda-rail">
      ${game.agenda.map((p, i) => html`<li key=${i} class=${game.status === 'running' && i === idx ? 'current' : (game.status === 'finished' || i < idx) ? 'done' : ''}
        aria-current=${game.status === 'running' && i === idx ? 'step' : undefined}>
        ${phaseName(p.kind)}${p.minutes ? html` <span class="muted">${t('control.min', { n: p.minutes })}</span>` : null}
        ${game.status === 'running' && i === idx ? html` <strong>· ${t('control.now')}</strong>` : null}
      </li>`)}
    </ol>
    ${game.status === 'lobby' ? html`<p>${t('control.joined', { n: players.length })}</p>
      <button type="button" class="btn btn-primary btn-big" onClick=${() => run(session.send('game.start'))}>${t('control.start')}</button>` : null}
    ${game.status === 'running' ? html`
      ${ph.kind === 'sprints' && sprint ? html`<p><strong>${sprintTitle(sprint)}</strong></p>` : null}
      <${Timer} clock=${clock} session=${session} label=${ph.kind === 'debate' ? turnTimerLabel(debate) : timerLabel(ph, sprint)} />
      <div class="row wrap" role="group" aria-label=${t('control.timer')}>
        ${clock.paused
          ? html`<button type="button" class="btn" onClick=${() => run(session.send('timer.resume'))}>${t('control.resume')}</button>`
          : html`<button type="button" class="btn" disabled=${!hasTimer || ms === 0} onClick=${() => run(session.send('timer.pause'))}>${t('control.pause')}</button>`}
        <button type="button" class="btn" onClick=${() => run(session.send('timer.extend', { seconds: 60 }))}>${t('control.plus1')}</button>
        <button type="button" class="btn" onClick=${() => run(session.send('timer.extend', { seconds: 300 }))}>${t('control.plus5')}</button>
        <button type="button" class="btn" disabled=${!hasTimer} onClick=${() => run(session.send('timer.end'))}>${t('control.endTimer')}</button>
      </div>
      <div class="row wrap">
        ${prev ? html`<button type="button" class="btn" onClick=${() => { if (window.confirm(t('control.confirmBack', { phase: phaseName(prev.kind) }))) run(session.send('phase.back')); }}>← ${t('control.back', { phase: phaseName(prev.kind) })}</button>` : null}
        <button type="button" class="btn btn-primary" data-testid="phase-next" onClick=${() => {
          if (!inner && !next && !window.confirm(t('control.confirmFinish'))) return;
          run(session.send('phase.next'));
        }}>${nextLabel} →</button>
      </div>
      <p class="hint">${t('control.nextHint')}</p>` : null}
    ${game.status === 'finished' ? html`<p><strong>${t('control.over')}</strong></p>` : null}
  </section>`;
}

const PLAYERS_PAGE = 60;

/** MovePicker is the one team picker of the players' list: it opens for
 * the player whose "Move" button was pressed (a dropdown on each of 240
 * rows would weigh tens of thousands of elements). */
function MovePicker({ session, game, player, onClose }) {
  const [value, setValue] = useState(`${player.company}/${player.team}`);
  const places = [];
  for (let c = 1; c <= game.companies; c++) for (const tm of TEAMS) places.push({ value: `${c}/${tm}`, label: teamLabel(c, tm, game.companies) });
  return html`<form class="inline-form" onSubmit=${async (e) => {
    e.preventDefault();
    const [cc, tm] = value.split('/');
    if (await run(session.send('player.move', { playerId: player.id, company: Number(cc), team: tm }))) onClose();
  }}>
    <div class="field"><label for="move-to">${t('players.moveLabel', { name: player.nickname })}</label>
      <select id="move-to" value=${value} onChange=${(e) => setValue(e.currentTarget.value)}>
        ${places.map((o) => html`<option key=${o.value} value=${o.value}>${o.label}</option>`)}
      </select></div>
    <button class="btn btn-small btn-primary" type="submit">${t('players.moveDo')}</button>
    <button class="btn btn-small" type="button" onClick=${onClose}>${t('cancel')}</button>
  </form>`;
}

function HostPlayers({ session, game }) {
  const players = session.list('player/');
  const [renaming, setRenaming] = useState(null);
  const [moving, setMoving] = useState(null);
  const [name, setName] = useState('');
  const [company, setCompany] = useState(1);
  const [page, setPage] = useState(0);
  const online = players.filter((p) => p.connected).length;
  const c = Math.min(company, game.companies);
  const list = players.filter((p) => p.company === c)
    .sort((a, b) => TEAMS.indexOf(a.team) - TEAMS.indexOf(b.team) || a.nickname.localeCompare(b.nickname));
  const pages = Math.max(1, Math.ceil(list.length / PLAYERS_PAGE));
  const cur = Math.min(page, pages - 1);
  const shown = list.slice(cur * PLAYERS_PAGE, (cur + 1) * PLAYERS_PAGE);
  const companies = Array.from({ length: game.companies }, (_, i) => i + 1);
  const movingPlayer = moving && players.find((p) => p.id === moving);
  return html`<section aria-labelledby="players-h">
    <h2 id="players-h">${t('players.title')} <span class="muted">· ${t('players.count', { n: players.length, online })}</span></h2>
    ${players.length === 0 ? html`<p class="muted">${t('players.none', { code: game.code })}</p>` : null}
    ${game.companies > 1 ? html`<nav class="row wrap company-tabs" aria-label=${t('players.companies')}>
      ${companies.map((n) => {
        const count = players.filter((p) => p.company === n).length;
        return html`<button key=${n} type="button" class=${`btn btn-small${n === c ? ' btn-on' : ''}`} aria-pressed=${n === c ? 'true' : 'false'}
          onClick=${() => { setCompany(n); setPage(0); }}>${t('players.company', { n })} (${count})</button>`;
      })}
    </nav>` : null}
    ${movingPlayer ? html`<div class="card"><${MovePicker} key=${moving} session=${session} game=${game} player=${movingPlayer} onClose=${() => setMoving(null)} /></div>` : null}
    ${list.length || game.companies === 1 ? html`<table class="table players">
      <caption>${game.companies > 1 ? t('players.company', { n: c }) : t('players.title')}
        ${' '}— ${TEAMS.map((tm) => `${teamName(tm)} ${list.filter((p) => p.team === tm).length}`).join(' · ')}</caption>
      <thead><tr><th scope="col">${t('players.nickname')}</th><th scope="col">${t('team')}</th><th scope="col">${t('players.status')}</th><th scope="col">${t('players.actions')}</th></tr></thead>
      <tbody>${shown.map((p) => html`<tr key=${p.id}>
        <th scope="row">${renaming === p.id ? html`<form class="inline-form" onSubmit=${async (e) => {
          e.preventDefault();
          if (await run(session.send('player.rename', { playerId: p.id, nickname: name.trim() }))) setRenaming(null);
        }}><${TextField} label=${t('players.newName')} value=${name} onInput=${setName} max=${24} name="rename" autofocus />
          <button class="btn btn-small btn-primary" type="submit">${t('save')}</button>
          <button class="btn btn-small" type="button" onClick=${() => setRenaming(null)}>${t('cancel')}</button></form>` : p.nickname}</th>
        <td data-team=${`${p.company}/${p.team}`}>${teamLabel(p.company, p.team, game.companies)}</td>
        <td>${p.connected ? html`<span class="presence on"><span aria-hidden="true">● </span>${t('players.online')}</span>` : html`<span class="presence off"><span aria-hidden="true">○ </span>${t('players.away')}</span>`}</td>
        <td><div class="row">
          <button type="button" class="btn btn-small" onClick=${() => setMoving(p.id)}>${t('players.move')}<span class="sr-only"> ${p.nickname}</span></button>
          <button type="button" class="btn btn-small" onClick=${() => { setRenaming(p.id); setName(p.nickname); }}>${t('players.rename')}<span class="sr-only"> ${p.nickname}</span></button>
          <button type="button" class="btn btn-small btn-danger" onClick=${() => {
            if (window.confirm(t('players.confirmKick', { name: p.nickname }))) run(session.send('player.kick', { playerId: p.id }));
          }}>${t('players.kick')}<span class="sr-only"> ${p.nickname}</span></button>
        </div></td>
      </tr>`)}</tbody>
    </table>` : null}
    ${pages > 1 ? html`<nav class="row pager" aria-label=${t('players.pages')}>
      <button type="button" class="btn btn-small" disabled=${cur === 0} onClick=${() => setPage(cur - 1)}>←</button>
      <span>${t('wall.pageOf', { n: cur + 1, total: pages })}</span>
      <button type="button" class="btn btn-small" disabled=${cur >= pages - 1} onClick=${() => setPage(cur + 1)}>→</button>
    </nav>` : null}
  </section>`;
}

function HostAgenda({ session, game }) {
  const keep = game.status === 'lobby' ? 1 : game.phase + 1;
  const upcoming = game.agenda.slice(keep);
  const [draft, setDraft] = useState(null);
  const phases = draft || upcoming;
  if (game.status === 'finished') return null;
  return html`<section aria-labelledby="agenda-h">
    <h2 id="agenda-h">${t('agenda.title')}</h2>
    <p class="hint">${t('agenda.upcomingHint')}</p>
    <${AgendaEditor} phases=${phases} onChange=${setDraft} idPrefix="up" />
    <div class="row">
      <button type="button" class="btn btn-primary" disabled=${!draft} onClick=${async () => {
        if (await run(session.send('agenda.set', { upcoming: cleanAgenda(draft) }), t('agenda.saved'))) setDraft(null);
      }}>${t('agenda.save')}</button>
      <button type="button" class="btn" disabled=${!draft} onClick=${() => setDraft(null)}>${t('cancel')}</button>
    </div>
  </section>`;
}

function Links({ game, mySeat }) {
  const addr = useJoinAddress(game.code);
  const joinUrl = `${addr.origin}/join?code=${game.code}`;
  const screenUrl = mySeat.projectorToken ? `/screen#g=${encodeURIComponent(gameId)}&t=${encodeURIComponent(mySeat.projectorToken)}` : '';
  // Another browser may be on another computer: the network address too.
  const hostUrl = `${addr.origin}/host?g=${encodeURIComponent(gameId)}#t=${encodeURIComponent(mySeat.token)}`;
  const copy = async (text, done) => {
    try {
      await navigator.clipboard.writeText(text);
      notify(done);
    } catch {
      window.prompt(t('links.copyManually'), text);
    }
  };
  return html`<section class="card links" aria-labelledby="links-h">
    <h2 id="links-h" class="sr-only">${t('links.title')}</h2>
    <div class="join-box">
      <${QR} code=${game.code} src=${addr.qr} />
      <div>
        <p class="muted">${t('links.code')}</p>
        <p class="code" data-testid="join-code">${game.code}</p>
        <p><a href=${joinUrl} target="_blank" rel="noopener" data-testid="join-url">${joinUrl}</a></p>
      </div>
    </div>
    ${addr.unreachable ? html`<p class="warn">${t('lan.none')}</p>` : null}
    <div class="row wrap">
      ${screenUrl ? html`<a class="btn btn-primary" href=${screenUrl} target="_blank" rel="noopener" data-testid="open-projector">${t('links.projector')}</a>` : null}
      <button type="button" class="btn" onClick=${() => copy(hostUrl, t('links.hostCopied'))}>${t('links.copyHost')}</button>
    </div>
    <p class="hint">${t('links.hostHint')}</p>
  </section>`;
}

const TABS = ['players', 'wall', 'study', 'sprints', 'debate', 'results', 'agenda'];

// Each tab follows the documents it shows (undefined: all of them), so
// that 50 commands a second on the wall do not redraw the sprint charts.
const WATCH = {
  players: ['player/', 'removed'],
  wall: [], // the wall follows its documents itself, at most every 250 ms
  study: ['card/', 'evidence/', 'quiz', 'brief/', 'product', 'me'],
  sprints: ['sprint', 'plan/', 'incident/', 'review/', 'company/', 'leaderboard', 'postmortem/', 'options/', 'catalogue'],
  debate: ['debate', 'question/', 'card/', 'evidence/'],
  results: undefined,
  agenda: [],
};

/** Follow draws one part of the console and redraws it when its
 * documents change. */
const Follow = memo(({ session, game, view, watch }) => {
  useDocs(session, watch, BUSY_REDRAW_MS);
  return h(view, { session, game });
});

function Results({ session, game }) {
  return html`<${Exports} session=${session} game=${game} /><${RevokeExports} session=${session} /><${Retro} session=${session} game=${game} role="facilitator" />`;
}

function Players({ session, game }) {
  return html`<${HostPlayers} session=${session} game=${game} /><${Newcomers} session=${session} /><${RemovedPlayers} session=${session} />`;
}

const VIEWS = {
  players: Players, wall: HostWall, study: HostStudy, sprints: HostSprints, debate: HostDebate, results: Results, agenda: HostAgenda,
};

function Console({ session, mySeat }) {
  useSession(session, ['game', 'sprint', 'debate', 'player/']);
  const game = session.docs.game;
  const ph = currentPhase(game);
  const phaseTab = ph ? ({ lobby: 'players', retro: 'results' }[ph.kind] || ph.kind) : 'players';
  const [tab, setTab] = useState(null);
  const lastPhase = useRef('');
  useEffect(() => {
    if (phaseTab !== lastPhase.current) {
      lastPhase.current = phaseTab;
      setTab(null);
    }
  }, [phaseTab]);
  useEffect(() => {
    if (game && (game.code !== mySeat.code || game.title !== mySeat.title)) {
      saveSeat('facilitator', gameId, { ...mySeat, code: game.code, title: game.title });
    }
  }, [game && game.code, game && game.title]);
  if (session.status === 'revoked') {
    dropSeat('facilitator', gameId);
    return html`<${Revoked} session=${session} backHref="/host" backLabel=${t('revoked.newGame')} />`;
  }
  if (!game) return html`<${Header} session=${session} title="DevOps Challenge" /><${Loading} />`;
  const cur = tab || phaseTab;
  return html`<${SkipLink} />
    <${Header} session=${session} title=${html`<a class="brand" href="/">DevOps Challenge</a> <span class="muted">·</span> <span>${game.title}</span>`} />
    <div class="console">
      <aside class="console-side">
        <${Links} game=${game} mySeat=${mySeat} />
        <${PhaseControl} session=${session} game=${game} />
      </aside>
      <main id="main" class="console-main">
        <nav class="tabs" aria-label=${t('console.sections')}>
          ${TABS.map((k) => html`<button key=${k} type="button" class=${`tab${cur === k ? ' tab-on' : ''}`} aria-pressed=${cur === k ? 'true' : 'false'}
            data-tab=${k} onClick=${() => setTab(k)}>${t(`console.tab.${k}`)}${k === phaseTab && game.status === 'running' ? ' •' : ''}</button>`)}
        </nav>
        <${Follow} key=${cur} session=${session} game=${game} view=${VIEWS[cur]} watch=${WATCH[cur]} />
      </main>
    </div>
    <${Notices} />`;
}

const mySeat = gameId ? seat('facilitator', gameId) : null;
await loadVocab();
if (!gameId || !mySeat) {
  if (gameId) notify(t('host.noToken'), 'error');
  render(html`<${Create} />`, document.getElementById('app'));
} else {
  const session = new Session({ gameId, token: mySeat.token, role: 'facilitator' });
  session.start();
  window.dcSession = session;
  render(html`<${Console} session=${session} mySeat=${mySeat} />`, document.getElementById('app'));
}
