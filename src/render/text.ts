import stringWidth from 'string-width';
import type { AccountJson, PostJson } from './json';

/** The renderers take the API's own entities, so text and JSON can never describe a post differently. */
export type PostView = PostJson;
export type AccountView = AccountJson;
export type AuthorView = PostJson['author'];

/** Layout shared by every renderer: the terminal's width in cells, and whether to emit ANSI colour. */
export type LayoutOptions = { width: number; color?: boolean };
export type PostOptions = LayoutOptions & { now: Date; indent?: number };
/** A page of a list: the shell command for the next page, and a one-line hint at the end. */
export type PageOptions = { nextCommand?: string | null; hint?: string };
export type TimelineOptions = PostOptions & PageOptions;
export type AccountListOptions = LayoutOptions & PageOptions;

// Below this, layouts stop making sense; callers already clamp to 40.
const MIN_WIDTH = 20;
const DEFAULT_WIDTH = 80;
// A display name is left out rather than shortened to fewer cells than this.
const MIN_NAME = 4;
const BODY_INDENT = '  ';

// C0 controls but LF, DEL, C1 controls, bidi marks, embeddings, overrides and isolates,
// line/paragraph separators, and surrogates without their other half.
const UNSAFE =
  /[\0-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function neutralise(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\t') return '    ';
  // Control Pictures keep the character visible without acting on it: ␛ for ESC, ␍ for CR.
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  if (ch === '\u2028' || ch === '\u2029') return '\n';
  if (ch === '\u061c' || ch === '\u200e' || ch === '\u200f') return '';
  return '\ufffd';
}

/** Makes text inert on a terminal: keeps newlines, shows every control character as a visible mark. */
export function sanitizeTerminal(s: string): string {
  return s.replace(UNSAFE, neutralise);
}

/** Like sanitizeTerminal, for single-line contexts: newlines become spaces too. */
export function sanitizeLine(s: string): string {
  return sanitizeTerminal(s).replace(/\n/g, ' ');
}

/** Terminal cells the text occupies (CJK and emoji take two). */
export function displayWidth(s: string): number {
  return stringWidth(s);
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const graphemes = (s: string): string[] => Array.from(segmenter.segment(s), (g) => g.segment);
// Graphemes, but one wider than `width` (a long Hangul jamo cluster) is split into code points, so every piece fits a line.
const pieces = (s: string, width: number): string[] =>
  graphemes(s).flatMap((g) => (displayWidth(g) > width ? [...g] : [g]));

/** Shortens one line to at most `width` cells, marking the cut with '…'. */
export function truncate(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width < 1) return '';
  let out = '';
  for (const g of graphemes(s)) {
    if (displayWidth(out + g) >= width) break;
    out += g;
  }
  return `${out.trimEnd()}…`;
}

/** Word-wraps text to `width` cells, keeping its newlines; words longer than a line are broken between graphemes. */
export function wrap(text: string, width: number): string[] {
  const max = Math.max(1, cells(width, DEFAULT_WIDTH));
  return text.split('\n').flatMap((paragraph) => wrapParagraph(paragraph, max));
}

function wrapParagraph(paragraph: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  let gap = '';
  for (const token of paragraph.split(/([ \u3000]+)/)) {
    if (token === '') continue;
    if (token[0] === ' ' || token[0] === '\u3000') {
      gap = token;
      continue;
    }
    if (displayWidth(line + gap + token) <= width) {
      line += gap + token;
    } else if (displayWidth(token) <= width) {
      if (line) lines.push(line);
      line = token;
    } else {
      // Too long for any line (a URL, a run of CJK): fill this line, then break between graphemes.
      if (displayWidth(line + gap) < width) {
        line += gap;
      } else {
        if (line) lines.push(line);
        line = '';
      }
      for (const g of pieces(token, width)) {
        if (line && displayWidth(line + g) > width) {
          lines.push(line.trimEnd());
          line = '';
        }
        line += g;
      }
    }
    gap = '';
  }
  lines.push(line);
  return lines;
}

/** "just now", "5m", "3h", "2d", then the UTC date, e.g. "2026-03-01". */
export function relativeTime(iso: string, now: Date): string {
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '?';
  const seconds = Math.floor((now.getTime() - then) / 1000);
  if (Math.abs(seconds) < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (seconds < 0 || days >= 7) return new Date(then).toISOString().slice(0, 10);
  if (hours < 1) return `${minutes}m`;
  if (days < 1) return `${hours}h`;
  return `${days}d`;
}

/** One post as a block: header, indented text, counts; ends with a newline. */
export function renderPost(post: PostView, opts: PostOptions): string {
  const width = clampWidth(opts.width);
  const indent = Math.min(Math.max(0, cells(opts.indent, 0)), Math.floor(width / 2));
  const inner = width - indent;
  const paint = painter(opts.color);
  const lines = [
    ...postHeader(post, inner, opts.now, paint),
    ...wrap(sanitizeTerminal(post.text), inner - BODY_INDENT.length).map(bodyLine),
    ...flow(postCounts(post), '  ', inner - BODY_INDENT.length).map((l) => BODY_INDENT + paint(DIM, l)),
  ];
  return block(lines.map((l) => (l ? ' '.repeat(indent) + l : '')));
}

/** A titled list of posts separated by blank lines, then the next-page command and hint. */
export function renderTimeline(title: string, posts: PostView[], opts: TimelineOptions): string {
  const width = clampWidth(opts.width);
  const paint = painter(opts.color);
  const body = posts.length ? posts.map((p) => renderPost(p, opts)) : ['(no posts)\n'];
  return [block([paint(BOLD, truncate(sanitizeLine(title), width))]), ...body, pageFooter(opts, width, paint)]
    .filter(Boolean)
    .join('\n');
}

/** A profile: handle and name, title · department, bio, counts. */
export function renderAccount(account: AccountView, opts: LayoutOptions): string {
  const width = clampWidth(opts.width);
  const paint = painter(opts.color);
  const stats = [
    plural(account.postsCount, 'post'),
    plural(account.followersCount, 'follower'),
    `${account.followingCount} following`,
    ...(account.following ? ['followed by you'] : []),
  ];
  const bio = sanitizeTerminal(account.bio).trim();
  return block([
    authorLine(account, width, paint),
    ...flow(accountDetails(account), ' · ', width),
    ...(bio ? wrap(bio, width - BODY_INDENT.length).map(bodyLine) : []),
    ...flow(stats, ' · ', width).map((l) => paint(DIM, l)),
  ]);
}

/** One line per account, then the next-page command and hint. */
export function renderAccountList(accounts: AccountView[], opts: AccountListOptions): string {
  const width = clampWidth(opts.width);
  const paint = painter(opts.color);
  const lines = accounts.length ? accounts.map((a) => accountLine(a, width, paint)) : ['(no accounts)'];
  return [block(lines), pageFooter(opts, width, paint)].filter(Boolean).join('\n');
}

/** The end of a page on its own: the next-page command, broken so it still pastes as one command, then the hint; '' if neither. */
export function renderPageFooter(opts: LayoutOptions & PageOptions): string {
  return pageFooter(opts, clampWidth(opts.width), painter(opts.color));
}

/**
 * Fixed prose with shell commands in it (the help, the guidelines, notices) laid out within `width` cells. A command
 * (a line starting with `curl` or `export`, joined with its backslash continuations) is broken so it still pastes as
 * one command; other lines wrap, keeping their indent (and a comment's `#`). Whatever the text holds is made inert first.
 */
export function layoutText(text: string, width: number): string {
  const w = clampWidth(width);
  const src = sanitizeTerminal(text).split('\n');
  const out: string[] = [];
  for (let i = 0; i < src.length; i++) {
    const indent = /^ */.exec(src[i])![0];
    let rest = src[i].slice(indent.length);
    if (/^(curl|export)\s/.test(rest)) {
      while (rest.endsWith(' \\') && i + 1 < src.length) rest = `${rest.slice(0, -2)} ${src[++i].trim()}`;
      out.push(...(displayWidth(indent + rest) <= w ? [indent + rest] : commandLines(indent, rest, w)));
    } else if (displayWidth(src[i]) <= w) {
      out.push(src[i]);
    } else {
      // A shell comment stays a comment on every line it wraps to.
      const lead = rest.startsWith('# ') ? `${indent}# ` : indent;
      out.push(...wrap(rest.slice(lead.length - indent.length), w - displayWidth(lead)).map((l) => lead + l));
    }
  }
  return out.join('\n');
}

/** An error as one plain line. */
export function renderError(message: string): string {
  return `error: ${sanitizeLine(message)}\n`;
}

type Paint = (sgr: string, s: string) => string;
const BOLD = '1';
const DIM = '2';

// The only source of escape sequences in the output: fixed SGR codes around our own layout.
const painter =
  (color = false): Paint =>
  (sgr, s) =>
    color && s ? `\x1b[${sgr}m${s}\x1b[0m` : s;

const cells = (n: number | undefined, fallback: number): number =>
  typeof n === 'number' && Number.isFinite(n) ? Math.floor(n) : fallback;
const clampWidth = (width: number): number => Math.max(MIN_WIDTH, cells(width, DEFAULT_WIDTH));
const block = (lines: string[]): string => `${lines.join('\n')}\n`;
const bodyLine = (line: string): string => (line ? BODY_INDENT + line : '');
const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Lays parts out left to right with `sep` between them, starting a new line when the next part does not fit. */
function flow(parts: string[], sep: string, width: number): string[] {
  const lines: string[] = [];
  for (const part of parts) {
    const last = lines.length - 1;
    if (last >= 0 && displayWidth(lines[last] + sep + part) <= width) lines[last] += sep + part;
    else lines.push(truncate(part, width));
  }
  return lines;
}

/** `@handle (Display Name) [bot]` within `room` cells, the name shortened to fit; null if even that does not fit. */
function authorLabel(a: AuthorView, room: number, paint: Paint): string | null {
  const handle = `@${sanitizeLine(a.handle)}`;
  const bot = a.bot ? ' [bot]' : '';
  const name = sanitizeLine(a.displayName).trim();
  const nameRoom = room - displayWidth(handle + bot) - (name ? 3 : 0);
  if (nameRoom < (name ? Math.min(displayWidth(name), MIN_NAME) : 0)) return null;
  return paint(BOLD, handle) + (name ? ` (${truncate(name, nameRoom)})` : '') + paint(DIM, bot);
}

/** The author label on a line of its own; at very small widths, just the handle, shortened if it must be. */
function authorLine(a: AuthorView, width: number, paint: Paint): string {
  return authorLabel(a, width, paint) ?? paint(BOLD, truncate(`@${sanitizeLine(a.handle)}${a.bot ? ' [bot]' : ''}`, width));
}

/** The header line, or two (author, then time · id) when the name would not fit beside the time and id. */
function postHeader(post: PostView, width: number, now: Date, paint: Paint): string[] {
  const meta = `${relativeTime(post.createdAt, now)} · ${sanitizeLine(post.id)}`;
  const oneLine = authorLabel(post.author, width - displayWidth(` · ${meta}`), paint);
  if (oneLine !== null) return [oneLine + paint(DIM, ` · ${meta}`)];
  return [authorLine(post.author, width, paint), BODY_INDENT + paint(DIM, truncate(meta, width - BODY_INDENT.length))];
}

function postCounts(post: PostView): string[] {
  const parts: string[] = [];
  if (post.likeCount > 0) parts.push(`♥ ${post.likeCount}${post.liked ? ' (liked)' : ''}`);
  if (post.replyCount > 0) parts.push(`↩ ${post.replyCount}`);
  if (post.replyTo) parts.push(`↪ reply to ${sanitizeLine(post.replyTo)}`);
  return parts;
}

const accountDetails = (a: AccountView): string[] =>
  [a.title, a.department].map((s) => sanitizeLine(s).trim()).filter(Boolean);

function accountLine(a: AccountView, width: number, paint: Paint): string {
  const label = authorLine(a, width, paint);
  const details = accountDetails(a).join(' · ');
  const room = width - displayWidth(label) - 3;
  return details && room >= MIN_NAME ? label + paint(DIM, ` · ${truncate(details, room)}`) : label;
}

function pageFooter(opts: PageOptions, width: number, paint: Paint): string {
  const lines = [
    ...(opts.nextCommand ? commandLines('next: ', sanitizeLine(opts.nextCommand), width) : []),
    ...(opts.hint ? wrap(sanitizeTerminal(opts.hint), width).map((l) => paint(DIM, l)) : []),
  ];
  return lines.length ? block(lines) : '';
}

type Quote = '' | "'" | '"';
type ShellUnit = { text: string; quote: Quote };

/**
 * Lays out a shell command within `width` cells so that it still pastes as one command:
 * lines end in a backslash-newline, between words where possible, and inside an over-long
 * word (closing and reopening a single quote around the break) only when it must.
 */
function commandLines(prefix: string, command: string, width: number): string[] {
  // Every line but the last ends with at most two cells of continuation: ` \` or `'\`.
  const room = width - 2;
  const lines: string[] = [];
  let line = prefix;
  let fresh = true;
  for (const word of shellWords(command)) {
    const sep = fresh ? '' : ' ';
    if (displayWidth(line + sep + word) <= room) {
      line += sep + word;
    } else if (!fresh && displayWidth(BODY_INDENT + word) <= room) {
      lines.push(`${line} \\`);
      line = BODY_INDENT + word;
    } else {
      // An over-long word starts on a line of its own, then breaks wherever it must.
      if (!fresh) {
        lines.push(`${line} \\`);
        line = BODY_INDENT;
      }
      let filled = false;
      for (const unit of shellUnits(word, room)) {
        if (filled && displayWidth(line + unit.text) > room) {
          // A continuation inside a word must start in column 0, or the indent would join the word.
          const reopen = unit.quote === "'" ? "'" : '';
          lines.push(`${line}${reopen}\\`);
          line = reopen;
        }
        line += unit.text;
        filled = true;
      }
    }
    fresh = false;
  }
  lines.push(line);
  return lines;
}

/** Splits a command into words at unquoted spaces, keeping the quotes and escapes verbatim. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word = '';
  for (const unit of shellUnits(command)) {
    if (unit.text === ' ' && unit.quote === '') {
      if (word) words.push(word);
      word = '';
    } else {
      word += unit.text;
    }
  }
  if (word) words.push(word);
  return words;
}

/** Pieces of a shell word, each with the quote open before it; a backslash escape stays with what it escapes. */
function shellUnits(s: string, width = Number.POSITIVE_INFINITY): ShellUnit[] {
  const units: ShellUnit[] = [];
  let quote: Quote = '';
  let escape = '';
  // One cell is left for a backslash escaping the piece.
  for (const g of pieces(s, width - 1)) {
    if (escape) {
      units.push({ text: escape + g, quote });
      escape = '';
    } else if (g[0] === '\\' && quote !== "'") {
      escape = g;
    } else {
      units.push({ text: g, quote });
      if (quote === '' && (g[0] === "'" || g[0] === '"')) quote = g[0];
      else if (g[0] === quote) quote = '';
    }
  }
  if (escape) units.push({ text: escape, quote });
  return units;
}
