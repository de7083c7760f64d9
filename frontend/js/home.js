// home.js is the landing page: join with a code, run a game as the
// facilitator, or go back to a game this browser is already in.

import { html, render, useState } from './deps.js';
import { t } from './i18n.js';
import { seats } from './storage.js';
import { Header, Notices, TextField, useLang, SkipLink } from './ui.js';

function Home() {
  useLang();
  const [code, setCode] = useState('');
  const mine = seats();
  const link = (s) => (s.role === 'player' ? `/play?g=${encodeURIComponent(s.gameId)}` : `/host?g=${encodeURIComponent(s.gameId)}`);
  return html`<${SkipLink} /><${Header} title=${html`<span class="brand">DevOps Challenge</span>`} />
  <main id="main" class="page">
    <h1>DevOps Challenge</h1>
    <p class="lead">${t('home.tagline')}</p>
    <div class="home-grid">
      <form class="card form" action="/join" method="get" onSubmit=${(e) => {
        e.preventDefault();
        location.assign(`/join?code=${encodeURIComponent(code)}`);
      }}>
        <h2>${t('home.play')}</h2>
        <p>${t('home.playText')}</p>
        <${TextField} label=${t('join.code')} value=${code} name="code" max=${6} autocomplete="off"
          onInput=${(v) => setCode(v.toUpperCase().replace(/[^A-Z0-9]/g, ''))} />
        <button class="btn btn-primary btn-big" type="submit">${t('home.join')}</button>
      </form>
      <div class="card">
        <h2>${t('home.host')}</h2>
        <p>${t('home.hostText')}</p>
        <a class="btn btn-big" href="/host">${t('home.create')}</a>
      </div>
    </div>
    ${mine.length ? html`<section class="card">
      <h2>${t('home.yourGames')}</h2>
      <ul class="plain">${mine.map((s) => html`<li key=${`${s.role}:${s.gameId}`}>
        <a href=${link(s)}>${s.role === 'player' ? t('home.asPlayer', { name: s.nickname || '?', code: s.code || '' }) : t('home.asHost', { title: s.title || 'DevOps Challenge', code: s.code || '' })}</a>
      </li>`)}</ul>
    </section>` : null}
  </main>
  <${Notices} />`;
}

render(html`<${Home} />`, document.getElementById('app'));
