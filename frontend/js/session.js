// session.js is the live link to one game over the WebSocket: it says
// hello with the token, keeps the documents the server sends (a snapshot
// replaces them, an update merges them), sends commands and matches their
// acknowledgements, and reconnects by itself with exponential backoff and
// jitter. Commands not yet acknowledged are kept in localStorage and sent
// again, with the same id, after a reconnect or a reload: the server
// applies a command id once.
//
// At event scale the server sends dozens of updates a second: documents
// are changed in place (never a copy of the whole set), and listeners are
// told once per animation frame which keys changed, so that each
// component redraws only for the documents it shows (useDocs in ui.js).
//
// A connection can die without a close (Wi-Fi gone, a phone asleep): the
// session pings when nothing came for a few seconds and gives the socket
// up when no answer follows, so that "online" is never a lie for long.

import { load, save } from './storage.js';

const SUBPROTOCOL = 'devops-challenge.v1';
const CLOSE_REVOKED = 4001;
const CLOSE_BAD_HELLO = 4002;
const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 15000;
// A socket that has not brought the first answer (snapshot or update)
// this long after it was opened is given up and another one is tried:
// the page must not wait forever on a connection that went nowhere.
const ANSWER_TIMEOUT_MS = 12000;
// Liveness: after IDLE_MS without any message the session sends a ping;
// a ping that brings no message within ANSWER_MS, or a command none within
// COMMAND_ANSWER_MS, means the socket is dead. A command may take longer:
// the server answers it once the store has, or after 3 s without the
// store (`unavailable`), and reads nothing else meanwhile. CHECK_MS is how
// often this is looked at.
export const IDLE_MS = 3000;
export const ANSWER_MS = 3500;
export const COMMAND_ANSWER_MS = 5000;
const CHECK_MS = 1000;

/** randomId returns a unique command id; crypto.randomUUID needs a secure
 * context, which a phone on the classroom network (plain http) lacks. */
