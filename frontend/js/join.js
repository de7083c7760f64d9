// join.js is the join page: code (prefilled from the QR code's link),
// nickname and team. The token the server returns is kept in this
// browser, so that a reload or a dropped network puts the player back.

import { html, render, useState } from './deps.js';
import { t, errText } from './i18n.js';
import { api } from './session.js';
import { saveSeat, seats } from './storage.js';
import { Header, Notices, TextField, Choice, useDraft, useLang, SkipLink, TEAMS, teamName } from './ui.js';

function cleanCode(s) { return String(s || '').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 6); }

function Join() {
  useLang();
  const params = new URLSearchParams(location.search);
  const [code, setCode] = useState(cleanCode(params.get('code')));
  const [nickname, setNickname] = useDraft('join', 'nickname');
  const [team, setTeam] = useDraft('join', 'team', '');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const known = seats().filter((s) => s.role === 'player' && (!code || s.code === code));

  async function submit(e) {
    e.preventDefault();
    setError('');
    if (code.length !== 6) { setError(t('join.codeInvalid')); return; }
    if (!nickname.trim()) { setError(t('join.nicknameMissing')); return; }
    setBusy(true);
    try {
      const r = await api('POST', '/api/games/join', { code, nickname: nickname.trim(), team: team || undefined });
      saveSeat('player', r.gameId, { token: r.playerToken, playerId: r.playerId, code, nickname: nickname.trim() });
      location.assign(`/play?g=${encodeURIComponent(r.gameId)}`);
    } catch (err) {
      setError(errText(err));
      setBusy(false);
    }
  }

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
      <${TextField} label=${t('join.nickname')} value=${nickname} onInput=${setNickname} name="nickname" max=${24}
        autocomplete="nickname" hint=${t('join.nicknameHint')} required autofocus=${!!code} />
      <${Choice} legend=${t('join.team')} name="team" value=${team} onChange=${setTeam}
        options=${[{ value: '', label: t('join.anyTeam') }, ...TEAMS.map((tm) => ({ value: tm, label: teamName(tm) }))]} />
      <p class="hint">${t('join.teamHint')}</p>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <button class="btn btn-primary btn-big" type="submit" disabled=${busy}>${busy ? t('join.joining') : t('join.submit')}</button>
    </form>
  </main>
  <${Notices} />`;
}

render(html`<${Join} />`, document.getElementById('app'));
