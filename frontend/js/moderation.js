// moderation.js holds two facilitator tools of the console: the players
// removed from the game, whom the facilitator may let back in, and the
// revocation of every export link of the game. Its strings are in
// strings-host.js (moderation.*).

import { html } from './deps.js';
import { t, lang } from './i18n.js';
import { run, teamLabel } from './ui.js';

/** RemovedPlayers lists the players the facilitator removed and lets
 * them back in. Nothing shows while nobody was removed. */
export function RemovedPlayers({ session }) {
  const doc = session.docs.removed;
  const game = session.docs.game;
  const list = (doc && doc.players) || [];
  if (!list.length || !game) return null;
  return html`<section class="card" aria-labelledby="removed-h" data-testid="removed-players">
    <h2 id="removed-h">${t('moderation.removedTitle')}</h2>
    <p class="hint">${t('moderation.removedHint')}</p>
    <table class="table">
      <thead><tr><th scope="col">${t('players.nickname')}</th><th scope="col">${t('team')}</th><th scope="col">${t('players.status')}</th><th scope="col">${t('moderation.action')}</th></tr></thead>
      <tbody>${list.map((p) => html`<tr key=${p.id}>
        <th scope="row">${p.nickname}</th>
        <td>${teamLabel(p.company, p.team, game.companies)}</td>
        <td>${p.letBack ? t('moderation.mayReturn') : t('moderation.kept')}</td>
        <td>${p.letBack ? null : html`<button type="button" class="btn btn-small" onClick=${() => run(session.send('player.readmit', { playerId: p.id }), t('moderation.letBackDone', { name: p.nickname }))}>
          ${t('moderation.letBack')}<span class="sr-only"> ${p.nickname}</span></button>`}</td>
      </tr>`)}</tbody>
    </table>
  </section>`;
}

/** Newcomers lets the facilitator close the game to newcomers once the
 * class is in (sock puppets stay out), and open it again. */
export function Newcomers({ session }) {
  const game = session.docs.game;
  if (!game) return null;
  const closed = !!game.closed;
  return html`<section class="card" aria-labelledby="door-h" data-testid="newcomers">
    <h2 id="door-h">${t('moderation.doorTitle')}</h2>
    <p role="status">${closed ? t('moderation.doorClosed') : t('moderation.doorOpen')}</p>
    <button type="button" class=${`btn${closed ? '' : ' btn-primary'}`}
      onClick=${() => run(session.send('game.close', { closed: !closed }), closed ? t('moderation.openedDone') : t('moderation.closedDone'))}>
      ${closed ? t('moderation.open') : t('moderation.close')}</button>
  </section>`;
}

/** RevokeExports lets the facilitator revoke every export link of the
 * game, and says when they last did. */
export function RevokeExports({ session }) {
  const doc = session.docs.exports;
  const revokedAt = doc && doc.revokedAt;
  const time = revokedAt ? new Date(revokedAt).toLocaleString(lang() === 'fr' ? 'fr-FR' : 'en-GB') : '';
  return html`<section class="card" aria-labelledby="revoke-h" data-testid="revoke-exports">
    <h2 id="revoke-h">${t('moderation.linksTitle')}</h2>
    <p class="hint">${t('moderation.linksHint')}</p>
    ${revokedAt ? html`<p role="status">${t('moderation.revoked', { time, refresh: t('export.refresh') })}</p>` : null}
    <button type="button" class="btn btn-danger" onClick=${() => {
      if (window.confirm(t('moderation.revokeConfirm'))) run(session.send('exports.revoke', {}), t('moderation.revokeDone'));
    }}>${t('moderation.revoke')}</button>
  </section>`;
}
