// strings-live.js: the UI strings of the live views added for workshops
// of 40 and events of 240 (the wall's selection tools, the projector's
// stage, the connection's liveness), in English (en) and French (fr).
// i18n.js merges them with strings.js; both dictionaries must have the
// same keys (the tests check it).

const plural = (n, one, many) => (Number(n) === 1 ? one : many);
const pluralFr = (n, one, many) => (Math.abs(Number(n)) < 2 ? one : many);

export const en = {
  'revoked.kicked': 'The facilitator removed you from this game.',
};

export const fr = {
  'revoked.kicked': "L'animateur vous a retiré de cette partie.",
};
