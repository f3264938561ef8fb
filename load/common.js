// Shared helpers for the k6 scripts. k6 APIs only: no Node modules, nothing from src/.
import { SharedArray } from 'k6/data';
import { Counter } from 'k6/metrics';

/** Where the service listens, without a trailing slash. */
export const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');

// k6 resolves a relative open() path against the directory of the script it runs (load/), not the shell's
// working directory, so this default is the repository's ./data/tokens.json. Pass an absolute -e TOKENS=… to be sure.
const TOKENS_PATH = __ENV.TOKENS || '../data/tokens.json';

/**
 * @typedef {'light' | 'median' | 'heavy'} TokenClass
 * @typedef {{ class: TokenClass, handle: string, token: string, following: number }} TokenEntry
 * @typedef {{ profile: string, seed: number, password: string, accounts: number, posts: number, follows: number }} Baseline
 */

/** @type {{ baseline: Baseline, tokens: TokenEntry[], targets: string[] } | undefined} */
let parsed;
function tokenFile() {
  if (!parsed) {
    parsed = JSON.parse(open(TOKENS_PATH));
    if (!parsed || !Array.isArray(parsed.tokens) || parsed.tokens.length === 0) {
      throw new Error(`${TOKENS_PATH} has no tokens: run "npm run seed -- --profile company" first`);
    }
  }
  return parsed;
}

/**
 * The seeded readers' tokens, shared read-only between VUs. Call from the init context (top level of a script).
 * @returns {TokenEntry[]}
 */
export function loadTokens() {
  return new SharedArray('tokens', () => tokenFile().tokens);
}

/**
 * Handles of ordinary seeded accounts, for following and looking up. Init context only.
 * @returns {string[]}
 */
export function loadTargets() {
  return new SharedArray('targets', () => tokenFile().targets || tokenFile().tokens.map((t) => t.handle));
}

/**
 * Splits tokens by class; a class missing from the file falls back to all tokens so a script still runs.
 * @param {TokenEntry[]} tokens
 * @returns {Record<TokenClass, TokenEntry[]>}
 */
export function byClass(tokens) {
  /** @type {Record<TokenClass, TokenEntry[]>} */
  const out = { light: [], median: [], heavy: [] };
  for (let i = 0; i < tokens.length; i++) out[tokens[i].class].push(tokens[i]);
  for (const k of /** @type {TokenClass[]} */ (['light', 'median', 'heavy'])) if (out[k].length === 0) out[k] = Array.from(tokens);
  return out;
}

/**
 * Picks a class by weight, e.g. { light: 40, median: 40, heavy: 20 }.
 * @param {Record<TokenClass, number>} weights
 * @returns {TokenClass}
 */
export function pickClass(weights) {
  const total = weights.light + weights.median + weights.heavy;
  let x = Math.random() * total;
  for (const k of /** @type {TokenClass[]} */ (['light', 'median', 'heavy'])) {
    if ((x -= weights[k]) < 0) return k;
  }
  return 'heavy';
}

/**
 * Parses "light,median,heavy" weights from an env var, e.g. MIX=40,40,20.
 * @param {string | undefined} value
 * @param {Record<TokenClass, number>} fallback
 * @returns {Record<TokenClass, number>}
 */
export function parseMix(value, fallback) {
  if (!value) return fallback;
  const [light, median, heavy] = value.split(',').map(Number);
  if (![light, median, heavy].every((n) => Number.isFinite(n) && n >= 0)) throw new Error(`bad MIX "${value}": want light,median,heavy`);
  return { light, median, heavy };
}

/**
 * @template T
 * @param {ArrayLike<T>} arr
 * @returns {T}
 */
export function pick(arr) {
  return arr[Math.floor(Math.random() * arr.length)];
}

/**
 * Request headers for a bearer token (JSON both ways).
 * @param {string} token
 * @param {Record<string, string>} [extra]
 * @returns {Record<string, string>}
 */
export function authHeaders(token, extra) {
  return Object.assign({ Authorization: `Bearer ${token}`, Accept: 'application/json', 'Content-Type': 'application/json' }, extra || {});
}

/**
 * Request params: bearer auth plus tags. `name` groups URLs that differ by id or cursor into one metric series.
 * @param {string} token
 * @param {string} name
 * @param {Record<string, string>} [tags]
 * @param {Record<string, string>} [headers]
 * @returns {import('k6/http').Params}
 */
export function authed(token, name, tags, headers) {
  return { headers: authHeaders(token, headers), tags: Object.assign({ name }, tags || {}) };
}

/**
 * The parsed JSON body, or null when there is none or it is not JSON.
 * @param {import('k6/http').RefinedResponse<any>} res
 * @returns {any}
 */
export function body(res) {
  if (typeof res.body !== 'string' || res.body === '') return null;
  try {
    return JSON.parse(res.body);
  } catch (_) {
    return null;
  }
}

/** Path plus query string for a page after `cursor`. */
export function withCursor(/** @type {string} */ path, /** @type {string | null | undefined} */ cursor) {
  if (!cursor) return path;
  return `${path}${path.includes('?') ? '&' : '?'}cursor=${encodeURIComponent(cursor)}`;
}

/**
 * Seconds in a k6 duration string such as "90s", "10m", "1h30m" or "1h5m30s".
 * @param {string} value
 * @returns {number}
 */
export function seconds(value) {
  const units = /** @type {Record<string, number>} */ ({ ms: 0.001, s: 1, m: 60, h: 3600 });
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let m;
  let matched = '';
  while ((m = re.exec(value)) !== null) {
    total += Number(m[1]) * units[m[2]];
    matched += m[0];
  }
  if (matched !== value) throw new Error(`bad duration "${value}"`);
  return total;
}

/** Responses refused by rate limiting (429), counted apart from errors. */
export const rateLimited = new Counter('rate_limited');
/** 5xx responses and transport errors (status 0). */
export const serverErrors = new Counter('server_errors');

/**
 * Counts 429s and 5xx/transport errors into their own metrics; returns the response for chaining.
 * @template {import('k6/http').RefinedResponse<any>} R
 * @param {R} res
 * @returns {R}
 */
export function tally(res) {
  if (res.status === 429) rateLimited.add(1);
  else if (res.status === 0 || res.status >= 500) serverErrors.add(1);
  return res;
}

/** A short unique-enough suffix for handles, idempotency keys and search words. */
export function uid() {
  return `${Date.now().toString(36)}${Math.floor(Math.random() * 1e9).toString(36)}`;
}

const WORDS = ['deploy', 'review', 'standup', 'roadmap', 'latency', 'coffee', 'incident', 'demo', 'retro', 'docs', 'cache', 'queue'];
const TAGS = ['loadtest', 'release', 'oncall', 'perf', 'standup'];

/** Some plausible post text (under 280 code points), sometimes tagged. */
export function postText() {
  let text = `k6 says: ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} at ${new Date().toISOString()}`;
  if (Math.random() < 0.5) text += ` #${pick(TAGS)}`;
  return text;
}
