// join.js is the join page: code (prefilled from the QR code's link),
// nickname and team. Once a whole code is there, the page asks the server
// about the game (GET /api/codes/{code}): its title, whether players pick
// their team, which teams are full, whether it is over. Should that
// request fail, the form works as before and the join itself answers.
// The token the server returns is kept in this browser, so that a reload
// or a dropped network puts the player back.

import { html, render, useState, useEffect } from './deps.js';
import { t, errText } from './i18n.js';
import { api } from './session.js';
import { saveSeat, seats } from './storage.js';
import { Header, Notices, TextField, Choice, useDraft, useLang, SkipLink, TEAMS, teamName } from './ui.js';
import { loadVocab } from './vocab.js';

function cleanCode(s) { return String(s || '').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 6); }

/** useCodeInfo looks the code up once it is complete. The answer is
 * {state: 'none'|'loading'|'ok'|'unknown'|'failed', info?, error?}:
 * 'unknown' is the server saying no (no such game, a malformed code);
 * 'failed' is anything else (network, rate limit), where the page carries
 * on without the information. */
function useCodeInfo(code) {
  const [res, setRes] = useState({ state: 'none', code: '' });
  useEffect(() => {
    if (code.length !== 6) {
      setRes({ state: 'none', code });
      return undefined;
    }
    let live = true;
    setRes({ state: 'loading', code });
    api('GET', `/api/codes/${encodeURIComponent(code)}`).then((info) => {
      if (live) setRes(info && typeof info === 'object' ? { state: 'ok', code, info } : { state: 'failed', code });
    }, (err) => {
      if (!live) return;
      if (err && (err.code === 'not_found' || err.code === 'invalid')) setRes({ state: 'unknown', code, error: err });
      else setRes({ state: 'failed', code });
    });
    return () => { live = false; };
  }, [code]);
  // An answer about another code (typing went on) is no answer.
  return res.code === code ? res : { state: code.length === 6 ? 'loading' : 'none', code };
}

/** GameInfo says what the server told about the code, in words. */
function GameInfo({ res }) {
  if (res.state === 'loading') return html`<p class="hint" data-testid="code-info">${t('join.checking')}</p>`;
  if (res.state === 'unknown') {
    return html`<p class="error" data-testid="code-info"><span aria-hidden="true">⚠ </span>${errText(res.error) || t('join.unknown')}</p>`;
  }
  if (res.state !== 'ok') return null;
  const info = res.info;
  if (info.status === 'finished') {
    return html`<div class="callout callout-stop" data-testid="code-info">
      <p><span aria-hidden="true">⚠ </span>${t('join.finished', { title: info.title || 'DevOps Challenge' })}</p>
      <p class="hint">${t('join.finishedHint')}</p></div>`;
  }
  return html`<div class="callout game-found" data-testid="code-info">
    <p>${t('join.game')} <strong data-testid="game-title">${info.title || 'DevOps Challenge'}</strong></p>
    ${info.status === 'running' ? html`<p class="hint">${t('join.running')}</p>` : null}
    ${info.closed ? html`<p class="hint" data-testid="join-closed">${t('join.closed')}</p>` : null}
  </div>`;
}

function Join() {
  useLang();
  const params = new URLSearchParams(location.search);
  const [code, setCode] = useState(cleanCode(params.get('code')));
  const [nickname, setNickname] = useDraft('join', 'nickname');
  const [team, setTeam] = useDraft('join', 'team', '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const known = seats().filter((s) => s.role === 'player' && (!code || s.code === code));
  const res = useCodeInfo(code);
  const info = res.state === 'ok' ? res.info : null;
  const auto = !!info && info.assignment === 'auto';
  const full = new Set((info && Array.isArray(info.full) && info.full) || []);
  const over = !!info && info.status === 'finished';
  // What is sent: no team where the game assigns them, nor a team that
  // is full (the game then balances).
  const chosen = auto || full.has(team) ? '' : team;

  // A code typed anew makes the old error stale.
  useEffect(() => { setError(''); }, [code]);

  async function submit(e) {
    e.preventDefault();
    setError('');
    if (code.length !== 6) { setError(t('join.codeInvalid')); return; }
    if (res.state === 'unknown') { setError(errText(res.error) || t('join.unknown')); return; }
    if (over) { setError(t('join.finished', { title: info.title || 'DevOps Challenge' })); return; }
    if (!nickname.trim()) { setError(t('join.nicknameMissing')); return; }
    setBusy(true);
    try {
      const r = await api('POST', '/api/games/join', { code, nickname: nickname.trim(), team: chosen || undefined });
      saveSeat('player', r.gameId, { token: r.playerToken, playerId: r.playerId, code, nickname: nickname.trim() });
      location.assign(`/play?g=${encodeURIComponent(r.gameId)}`);
    } catch (err) {
      setError(errText(err));
      setBusy(false);
    }
  }

  const teamOptions = [{ value: '', label: t('join.anyTeam') }, ...TEAMS.map((tm) => (full.has(tm)
    ? { value: tm, label: t('join.teamFull', { team: teamName(tm) }), disabled: true }
    : { value: tm, label: teamName(tm) }))];

  return html`<${SkipLink} /><${Header} title=${html`<a href="/" class="brand">DevOps Challenge</a>`} />
  <main id="main" class="page narrow">
    <h1>${t('join.title')}</h1>
    ${known.length ? html`<div class="card">
      <h2>${t('join.resume')}</h2>
      <ul class="plain">${known.map((s) => html`<li key=${s.gameId}><a class="btn" href=${`/play?g=${encodeURIComponent(s.gameId)}`}>
        ${t('join.continueAs', { name: s.nickname || '?', code: s.code || '' })}</a></li>`)}</ul>
    </div>` : null}
    <form class="card form" onSubmit=${submit} novalidate>
      <${TextField} label=${t('join.code')} value=${code} onInput=${(v) => setCode(cleanCode(v))} name="code" max=${6}
        autocomplete="off" hint=${t('join.codeHint')} required />
      <div role="status" class="code-info">${res.state !== 'none' ? html`<${GameInfo} res=${res} />` : null}</div>
      ${over ? null : html`
        <${TextField} label=${t('join.nickname')} value=${nickname} onInput=${setNickname} name="nickname" max=${24}
          autocomplete="nickname" hint=${t('join.nicknameHint')} required autofocus=${!!code} />
        ${auto ? html`<p class="callout" data-testid="team-auto">${t('join.teamAuto')}</p>` : html`
          <${Choice} legend=${t('join.team')} name="team" value=${chosen} onChange=${setTeam} options=${teamOptions} />
          <p class="hint">${full.size ? t('join.teamFullHint') : info ? t('join.teamChoiceHint') : t('join.teamHint')}</p>`}`}
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      ${over ? null : html`<button class="btn btn-primary btn-big" type="submit" disabled=${busy}>${busy ? t('join.joining') : t('join.submit')}</button>`}
    </form>
  </main>
  <${Notices} />`;
}

await loadVocab();
render(html`<${Join} />`, document.getElementById('app'));
