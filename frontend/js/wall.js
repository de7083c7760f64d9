// wall.js is the wall of confusion: players post anonymous notes aimed at
// the Devs or the Ops and vote for clusters; the facilitator groups, names
// and moderates; the projector shows it live.

import { html, useState } from './deps.js';
import { t } from './i18n.js';
import { TextField, Choice, useDraft, run, byId, by, notify } from './ui.js';

const MAX_NOTE = 140;

/** wallData sorts the wall's documents once per render. */
export function wallData(session) {
  const notes = session.list('note/', byId);
  const clusters = session.list('cluster/', by('order'));
  const byCluster = new Map(clusters.map((c) => [c.id, []]));
  const loose = [];
  for (const n of notes) {
    if (n.cluster && byCluster.has(n.cluster)) byCluster.get(n.cluster).push(n);
    else loose.push(n);
  }
  return { notes, clusters, byCluster, loose };
}

function targetLabel(target) { return target === 'ops' ? t('wall.toOps') : t('wall.toDevs'); }

function Note({ note, children, big }) {
  return html`<li class=${`note note-${note.target}${note.hidden ? ' note-hidden' : ''}${big ? ' note-big' : ''}`}>
    <span class="note-target">${targetLabel(note.target)}${note.hidden ? ` · ${t('wall.hidden')}` : ''}</span>
    <span class="note-text">${note.text}</span>
    ${children}
  </li>`;
}

/** PlayerWall is the player's wall: post a note, vote for clusters. */
export function PlayerWall({ session }) {
  const gameId = session.gameId;
  const me = session.docs.me || {};
  const mine = (me.extra && me.extra.wall) || { voted: [], votesLeft: 3, notes: 0 };
  const [text, setText] = useDraft(gameId, 'note');
  const [target, setTarget] = useDraft(gameId, 'noteTarget', 'devs');
  const [busy, setBusy] = useState(false);
  const { clusters, byCluster, loose } = wallData(session);

  async function post(e) {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    const r = await run(session.send('note.add', { text: text.trim(), target }));
    setBusy(false);
    if (r) {
      setText('');
      notify(t('wall.posted'));
    }
  }

  return html`<section aria-labelledby="wall-h">
    <h2 id="wall-h">${t('phase.wall')}</h2>
    <p class="lead">${t('wall.intro')}</p>
    <form class="card form" onSubmit=${post}>
      <${Choice} legend=${t('wall.target')} name="target" value=${target} onChange=${setTarget}
        options=${[{ value: 'devs', label: t('wall.toDevs') }, { value: 'ops', label: t('wall.toOps') }]} />
      <${TextField} label=${t('wall.note')} value=${text} onInput=${setText} max=${MAX_NOTE} rows=${3} name="note"
        hint=${t('wall.noteHint')} />
      <button class="btn btn-primary" type="submit" disabled=${busy || !text.trim()}>${t('wall.post')}</button>
      <p class="muted">${t('wall.mine', { n: mine.notes })}</p>
    </form>
    <h3>${t('wall.clusters')}</h3>
    <p class="muted" aria-live="polite">${t('wall.votesLeft', { n: mine.votesLeft })}</p>
    ${clusters.length === 0 ? html`<p class="muted">${t('wall.noClusters')}</p>` : null}
    <ul class="clusters">
      ${clusters.map((c) => {
        const voted = (mine.voted || []).includes(c.id);
        return html`<li key=${c.id} class="cluster card">
          <div class="cluster-head">
            <h4>${c.name}</h4>
            <span class="votes">${t('wall.votes', { n: c.votes })}</span>
            <button type="button" class=${`btn btn-small${voted ? ' btn-on' : ''}`} aria-pressed=${voted ? 'true' : 'false'}
              disabled=${!voted && mine.votesLeft <= 0}
              onClick=${() => run(session.send(voted ? 'cluster.unvote' : 'cluster.vote', { clusterId: c.id }))}>
              ${voted ? t('wall.unvote') : t('wall.vote')}<span class="sr-only"> ${c.name}</span>
            </button>
          </div>
          <ul class="notes">${byCluster.get(c.id).map((n) => html`<${Note} key=${n.id} note=${n} />`)}</ul>
        </li>`;
      })}
    </ul>
    <${LooseNotes} loose=${loose} />
  </section>`;
}

function LooseNotes({ loose, big, renderExtra }) {
  const devs = loose.filter((n) => n.target === 'devs');
  const ops = loose.filter((n) => n.target === 'ops');
  if (!loose.length) return null;
  return html`<div class="wall-columns">
    <div><h3>${t('wall.toDevs')} (${devs.length})</h3>
      <ul class="notes">${devs.map((n) => html`<${Note} key=${n.id} note=${n} big=${big}>${renderExtra && renderExtra(n)}</${Note}>`)}</ul></div>
    <div><h3>${t('wall.toOps')} (${ops.length})</h3>
      <ul class="notes">${ops.map((n) => html`<${Note} key=${n.id} note=${n} big=${big}>${renderExtra && renderExtra(n)}</${Note}>`)}</ul></div>
  </div>`;
}

