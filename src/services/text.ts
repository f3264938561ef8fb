import { AppError, badRequest } from '../errors';

// Every C0 control but LF, DEL, and every C1 control.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/u;
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f]/u;
// Half of a UTF-16 surrogate pair without the other (JSON can spell one: "\ud800"): no character at all, which
// SQLite would store as U+FFFD, so what was read back would differ from what was accepted.
const LONE_SURROGATE = /\p{Cs}/u;
// Nothing anyone would see: spaces, and what Unicode says to draw as nothing (zero-width characters, fillers,
// variation selectors), with the blank Braille pattern. Such text passes a trim and shows as a blank post or name.
const INVISIBLE = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

export const RESERVED_HANDLES = new Set([
  'api', 'home', 'help', 'live', 'tag', 'tags', 'search', 'login', 'logout', 'signup', 'settings', 'public',
  'directory', 'notifications', 'post', 'posts', 'token', 'tokens', 'guidelines', 'metrics', 'healthz', 'assets',
  'admin', 'about', 'static', 'stream', 'me', 'root', 'system', 'bluetwit', 'twtxt', 'favicon', 'robots', 'reports',
  'signin', 'register', 'account', 'accounts', 'users', 'timeline', 'timelines', 'openapi', 'docs', 'status',
]);

const HANDLE = /^[A-Za-z0-9_]{2,30}$/;

/** Validates and lowercases a handle; reserved words and bad shapes are a 400. */
export function normalizeHandle(raw: string, field = 'handle'): string {
  // Checked before lowercasing, which folds some non-ASCII letters into ASCII (the Kelvin sign K into k).
  const trimmed = raw.trim();
  const handle = trimmed.toLowerCase();
  if (!HANDLE.test(trimmed)) {
    throw badRequest('Handles are 2–30 letters, digits or underscores.', [{ field, message: 'Use 2–30 letters, digits or underscores.' }], 'invalid_handle');
  }
  if (RESERVED_HANDLES.has(handle)) {
    throw badRequest('That handle is reserved.', [{ field, message: 'That handle is reserved for the site itself; pick another.' }], 'invalid_handle');
  }
  return handle;
}

export { foldKey } from '../db/fold';

// How fields are named in messages people read (the detail's `field` stays the API's name).
const LABELS: Record<string, string> = { displayName: 'Display name', bio: 'Bio', department: 'Department', title: 'Title', reason: 'Reason', name: 'The name' };
const label = (field: string) => LABELS[field] ?? field;

const notUnicode = (field: string) => badRequest(`${label(field)} is not valid Unicode.`, [{ field, message: 'A lone UTF-16 surrogate is not a character.' }]);

/**
 * Runs each field's check and returns their results, or throws one 400 whose details list every field that
 * failed (a single failure keeps its own message and code).
 */
export function checkFields<T extends Record<string, () => unknown>>(checks: T): { [K in keyof T]: ReturnType<T[K]> } {
  const out: Record<string, unknown> = {};
  const failed: AppError[] = [];
  for (const [name, check] of Object.entries(checks)) {
    try {
      out[name] = check();
    } catch (err) {
      if (!(err instanceof AppError) || err.status !== 400) throw err;
      failed.push(err);
    }
  }
  if (failed.length === 1) throw failed[0];
  if (failed.length > 1) throw badRequest('Several fields are invalid; the details name each.', failed.flatMap((e) => e.details ?? []));
  return out as { [K in keyof T]: ReturnType<T[K]> };
}

/** Code points, as the post limit counts them. */
export const codePoints = (s: string) => [...s].length;

/**
 * NFC, CRLF → LF, no control characters but newline, trimmed, 1..max code points. Controls are looked for before
 * trimming: a TAB or CR at either end is refused like one in the middle, not dropped without a word.
 */
