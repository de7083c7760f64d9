// storage.js keeps what must survive a reload in localStorage: the tokens
// of the games this browser is in, drafts of text being typed and
// commands not yet acknowledged. Every access tolerates a browser that
// refuses storage (private mode, full quota): the game still works, it
// just forgets on reload.

const PREFIX = 'dc:';

export function load(key, fallback = null) {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw === null ? fallback : JSON.parse(raw);
  } catch {
    return fallback;
  }
}

export function save(key, value) {
  try {
    if (value === null || value === undefined) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Storage refused: nothing to do.
  }
}

export function remove(key) { save(key, null); }

/** keys lists the stored keys starting with prefix (without dc:). */
export function keys(prefix) {
  const out = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (k && k.startsWith(PREFIX + prefix)) out.push(k.slice(PREFIX.length));
    }
  } catch {
    // ignore
  }
  return out;
}

// Seats: a seat is what proves who this browser is in one game:
// {gameId, token, role, code, nickname, title, at}.

export function seat(role, gameId) { return load(`seat:${role}:${gameId}`); }

export function saveSeat(role, gameId, s) {
  save(`seat:${role}:${gameId}`, { ...s, role, gameId, at: Date.now() });
}

export function dropSeat(role, gameId) {
  remove(`seat:${role}:${gameId}`);
  for (const k of keys(`draft:${gameId}:`)) remove(k);
  remove(`outbox:${role}:${gameId}`);
}

/** seats lists every seat held by this browser, newest first. */
export function seats() {
  return keys('seat:').map((k) => load(k)).filter((s) => s && s.gameId && s.token)
    .sort((a, b) => (b.at || 0) - (a.at || 0));
}

// Drafts: text typed but not sent yet, per game and field.

export function draft(gameId, field) { return load(`draft:${gameId}:${field}`, null); }

export function saveDraft(gameId, field, value) {
  save(`draft:${gameId}:${field}`, value === '' ? null : value);
}