function randomId() {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** CommandError is a refusal from the server. */
export class CommandError extends Error {
  constructor(e) {
    super(e.message || e.code || 'error');
    this.code = e.code;
    this.messageEn = e.message;
    this.messageFr = e.messageFr || e.message;
  }
}

export class Session {
  /**
   * @param {{gameId: string, token: string, role: string, url?: string}} opts
   */
  constructor({ gameId, token, role, url }) {
    this.gameId = gameId;
    this.token = token;
    this.role = role;
    // ?game= is a routing hint for a load balancer in front of several
    // instances (it keeps a game's connections on one); the server goes
    // by the token.
    this.url = url || `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws?game=${encodeURIComponent(gameId)}`;
    this.docs = {};
    this.you = null;
    this.version = 0;
    this.offset = 0; // server time minus local time, in ms
    this.status = 'connecting'; // connecting, online, offline, revoked
    this.closeReason = '';
    this.attempt = 0;
    this.ws = null;
    this.timer = null;
    this.listeners = new Set();
    this.pending = new Map(); // id -> {resolve, reject}
    this.outboxKey = `outbox:${role}:${gameId}`;
    this.outbox = load(this.outboxKey, []); // [{id, cmd, args}]
    this.stopped = false;
    this.rev = 0; // grows at every change, for renderers
    // Keys changed since listeners were last told; null: everything (a
    // snapshot, a status change).
    this.changed = new Set();
    this.all = false;
    this.frame = 0;
    this.revs = new Map(); // prefix ("note", "game"…) -> change counter
    this.lastHeard = 0; // when the last message came (ms)
    this.expectBy = 0; // a ping or command sent: something must come by then
    this.trace = []; // the last connection events, for debugging
    this.onOnline = () => { if (this.status === 'offline') this.connectNow(); };
    this.onVisible = () => {
      if (document.visibilityState !== 'visible') return;
      if (this.status === 'offline') this.connectNow();
      else this.check();
    };
    window.addEventListener('online', this.onOnline);
    document.addEventListener('visibilitychange', this.onVisible);
  }

  /** subscribe calls fn(session, changed) once per animation frame after
   * changes; changed is the Set of document keys that changed, or null
   * when anything may have (a snapshot, the connection status). It
   * returns the unsubscriber. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** touch records that a document changed. */
  touch(key) {
    this.changed.add(key);
    const i = key.indexOf('/');
    const prefix = i < 0 ? key : key.slice(0, i);
    this.revs.set(prefix, (this.revs.get(prefix) || 0) + 1);
  }

  /** prefixRev counts the changes of documents whose key starts with
   * prefix + "/" (or equals it): a cache key for derived data. */
  prefixRev(prefix) { return this.revs.get(prefix) || 0; }

  /** emit tells the listeners, at the next animation frame, what
   * changed; all: everything may have. */
  emit(all = true) {
    if (all) this.all = true;
    this.rev++;
    if (this.frame) return;
    const flush = () => {
      this.frame = 0;
      const changed = this.all ? null : this.changed;
      this.changed = new Set();
      this.all = false;
      for (const fn of [...this.listeners]) fn(this, changed);
    };
    // A hidden page gets no animation frames: tell the listeners anyway
    // (state must stay current for a page that comes back).
    if (typeof requestAnimationFrame === 'function' && document.visibilityState !== 'hidden') {
      this.frame = requestAnimationFrame(flush);
    } else {
      this.frame = setTimeout(flush, 100);
    }
  }

  start() {
    this.stopped = false;
    this.open();
    clearInterval(this.checker);
    this.checker = setInterval(() => this.check(), CHECK_MS);
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.answerTimer);
    clearInterval(this.checker);
    window.removeEventListener('online', this.onOnline);
    document.removeEventListener('visibilitychange', this.onVisible);
    if (this.ws) this.ws.close(1000, 'bye');
  }

  /** note keeps a connection event in a short ring (what a stuck page
   * went through, for the browser tests and for debugging). */
  note(ev, detail) {
    this.trace.push(`${new Date().toISOString().slice(11, 23)} ${ev}${detail === undefined ? '' : ` ${detail}`}`);
    if (this.trace.length > 40) this.trace.splice(0, this.trace.length - 40);
  }

  /** check finds a dead socket: nothing came within ANSWER_MS of a ping
   * or a command. After IDLE_MS of silence it sends a ping. */
  check() {
    const ws = this.ws;
    if (this.stopped || !ws || ws.readyState !== WebSocket.OPEN || this.status !== 'online') return;
    const now = Date.now();
    if (this.expectBy && now > this.expectBy) {
      this.abandon('dead', `no answer from the server for ${now - this.lastHeard} ms`);
      return;
    }
    if (!this.expectBy && now - this.lastHeard >= IDLE_MS) {
      this.expect();
      try { ws.send('{"type":"ping"}'); } catch { /* onclose follows */ }
    }
  }

  /** expect notes that an answer is due within ms (a ping or a command
   * was sent). */
  expect(ms = ANSWER_MS) {
    if (!this.expectBy) this.expectBy = Date.now() + ms;
  }

  /** serverNow is the server's clock in Unix ms, corrected for skew. */
  serverNow() { return Date.now() + this.offset; }

  setStatus(s) {
    if (this.status !== s) {
      this.status = s;
      this.emit();
    }
  }

  connectNow() {
    clearTimeout(this.timer);
    this.attempt = 0;
    this.open();
  }

  open() {
    if (this.stopped || this.status === 'revoked') return;
    if (this.ws && (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)) return;
    this.setStatus(this.version ? 'offline' : 'connecting');
    let ws;
    try {
      ws = new WebSocket(this.url, SUBPROTOCOL);
    } catch (e) {
      this.note('socket-failed', String(e));
      this.retry();
      return;
    }
    this.note('connect', `v${this.version}`);
    this.ws = ws;
    this.expectBy = 0;
    let answered = false;
    clearTimeout(this.answerTimer);
    this.answerTimer = setTimeout(() => {
      if (answered || this.ws !== ws || this.stopped) return;
      const state = ws.readyState === WebSocket.OPEN ? 'open, hello sent' : `readyState ${ws.readyState}`;
      this.abandon('no-answer', `no answer from the server ${ANSWER_TIMEOUT_MS} ms after connecting (${state})`);
    }, ANSWER_TIMEOUT_MS);
    ws.onopen = () => {
      this.note('hello', `v${this.version}`);
      ws.send(JSON.stringify({ type: 'hello', token: this.token, version: this.version }));
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return; // a socket given up on
      this.lastHeard = Date.now();
      this.expectBy = 0;
      if (!answered) {
        answered = true;
        clearTimeout(this.answerTimer);
      }
      let m;
      try {
        m = JSON.parse(ev.data);
      } catch {
        this.note('bad-message', String(ev.data).slice(0, 80));
        return;
      }
      this.receive(m);
    };
    ws.onclose = (ev) => {
      this.note('close', `${ev.code}${ev.reason ? ` ${ev.reason}` : ''}${this.ws === ws ? '' : ' (old socket)'}`);
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      if (ev.code === CLOSE_REVOKED) {
        this.closeReason = ev.reason || '';
        this.status = 'revoked';
        for (const p of this.pending.values()) p.reject(new CommandError({ code: 'unauthorized', message: ev.reason }));
        this.pending.clear();
        this.emit();
        return;
      }
      this.setStatus('offline');
      this.retry(ev.code === CLOSE_BAD_HELLO);
    };
    ws.onerror = () => { /* onclose follows */ };
  }

  /** abandon gives up the current socket (it brought nothing, or
   * something that makes no sense) and tries another one. The warning
   * goes to the console, where the browser tests pick it up. */
  abandon(tag, why) {
    const ws = this.ws;
    if (!ws) return;
    this.note(tag, why);
    console.warn(`dc: ${why}; reconnecting`);
    this.ws = null;
    clearTimeout(this.answerTimer);
    try { ws.close(); } catch { /* already closing */ }
    this.setStatus('offline');
    this.retry();
  }

  /** retry schedules a reconnection: full jitter over an exponential
   * backoff, so that a whole classroom does not reconnect in step. */
  retry(slow = false) {
    clearTimeout(this.timer);
    const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** this.attempt) * (slow ? 4 : 1);
    this.attempt = Math.min(this.attempt + 1, 10);
    const delay = 200 + Math.random() * ceiling;
    this.note('retry', `in ${Math.round(delay)} ms`);
    this.nextRetryAt = Date.now() + delay;
    this.timer = setTimeout(() => this.open(), delay);
  }

  receive(m) {
    if (m.now) this.offset = m.now - Date.now();
    if (m.type === 'snapshot' || m.type === 'error' || this.status !== 'online') {
      this.note(m.type, `v${m.version || ''}${m.code ? ` ${m.code}` : ''}`);
    }
    switch (m.type) {
      case 'snapshot':
        this.docs = m.docs || {};
        this.you = m.you || null;
        this.version = m.version || 0;
        for (const k of Object.keys(this.docs)) this.touch(k);
        this.online(true);
        break;
      case 'update': {
        if (!this.version) {
          // An update merges into a snapshot; without one, the page
          // would show a game it does not have. Start again.
          this.abandon('out-of-sync', `an update (v${m.version}) came before any snapshot`);
          return;
        }
        const docs = this.docs;
        for (const [k, v] of Object.entries(m.docs || {})) {
          if (v === null) delete docs[k];
          else docs[k] = v;
          this.touch(k);
        }
        if (m.version) this.version = m.version;
        this.online(false);
        break;
      }
      case 'pong':
        break;
      case 'ack':
        this.settle(m.id, null, m.result || {});
        this.emit();
        break;
      case 'error':
        if (m.id && m.code === 'unavailable' && this.outbox.some((c) => c.id === m.id)) {
          // The store did not answer: the command may yet be stored, so it
          // stays in the outbox and goes again with the same id (the server
          // applies an id once and answers a repeat with the first ack).
          this.retryLater(m.id);
        } else if (m.id) this.settle(m.id, new CommandError(m), null);
        else this.lastError = new CommandError(m);
        this.emit();
        break;
      default:
    }
  }

  online(all) {
    const was = this.status;
    this.status = 'online';
    this.attempt = 0;
    if (was !== 'online') this.flush();
    this.emit(all || was !== 'online');
  }

  settle(id, err, result) {
    if (this.retries) this.retries.delete(id);
    this.outbox = this.outbox.filter((c) => c.id !== id);
    save(this.outboxKey, this.outbox.length ? this.outbox : null);
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (err) p.reject(err);
    else p.resolve(result);
  }

  /** retryLater sends a command the store could not take again, with its
   * id, after a pause that grows from 0.5 s to 4 s (with jitter). */
  retryLater(id) {
    this.retries = this.retries || new Map();
    const n = (this.retries.get(id) || 0) + 1;
    this.retries.set(id, n);
    const delay = Math.min(4000, 250 * 2 ** n) * (0.5 + Math.random() / 2);
    setTimeout(() => {
      const c = this.outbox.find((x) => x.id === id);
      if (c) this.transmit(c);
      else this.retries.delete(id);
    }, delay);
  }

  /** flush sends every command not acknowledged yet (after a reconnect or
   * a reload), with its original id. */
  flush() {
    for (const c of this.outbox) this.transmit(c);
  }

  transmit(c) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN && this.status === 'online') {
      this.ws.send(JSON.stringify({ type: 'cmd', id: c.id, cmd: c.cmd, args: c.args || {} }));
      this.expect(COMMAND_ANSWER_MS);
    }
  }

  /** send sends a command; it resolves with the ack's result or rejects
   * with a CommandError. While offline the command waits in the outbox. */
  send(cmd, args = {}) {
    if (this.status === 'revoked') return Promise.reject(new CommandError({ code: 'unauthorized', message: 'revoked' }));
    const c = { id: randomId(), cmd, args };
    this.outbox.push(c);
    save(this.outboxKey, this.outbox);
    const p = new Promise((resolve, reject) => this.pending.set(c.id, { resolve, reject }));
    this.transmit(c);
    this.emit();
    return p;
  }

  /** unsent counts the commands waiting for an acknowledgement. */
  unsent() { return this.outbox.length; }

  /** list returns the documents whose key starts with prefix, sorted by
   * the given function or by key. */
  list(prefix, sort) {
    const out = [];
    for (const [k, v] of Object.entries(this.docs)) {
      if (k.startsWith(prefix)) out.push(v);
    }
    if (sort) out.sort(sort);
    return out;
  }
}

/** api calls the HTTP JSON API; it throws a CommandError on refusal. */
export async function api(method, path, body, token) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new CommandError({ code: 'network', message: 'The server cannot be reached; check the network and try again.',
      messageFr: 'Le serveur est injoignable ; vérifiez le réseau et réessayez.' });
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    data = null;
  }
  if (!res.ok) {
    throw new CommandError(data && data.code ? data : { code: 'http', message: `HTTP ${res.status}`, messageFr: `HTTP ${res.status}` });
  }
  return data;
}
