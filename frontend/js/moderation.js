// moderation.js holds two facilitator tools of the console: the players
// removed from the game, whom the facilitator may let back in, and the
// revocation of every export link of the game. It keeps its own strings
// (both languages) so that it stays one file.

import { html } from './deps.js';
import { t, lang, typo } from './i18n.js';
import { run, teamLabel } from './ui.js';

const STRINGS = {
  en: {
    removedTitle: 'Removed players',
    removedHint: 'A removed player cannot join this game again, under the same nickname or from the same browser, until you let them back in. They then join with the code and get their seat back: same team, same contributions.',
    nickname: 'Nickname',
    team: 'Team',
    status: 'Status',
    action: 'Action',
    kept: 'Kept out',
    mayReturn: 'May come back: they join again with the code',
    letBack: 'Let back in',
    letBackDone: '{name} may join again with the code.',
    linksTitle: 'Export links',
    linksHint: 'Export links work for 24 hours for anyone who has them, without signing in. Revoke them if one was shared too widely: every link made so far stops working at once, including those already handed out.',
    revoke: 'Revoke every export link',
    revokeConfirm: 'Every export link of this game will stop working, including those already shared. Continue?',
    revokeDone: 'Every export link made so far was revoked.',
    revoked: 'Export links made before {time} no longer work. Use “{refresh}” to make new ones.',
  },
  fr: {
    removedTitle: 'Joueurs retirés',
    removedHint: "Un joueur retiré ne peut plus rejoindre cette partie, ni avec le même pseudo ni depuis le même navigateur, tant que vous ne l'autorisez pas à revenir. Il rejoint alors avec le code et retrouve sa place : même équipe, mêmes contributions.",
    nickname: 'Pseudo',
    team: 'Équipe',
    status: 'État',
    action: 'Action',
    kept: "Tenu à l'écart",
    mayReturn: 'Peut revenir : il rejoint avec le code',
    letBack: 'Laisser revenir',
    letBackDone: '{name} peut rejoindre la partie avec le code.',
    linksTitle: "Liens d'export",
    linksHint: "Les liens d'export fonctionnent 24 heures pour quiconque les détient, sans connexion. Révoquez-les si l'un d'eux a trop circulé : tous les liens créés jusqu'ici cessent aussitôt de fonctionner, y compris ceux déjà distribués.",
    revoke: "Révoquer tous les liens d'export",
    revokeConfirm: "Tous les liens d'export de cette partie cesseront de fonctionner, y compris ceux déjà partagés. Continuer ?",
    revokeDone: "Tous les liens d'export créés jusqu'ici ont été révoqués.",
    revoked: "Les liens d'export créés avant {time} ne fonctionnent plus. Utilisez « {refresh} » pour en créer de nouveaux.",
  },
};

/** say returns one of this module's strings in the current language. */
export function say(key, params) {
  const s = (STRINGS[lang()] || STRINGS.en)[key] || STRINGS.en[key] || key;
  return typo(params ? s.replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined ? m : String(params[k]))) : s);
}

/** STRING_KEYS exposes both dictionaries' keys, for the tests. */
export const STRING_KEYS = { en: Object.keys(STRINGS.en).sort(), fr: Object.keys(STRINGS.fr).sort() };

/** RemovedPlayers lists the players the facilitator removed and lets
 * them back in. Nothing shows while nobody was removed. */
export function RemovedPlayers({ session }) {
  const doc = session.docs.removed;
  const game = session.docs.game;
  const list = (doc && doc.players) || [];
  if (!list.length || !game) return null;
  return html`<section class="card" aria-labelledby="removed-h" data-testid="removed-players">
    <h2 id="removed-h">${say('removedTitle')}</h2>
    <p class="hint">${say('removedHint')}</p>
    <table class="table">
      <thead><tr><th scope="col">${say('nickname')}</th><th scope="col">${say('team')}</th><th scope="col">${say('status')}</th><th scope="col">${say('action')}</th></tr></thead>
      <tbody>${list.map((p) => html`<tr key=${p.id}>
        <th scope="row">${p.nickname}</th>
        <td>${teamLabel(p.company, p.team, game.companies)}</td>
        <td>${p.letBack ? say('mayReturn') : say('kept')}</td>
        <td>${p.letBack ? null : html`<button type="button" class="btn btn-small" onClick=${() => run(session.send('player.readmit', { playerId: p.id }), say('letBackDone', { name: p.nickname }))}>
          ${say('letBack')}<span class="sr-only"> ${p.nickname}</span></button>`}</td>
      </tr>`)}</tbody>
    </table>
  </section>`;
}

/** RevokeExports lets the facilitator revoke every export link of the
 * game, and says when they last did. */
export function RevokeExports({ session }) {
  const doc = session.docs.exports;
  const revokedAt = doc && doc.revokedAt;
  const time = revokedAt ? new Date(revokedAt).toLocaleString(lang() === 'fr' ? 'fr-FR' : 'en-GB') : '';
  return html`<section class="card" aria-labelledby="revoke-h" data-testid="revoke-exports">
    <h2 id="revoke-h">${say('linksTitle')}</h2>
    <p class="hint">${say('linksHint')}</p>
    ${revokedAt ? html`<p role="status">${say('revoked', { time, refresh: t('export.refresh') })}</p>` : null}
    <button type="button" class="btn btn-danger" onClick=${() => {
      if (window.confirm(say('revokeConfirm'))) run(session.send('exports.revoke', {}), say('revokeDone'));
    }}>${say('revoke')}</button>
  </section>`;
}
