// i18n.js holds every UI string in English and French (merged from the
// strings*.js modules, one per area) and the current language: the one
// the person chose (remembered), or else the browser's. Scenario texts
// come as {en, fr} objects and are picked with tx().

import { load, save } from './storage.js';
import * as common from './strings.js';
import * as wall from './strings-wall.js';
import * as study from './strings-study.js';
import * as sprints from './strings-sprints.js';
import * as debate from './strings-debate.js';
import * as host from './strings-host.js';
import * as retro from './strings-retro.js';
import * as live from './strings-live.js';
// The dictionaries' own import, named here too so that the browser fetches
// it with them rather than after them (one round trip less on a phone).
import './plural.js';

export const LANGS = ['en', 'fr'];
// The dictionaries of every area, merged: the one place that lists them.
const areas = [common, wall, study, sprints, debate, host, retro, live];
const dicts = {
  en: Object.assign({}, ...areas.map((a) => a.en)),
  fr: Object.assign({}, ...areas.map((a) => a.fr)),
};
const listeners = new Set();

function browserLang() {
  const prefs = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'];
  for (const p of prefs) {
    const l = String(p).slice(0, 2).toLowerCase();
    if (LANGS.includes(l)) return l;
  }
  return 'en';
}

let langKey = 'lang';
let current = load(langKey) || browserLang();
let chosen = !!load(langKey);

function apply() {
  document.documentElement.lang = current;
}
apply();

export function lang() { return current; }

/** scopeLang makes this page remember its language apart from the other
 * pages of the browser: the projector, often opened in the facilitator's
 * browser, shows the game's language of shared screens, not the one the
 * console was switched to, until someone picks one on the projector. */
export function scopeLang(scope) {
  langKey = `lang:${scope}`;
  const l = load(langKey);
  chosen = !!l;
  setLang(l || browserLang(), false);
}

/** langChosen reports whether the person picked a language themselves. */
export function langChosen() { return chosen; }

export function setLang(l, remember = true) {
  if (!LANGS.includes(l)) return;
  if (remember) {
    save(langKey, l);
    chosen = true;
  }
  if (l === current) return;
  current = l;
  apply();
  for (const fn of listeners) fn(l);
}

export function onLang(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** t returns the UI string key in the current language, with {name}
 * placeholders replaced by params. A missing key shows itself, so that a
 * gap is visible (and caught by the tests) rather than silent. */
export function t(key, params) {
  let s = dicts[current][key];
  if (s === undefined) s = dicts.en[key];
  if (s === undefined) return key;
  if (typeof s === 'function') return typo(s(params || {}));
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined ? m : String(params[k])));
  return typo(s);
}

/** tx picks a scenario text ({en, fr}) in the current language. */
export function tx(text) {
  if (text === null || text === undefined) return '';
  if (typeof text === 'string') return text;
  return typo(text[current] || text.en || text.fr || '');
}

// French typography: a no-break space before « : ; » and units, a narrow
// one before « ! ? », and inside guillemets, so that a line never starts
// with a colon or a question mark. The strings keep plain spaces; this
// pass runs on every French text shown (it leaves the others alone).
const frSpaces = [
  [/ ([:;»])/g, '\u00a0$1'],
  [/« /g, '«\u00a0'],
  [/ ([!?])/g, '\u202f$1'],
  [/(\d) (%|min\b|h\b|j\b|s\b)/g, '$1\u00a0$2'],
];

/** typo applies French typography to a French text. */
export function typo(s) {
  if (current !== 'fr' || typeof s !== 'string') return s;
  for (const [re, to] of frSpaces) s = s.replace(re, to);
  return s;
}

/** errText picks the sentence of a server error in the current language. */
export function errText(e) {
  if (!e) return '';
  if (current === 'fr') return typo(e.messageFr || e.message || String(e));
  return e.messageEn || e.message || String(e);
}

/** num formats a number for the current language. */
export function num(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return '–';
  return new Intl.NumberFormat(current === 'fr' ? 'fr-FR' : 'en-GB', {
    maximumFractionDigits: digits, minimumFractionDigits: 0,
  }).format(n);
}

/** keySets exposes the dictionaries' keys, for the tests. */
export function keySets() {
  return { en: Object.keys(dicts.en).sort(), fr: Object.keys(dicts.fr).sort() };
}
