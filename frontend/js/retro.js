// retro.js is the retrospective: final rankings, DORA over the sprints,
// the CALMS radar, the incidents, the debate ratings and the wall.

import { html } from './deps.js';
import { t, errText } from './i18n.js';
import { notify } from './ui.js';
import { Ratings } from './debate.js';
import { QuizBoard } from './study.js';

export function Retro({ session, game }) {
  return html`<section aria-labelledby="retro-h">
    <h2 id="retro-h">${t('phase.retro')}</h2>
    <${Ratings} debate=${session.docs.debate} companies=${game.companies} />
    <${QuizBoard} session=${session} companies=${game.companies} />
  </section>`;
}

// Export formats the server offers under /api/games/{id}/export.{ext}.
const FORMATS = [
  { ext: 'html', mime: 'text/html' },
  { ext: 'json', mime: 'application/json' },
  { ext: 'csv', mime: 'text/csv' },
];

/** download fetches an export with the facilitator's token (never in the
 * URL) and hands it to the browser as a file. */
async function download(session, game, fmt) {
  const res = await fetch(`/api/games/${encodeURIComponent(session.gameId)}/export.${fmt.ext}`, {
    headers: { Authorization: `Bearer ${session.token}` },
  });
  if (!res.ok) {
    let e = null;
    try { e = await res.json(); } catch { e = null; }
    throw e && e.code ? e : { message: `HTTP ${res.status}`, messageFr: `HTTP ${res.status}` };
  }
  const blob = await res.blob();
  const cd = res.headers.get('Content-Disposition') || '';
  const m = /filename="?([^";]+)"?/.exec(cd);
  const name = m ? m[1] : `devops-challenge-${game.code}.${fmt.ext}`;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}

/** Exports lets the facilitator download the report. */
export function Exports({ session, game }) {
  return html`<section class="card" aria-labelledby="exports-h">
    <h2 id="exports-h">${t('export.title')}</h2>
    <p class="hint">${t('export.hint')}</p>
    <div class="row wrap">
      ${FORMATS.map((f) => html`<button key=${f.ext} type="button" class="btn" data-export=${f.ext}
        onClick=${async () => {
          try {
            const name = await download(session, game, f);
            notify(t('export.done', { name }));
          } catch (e) {
            notify(errText(e), 'error');
          }
        }}>${t(`export.${f.ext}`)}</button>`)}
    </div>
  </section>`;
}
