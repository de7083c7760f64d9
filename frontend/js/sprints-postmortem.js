// sprints-postmortem.js holds the blameless post-mortems of a company's
// incidents: the players write them, the facilitator accepts them (the
// company earns its learning bonus) or sends them back with a comment.

import { html, useState } from './deps.js';
import { t, tx, num } from './i18n.js';
import { TextField, useDraft, run, notify, teamName } from './ui.js';
import { incidentName } from './names.js';

function PostmortemForm({ session, index, name, returned }) {
  const base = `pm${index}`;
  const [what, setWhat] = useDraft(session.gameId, `${base}what`, returned ? returned.whatHappened : '');
  const [why, setWhy] = useDraft(session.gameId, `${base}why`, returned ? returned.why : '');
  const [change, setChange] = useDraft(session.gameId, `${base}change`, returned ? returned.change : '');
  const ok = what.trim() && why.trim() && change.trim();
  return html`<form class="card form postmortem" onSubmit=${async (e) => {
    e.preventDefault();
    if (!ok) return;
    if (await run(session.send('postmortem.submit', { incident: index, whatHappened: what.trim(), why: why.trim(), change: change.trim() }))) {
      setWhat(''); setWhy(''); setChange('');
      notify(t('pm.sent'));
    }
  }}>
    <h4>${t('pm.title', { name })}</h4>
    ${returned ? html`<p class="callout" role="note"><strong>${t('pm.returned')}</strong> ${returned.comment}</p>` : null}
    <p class="hint">${t('pm.hint')}</p>
    <${TextField} label=${t('pm.what')} value=${what} onInput=${setWhat} max=${600} rows=${2} name=${`${base}what`} />
    <${TextField} label=${t('pm.why')} value=${why} onInput=${setWhy} max=${600} rows=${2} name=${`${base}why`} />
    <${TextField} label=${t('pm.change')} value=${change} onInput=${setChange} max=${600} rows=${2} name=${`${base}change`} />
    <button class="btn btn-primary" type="submit" disabled=${!ok}>${t('pm.submit')}</button>
  </form>`;
}

/** PostmortemReview lets the facilitator accept a post-mortem (the company
 * earns its learning bonus) or send it back with a comment. */
function PostmortemReview({ session, company, index }) {
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  async function review(accept) {
    setBusy(true);
    if (await run(session.send('postmortem.review', { company, incident: index, accept, comment: comment.trim() }), t(accept ? 'pm.acceptedNote' : 'pm.returnedNote'))) setComment('');
    setBusy(false);
  }
  return html`<div class="pm-review">
    <${TextField} label=${t('pm.comment')} value=${comment} onInput=${setComment} max=${600} rows=${2} name=${`pmc-${company}-${index}`} hint=${t('pm.commentHint')} />
    <div class="row wrap">
      <button type="button" class="btn btn-primary" disabled=${busy} onClick=${() => review(true)}>${t('pm.accept')}</button>
      <button type="button" class="btn" disabled=${busy || !comment.trim()} onClick=${() => review(false)}>${t('pm.sendBack')}</button>
    </div>
  </div>`;
}

function pmStatus(pm) {
  if (pm.status === 'accepted') return html`<p><strong>✓ ${t('pm.accepted', { n: num(pm.learning, 0) })}</strong>${pm.comment ? ` ${pm.comment}` : ''}</p>`;
  if (pm.status === 'returned') return html`<p><strong>${t('pm.returned')}</strong> ${pm.comment}</p>`;
  return html`<p class="muted">… ${t('pm.waiting')}</p>`;
}

/** Postmortems lists a company's incidents: a form for those without a
 * post-mortem, or whose post-mortem was sent back (players); the cards
 * written, with their review (and, for the facilitator, the buttons to
 * accept them or send them back). */
export function Postmortems({ session, company, editable, review }) {
  const co = session.docs[`company/${company}`];
  if (!co || !co.incidents || !co.incidents.length) return null;
  return html`<section class="postmortems" aria-labelledby=${`pm-h-${company}`}>
    <h3 id=${`pm-h-${company}`}>${t('pm.section')}</h3>
    ${co.incidents.map((inc, i) => {
      const name = incidentName(session, inc.id);
      const pm = session.docs[`postmortem/${company}/${i}`];
      if (editable && inc.resolved && (!pm || pm.status === 'returned')) {
        return html`<${PostmortemForm} key=${`${i}-${pm ? pm.at : 0}`} session=${session} index=${i} name=${name} returned=${pm} />`;
      }
      if (pm) {
        return html`<article key=${i} class="card">
          <h4>${t('pm.card', { name, sprint: inc.sprint })}</h4>
          <dl class="pm-card"><dt>${t('pm.what')}</dt><dd>${pm.whatHappened}</dd><dt>${t('pm.why')}</dt><dd>${pm.why}</dd><dt>${t('pm.change')}</dt><dd>${pm.change}</dd></dl>
          <p class="muted">${t('pm.by', { name: pm.author, team: teamName(pm.team) })}</p>
          ${pmStatus(pm)}
          ${pm.status === 'accepted' && pm.text ? html`<p class="muted">${tx(pm.text)}</p>` : null}
          ${review && pm.status === 'submitted' ? html`<${PostmortemReview} session=${session} company=${company} index=${i} />` : null}
        </article>`;
      }
      return html`<p key=${i} class="muted">${t('pm.missing', { name, sprint: inc.sprint })}</p>`;
    })}
  </section>`;
}