export function normalizePostText(raw: string, max: number): string {
  if (LONE_SURROGATE.test(raw)) throw badRequest('The text is not valid Unicode.', [{ field: 'text', message: 'A lone UTF-16 surrogate is not a character.' }], 'invalid_text');
  const lf = raw.normalize('NFC').replace(/\r\n/g, '\n');
  if (CONTROL.test(lf)) throw badRequest('Posts cannot contain control characters.', [{ field: 'text', message: 'No control characters (line breaks are fine).' }], 'invalid_text');
  const text = lf.trim();
  const n = codePoints(text);
  if (n === 0 || INVISIBLE.test(text)) throw badRequest('A post needs some text.', [{ field: 'text', message: 'Write something first (something visible).' }], 'invalid_text');
  if (n > max) throw badRequest(`Posts are at most ${max} characters (this one has ${n}).`, [{ field: 'text', message: `At most ${max} characters; this has ${n}.` }], 'text_too_long');
  return text;
}

/** Single-line profile text: NFC, trimmed, bounded, no controls or newlines; empty allowed unless `required`. */
export function normalizeLine(raw: string, field: string, max: number, required = false): string {
  // A stray newline at an end (pasted from a form) is trimmed; any other control, anywhere, is refused.
  if (LONE_SURROGATE.test(raw)) throw notUnicode(field);
  if (CONTROL.test(raw)) throw badRequest(`${label(field)} cannot contain control characters.`, [{ field, message: 'No control characters.' }]);
  const text = raw.normalize('NFC').trim();
  const n = codePoints(text);
  if (required && (n === 0 || INVISIBLE.test(text))) throw badRequest(`${label(field)} is required.`, [{ field, message: 'Required.' }]);
  if (n > max) throw badRequest(`${label(field)} is at most ${max} characters.`, [{ field, message: `At most ${max} characters.` }]);
  if (CONTROL_OR_NEWLINE.test(text)) throw badRequest(`${label(field)} cannot contain control characters.`, [{ field, message: 'No control characters.' }]);
  return text;
}

/** Multi-line profile text (bio): like a post, but may be empty. */
export function normalizeBlock(raw: string, field: string, max: number): string {
  if (LONE_SURROGATE.test(raw)) throw notUnicode(field);
  const lf = raw.normalize('NFC').replace(/\r\n/g, '\n');
  if (CONTROL.test(lf)) throw badRequest(`${label(field)} cannot contain control characters.`, [{ field, message: 'No control characters.' }]);
  const text = lf.trim();
  if (codePoints(text) > max) throw badRequest(`${label(field)} is at most ${max} characters.`, [{ field, message: `At most ${max} characters.` }]);
  return text;
}

// The same boundaries as the client's renderer (client/src/text.ts). Not after a letter, digit, `_` or `@` (an
// email), `/` or `=` (a path or query: medium.com/@alice), nor followed by `@` (someone on another server).
const MENTION = /(?<![\p{L}\p{N}_@/=])@([a-z0-9_]{2,30})(?![\p{L}\p{N}_@])/giu;
// Not after a letter, digit, `_`, `#`, `&` (an entity), `/`, `=` or `)` (a URL's fragment: repo/#readme).
const TAG = /(?<![\p{L}\p{N}_#&/=)])#([\p{L}\p{M}\p{N}_]{1,100})/gu;
// Links are neither mentions nor tags, whatever they contain (the client renders them as one link too).
const URL = /https?:\/\/[^\s<>"'`]+/giu;
const outsideLinks = (text: string) => text.replace(URL, (u) => ' '.repeat(u.length));

/** Distinct lowercased @handles in order of appearance, outside links. */
export function parseMentions(text: string): string[] {
  return [...new Set([...outsideLinks(text).matchAll(MENTION)].map((m) => m[1].toLowerCase()))];
}

/** Distinct lowercased #tags (letters, digits, underscore; not all digits) in order of appearance, outside links. */
export function parseTags(text: string): string[] {
  return [...new Set([...outsideLinks(text).matchAll(TAG)].map((m) => m[1].toLowerCase()).filter((t) => !/^\d+$/.test(t)))];
}

/** Validates a tag from a URL: same alphabet as parsing. */
export function normalizeTag(raw: string): string {
  const tag = raw.replace(/^#/, '').normalize('NFC').toLowerCase();
  if (!/^[\p{L}\p{M}\p{N}_]{1,100}$/u.test(tag)) throw badRequest('Tags are letters, digits and underscores.', [{ field: 'tag', message: 'invalid tag' }], 'invalid_tag');
  return tag;
}