/** ScreenWall is the projector's live wall. */
export function ScreenWall({ session }) {
  const { clusters, byCluster, loose, notes } = wallData(session);
  const ranked = [...clusters].sort((a, b) => b.votes - a.votes || a.order - b.order);
  return html`<section class="screen-wall" aria-labelledby="wall-h">
    <h2 id="wall-h">${t('phase.wall')} <span class="muted">· ${t('wall.count', { n: notes.length })}</span></h2>
    ${ranked.length ? html`<ol class="clusters clusters-screen">
      ${ranked.map((c) => html`<li key=${c.id} class="cluster card">
        <div class="cluster-head"><h3>${c.name}</h3><span class="votes">${t('wall.votes', { n: c.votes })}</span></div>
        <ul class="notes">${byCluster.get(c.id).map((n) => html`<${Note} key=${n.id} note=${n} big />`)}</ul>
      </li>`)}
    </ol>` : null}
    <${LooseNotes} loose=${loose.slice(-40)} big />
  </section>`;
}

/** HostWall lets the facilitator cluster and moderate the wall. */
export function HostWall({ session }) {
  const { clusters, byCluster, loose, notes } = wallData(session);
  const [name, setName] = useState('');
  const [editing, setEditing] = useState(null);
  const [editName, setEditName] = useState('');

  async function create(e) {
    e.preventDefault();
    if (!name.trim()) return;
    if (await run(session.send('cluster.create', { name: name.trim() }))) setName('');
  }

  function noteTools(n) {
    return html`<span class="note-tools">
      <label class="sr-only" for=${`mv-${n.id}`}>${t('wall.moveTo')}</label>
      <select id=${`mv-${n.id}`} value=${n.cluster || ''} onChange=${(e) => run(session.send('note.move', { noteId: n.id, clusterId: e.currentTarget.value }))}>
        <option value="">${t('wall.ungrouped')}</option>
        ${clusters.map((c) => html`<option key=${c.id} value=${c.id}>${c.name}</option>`)}
      </select>
      <button type="button" class="btn btn-small" onClick=${() => run(session.send('note.hide', { noteId: n.id, hidden: !n.hidden }))}>
        ${n.hidden ? t('wall.show') : t('wall.hide')}
      </button>
    </span>`;
  }

  return html`<section aria-labelledby="hwall-h">
    <h2 id="hwall-h">${t('phase.wall')} <span class="muted">· ${t('wall.count', { n: notes.length })}</span></h2>
    <form class="inline-form" onSubmit=${create}>
      <${TextField} label=${t('wall.newCluster')} value=${name} onInput=${setName} max=${60} name="cluster" />
      <button class="btn btn-primary" type="submit" disabled=${!name.trim()}>${t('wall.create')}</button>
    </form>
    <ul class="clusters clusters-host">
      ${clusters.map((c) => html`<li key=${c.id} class="cluster card">
        <div class="cluster-head">
          ${editing === c.id ? html`<form class="inline-form" onSubmit=${async (e) => {
            e.preventDefault();
            if (await run(session.send('cluster.rename', { clusterId: c.id, name: editName.trim() }))) setEditing(null);
          }}>
            <${TextField} label=${t('wall.rename')} value=${editName} onInput=${setEditName} max=${60} name="rename" autofocus />
            <button class="btn btn-small btn-primary" type="submit">${t('save')}</button>
            <button class="btn btn-small" type="button" onClick=${() => setEditing(null)}>${t('cancel')}</button>
          </form>` : html`<h3>${c.name}</h3>
            <span class="votes">${t('wall.votes', { n: c.votes })}</span>
            <button type="button" class="btn btn-small" onClick=${() => { setEditing(c.id); setEditName(c.name); }}>${t('wall.rename')}<span class="sr-only"> ${c.name}</span></button>
            <button type="button" class="btn btn-small btn-danger" onClick=${() => {
              if (window.confirm(t('wall.confirmDelete', { name: c.name }))) run(session.send('cluster.delete', { clusterId: c.id }));
            }}>${t('delete')}<span class="sr-only"> ${c.name}</span></button>`}
        </div>
        <ul class="notes">${byCluster.get(c.id).map((n) => html`<${Note} key=${n.id} note=${n}>${noteTools(n)}</${Note}>`)}</ul>
      </li>`)}
    </ul>
    <h3>${t('wall.ungrouped')}</h3>
    ${loose.length ? html`<${LooseNotes} loose=${loose} renderExtra=${noteTools} />` : html`<p class="muted">${t('wall.allGrouped')}</p>`}
  </section>`;
}
