// lan.js gives the address phones must use to join. A page opened on
// this computer (localhost, as `go run .` suggests) would otherwise show
// phones a link and a QR code they cannot open: the server tells a local
// page its network addresses (GET /api/addresses) and draws the QR code
// of the join link at the first one.

import { useState, useEffect } from './deps.js';
import { api } from './session.js';

const loopback = /^(localhost|127\.|\[::1\]$|::1$)/;
let asked = null;

function addresses() {
  if (!asked) asked = api('GET', '/api/addresses').then((r) => r.addresses || []).catch(() => []);
  return asked;
}

/** useJoinAddress returns {origin, qr, local, unreachable}: the origin of
 * the join link phones can open, the URL of its QR code, whether this page
 * runs on the server's machine, and whether no address for phones is
 * known (a page on localhost and no network). */
export function useJoinAddress(code) {
  const local = loopback.test(location.hostname);
  const [lan, setLan] = useState(null);
  useEffect(() => {
    if (local) addresses().then((list) => setLan(list[0] || ''));
  }, [local]);
  const q = encodeURIComponent(code);
  if (!local || !lan) {
    return { origin: location.origin, qr: `/qr?code=${q}`, local, unreachable: local && lan === '' };
  }
  const host = `${lan}${location.port ? `:${location.port}` : ''}`;
  return { origin: `http://${host}`, qr: `/api/joinqr?code=${q}&addr=${encodeURIComponent(lan)}`, local, unreachable: false };
}
