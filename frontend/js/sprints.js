// sprints.js is the sprint simulation: planning, resolution, incidents,
// post-mortems and review. (Being written with the server's sprint rules.)

import { html } from './deps.js';
import { t } from './i18n.js';

export function PlayerSprints() {
  return html`<section><h2>${t('phase.sprints')}</h2><p class="muted">${t('loading')}</p></section>`;
}

export function HostSprints() {
  return html`<section><h2>${t('phase.sprints')}</h2></section>`;
}

export function ScreenSprints() {
  return html`<section><h2>${t('phase.sprints')}</h2></section>`;
}
