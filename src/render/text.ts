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

// C0 controls but LF, DEL, C1 controls, bidi marks, embeddings, overrides and isolates, line/paragraph
// separators, surrogates without their other half, and what terminals draw wider than string-width counts it
// (glibc's wcwidth, which xterm, GNOME Terminal and tmux use): the soft hyphen, the blank Hangul fillers
// (two cells of nothing, which made a name look empty) and the prepended number signs (U+0600-0605, U+06DD,
// U+070F, U+0890-0891, U+08E2, U+110BD, U+110CD).
const UNSAFE =
  /[\0-\x09\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\u3164\uffa0]|\ud804[\udcbd\udccd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

function neutralise(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\t') return '    ';
  // Control Pictures keep the character visible without acting on it: ␛ for ESC, ␍ for CR.
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  if (ch === '\u2028' || ch === '\u2029') return '\n';
  if (ch === '\u061c' || ch === '\u200e' || ch === '\u200f' || ch === '\xad') return '';
  return '\ufffd';
}

// Marks that stack on the character before them, past what a script puts on one letter (Vietnamese two, Thai
// three, pointed Biblical Hebrew and Tibetan stacks five or six): terminals that draw them pile them up over the
// lines above and below.
const MARK_PILE = /(?<=[\p{Mn}\p{Me}]{8})[\p{Mn}\p{Me}]+/gu;

/**
 * Makes text inert on a terminal: keeps newlines, shows every control character as a visible mark, and keeps at
 * most eight stacking marks on a letter, so no text spills far over its neighbours' lines.
 */
export function sanitizeTerminal(s: string): string {
  return s.replace(UNSAFE, neutralise).replace(MARK_PILE, '');
}

/** Like sanitizeTerminal, for single-line contexts: newlines become spaces too. */
export function sanitizeLine(s: string): string {
  return sanitizeTerminal(s).replace(/\n/g, ' ');
}

/** Terminal cells the text occupies (CJK and emoji take two). */
export function displayWidth(s: string): number {
  // string-width's own answer, but segmented in chunks (see eachCluster) so that long text costs linear time.
  if (PRINTABLE_ASCII.test(s)) return s.length;
  if (ESCAPES.test(s)) return stringWidth(s);
  let w = 0;
  eachCluster(s, (g) => {
    w += graphemeWidth(g);
  });
  return w;
}

/*
 * Layout in linear time. string-width segments and classifies the whole string on every call, so measuring
 * `line + g` for each grapheme cost the length of the line each time. Instead every grapheme is measured once and a
 * line keeps its running width. That running width is exactly string-width's answer for the line: string-width adds
 * up the widths of the line's grapheme clusters, and a line's clusters are its pieces' own clusters except where two
 * pieces join into one (a space then a combining mark, a lone regional indicator then another, the code points of a
 * grapheme split because it is wider than the line). Where that may happen (see breaksBetween), the line's last
 * cluster and the piece are segmented and measured together, which costs only their length.
 */

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// string-width drops ANSI escape sequences before measuring, which no running count can follow: text holding
// ESC or CSI is measured whole each time, as before. The renderers sanitise first, so only raw callers get there.
const ESCAPES = /[\x1b\x9b]/;

const isPrintableAscii = (code: number): boolean => code >= 0x20 && code <= 0x7e;
const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

// Cells of single code points, from string-width once each: a table for the BMP (value + 1; 0 = not yet asked).
const bmpWidths = new Uint8Array(0x10000);
// And of short clusters of several code points (an emoji sequence, a letter with its accents).
const clusterWidths = new Map<string, number>();

/** Cells of one grapheme cluster (or one code point of one), exactly as string-width counts it. */
function graphemeWidth(g: string): number {
  if (g.length === 1) {
    const code = g.charCodeAt(0);
    if (isPrintableAscii(code)) return 1;
    const known = bmpWidths[code];
    if (known) return known - 1;
    const w = stringWidth(g);
    bmpWidths[code] = Math.min(w, 254) + 1;
    return w;
  }
  // Code points beyond the BMP and short clusters alike, by their text.
  if (g.length > 32) return stringWidth(g);
  let w = clusterWidths.get(g);
  if (w === undefined) {
    w = stringWidth(g);
    if (clusterWidths.size >= 16_384) clusterWidths.clear();
    clusterWidths.set(g, w);
  }
  return w;
}

// What a code point does at a boundary, asked of the segmenter itself once per code point (BMP: a table, flags | KNOWN).
const JOINS_AFTER_OTHER = 1; // stays in the cluster of an ordinary character before it: a mark, ZWJ, a spacing mark
const JOINS_AFTER_SYLLABLE = 2; // stays in the cluster of a Hangul syllable before it: those, and vowel or trailing jamo
const PREPEND = 4; // keeps whatever follows in its cluster
const PLAIN = 8; // breaks before what follows whenever an ordinary character ('x') would
const SYLLABLE = 16; // breaks before what follows whenever a Hangul syllable would: one, or a vowel or trailing jamo
const KNOWN = 32;
// Other characters that rules of UAX #29 look back at (GB3-GB5, GB9c, GB11-GB13): controls, marks and other
// extenders, ZWJ, regional indicators. Conjoining jamo and prepended characters are found by asking.
const CONTEXTUAL = /[\p{Cc}\p{Cs}\p{M}\p{Grapheme_Extend}\p{Emoji_Modifier}\p{Regional_Indicator}\u200d]/u;
const bmpFlags = new Uint8Array(0x10000);
const astralFlags = new Map<number, number>();
const oneCluster = (s: string): boolean => {
  let n = 0;
  for (const _ of segmenter.segment(s)) n++;
  return n === 1;
};
function flagsOf(cp: number): number {
  const known = cp < 0x10000 ? bmpFlags[cp] : astralFlags.get(cp);
  if (known) return known;
  const ch = String.fromCodePoint(cp);
  let f = KNOWN;
  if (oneCluster(`x${ch}`)) f |= JOINS_AFTER_OTHER;
  if (oneCluster(`\uac00${ch}`)) f |= JOINS_AFTER_SYLLABLE;
  if (oneCluster(`${ch}x`)) f |= PREPEND;
  else if (oneCluster(`${ch}\u1161`) || oneCluster(`${ch}\u11a8`)) {
    // Conjoins like Hangul: a syllable, vowel or trailing jamo unless it also takes a leading jamo or a syllable.
    if (!oneCluster(`${ch}\u1100`) && !oneCluster(`${ch}\uac00`)) f |= SYLLABLE;
  } else if (!CONTEXTUAL.test(ch)) f |= PLAIN;
  if (cp < 0x10000) {
    bmpFlags[cp] = f;
  } else {
    if (astralFlags.size >= 16_384) astralFlags.clear();
    astralFlags.set(cp, f);
  }
  return f;
}

/**
 * Whether a grapheme boundary surely falls between code points `a` and `b`, whatever came before `a` (false when
 * unsure). After a character no rule looks back at, only an extender joins, just as after an ASCII letter; after a
 * Hangul syllable, only what would join one; before printable ASCII, only a prepended character joins. A boundary
 * there also leaves both sides segmented as they are on their own.
 */
function breaksAfter(a: number, b: number): boolean {
  if (isPrintableAscii(b)) return isPrintableAscii(a) || !(flagsOf(a) & PREPEND);
  const fb = flagsOf(b);
  if (isPrintableAscii(a)) return !(fb & JOINS_AFTER_OTHER);
  const fa = flagsOf(a);
  if (fa & PLAIN) return !(fb & JOINS_AFTER_OTHER);
  if (fa & SYLLABLE) return !(fb & JOINS_AFTER_SYLLABLE);
  return false;
}

function lastCodePoint(s: string): number {
  const low = s.charCodeAt(s.length - 1);
  if (isLowSurrogate(low) && s.length > 1 && isHighSurrogate(s.charCodeAt(s.length - 2))) return s.codePointAt(s.length - 2)!;
  return low;
}
/** Whether a boundary surely falls between text ending in cluster `before` and text starting with `after`. */
const breaksBetween = (before: string, after: string): boolean => breaksAfter(lastCodePoint(before), after.codePointAt(0)!);

/** Whether every code point of `s` is a grapheme of its own, as in most CJK and Korean text. */
function codePointsAreGraphemes(s: string): boolean {
  let prev = -1;
  for (let i = 0; i < s.length; i++) {
    const cp = s.codePointAt(i)!;
    if (cp > 0xffff) i++;
    if (prev >= 0 && !breaksAfter(prev, cp)) return false;
    prev = cp;
  }
  return true;
}

// V8's segmenter slows down with the length of the string it walks (each segment costs more), so long text is
// segmented a chunk at a time. A chunk's last segment may be cut short, so the next chunk starts with it.
const CHUNK = 128;

/** Calls `fn` with each grapheme cluster of `s`, in order, segmenting it once. */
function eachCluster(s: string, fn: (g: string) => void): void {
  if (PRINTABLE_ASCII.test(s)) {
    for (let i = 0; i < s.length; i++) fn(s[i]);
    return;
  }
  if (codePointsAreGraphemes(s)) {
    for (const cp of s) fn(cp);
    return;
  }
  let pos = 0;
  while (pos < s.length) {
    let size = CHUNK;
    let segments: string[];
    for (;;) {
      let end = pos + size;
      if (end >= s.length) {
        for (const { segment } of segmenter.segment(pos === 0 ? s : s.slice(pos))) fn(segment);
        return;
      }
      // Never cut a surrogate pair: the boundary before the chunk's last segment depends on its first character.
      if (isHighSurrogate(s.charCodeAt(end - 1)) && isLowSurrogate(s.charCodeAt(end))) end++;
      segments = Array.from(segmenter.segment(s.slice(pos, end)), (x) => x.segment);
      if (segments.length > 1) break;
      size *= 2;
    }
    for (let i = 0; i < segments.length - 1; i++) {
      fn(segments[i]);
      pos += segments[i].length;
    }
  }
}

/** A run of text appended to a line: a grapheme, a code point of a split grapheme, or a whole string. */
type Run = {
  text: string;
  /** Cells of `text` on its own. */
  w: number;
  /** Its last grapheme cluster (as segmented on its own) and that cluster's cells. */
  last: string;
  lastW: number;
  /** Whether a grapheme boundary of its source comes right before it, and right after `last`. */
  start: boolean;
  end: boolean;
  raw: boolean;
  /** A code point of a split grapheme holding no emoji character: no rule can make the grapheme narrower as it grows. */
  grows?: boolean;
};

/** A line being laid out: its text, and its cells split into the part before its last cluster and that cluster. */
type Line = {
  text: string;
  head: number;
  last: string;
  lastW: number;
  /**
   * `last` is the last run appended, a whole grapheme of that run's source, and the line breaks before it; so the
   * next run of the same source, if it starts at a grapheme boundary there, starts at one in the line too.
   */
  whole: boolean;
  raw: boolean;
};

const EMPTY: Line = { text: '', head: 0, last: '', lastW: 0, whole: false, raw: false };
const cellsOf = (line: Line): number => line.head + line.lastW;

/** The text's graphemes with their cells. */
function clusters(s: string): Run[] {
  const raw = ESCAPES.test(s);
  const out: Run[] = [];
  eachCluster(s, (g) => {
    const w = graphemeWidth(g);
    out.push({ text: g, w, last: g, lastW: w, start: true, end: true, raw });
  });
  return out;
}

/** A whole string as one run; `pieces` are its graphemes if already known. */
function runOf(s: string, pieces?: Run[]): Run {
  if (PRINTABLE_ASCII.test(s)) {
    return { text: s, w: s.length, last: s.slice(-1), lastW: s ? 1 : 0, start: true, end: true, raw: false };
  }
  const gs = pieces ?? clusters(s);
  const raw = ESCAPES.test(s);
  let w = 0;
  for (const g of gs) w += g.w;
  const last = gs[gs.length - 1];
  return { text: s, w: raw ? stringWidth(s) : w, last: last?.text ?? '', lastW: last?.w ?? 0, start: true, end: true, raw };
}

// Graphemes, but one wider than `width` (a long Hangul jamo cluster) is split into code points, so every piece fits a line.
function splitWide(gs: Run[], width: number): Run[] {
  const out: Run[] = [];
  for (const g of gs) {
    if (g.w <= width) {
      out.push(g);
      continue;
    }
    const cps = [...g.text];
    const grows = !EMOJI.test(g.text);
    cps.forEach((cp, i) => {
      const w = graphemeWidth(cp);
      out.push({ text: cp, w, last: cp, lastW: w, start: i === 0, end: i === cps.length - 1, raw: g.raw, grows });
    });
  }
  return out;
}

function rawLine(text: string): Line {
  return { text, head: stringWidth(text), last: '', lastW: 0, whole: false, raw: true };
}

/** The line with the text joined onto its last cluster, segmenting and measuring just those two. */
function joinLast(line: Line, text: string): Line {
  const gs = clusters(line.last + text);
  let head = line.head;
  for (let i = 0; i < gs.length - 1; i++) head += gs[i].w;
  const last = gs[gs.length - 1];
  return { text: line.text + text, head, last: last.text, lastW: last.w, whole: false, raw: false };
}

/**
 * The line with `run` appended, measured as string-width would measure the whole. `follows` says the run comes right
 * after the line's last run in the same source, so a boundary known there needs no asking.
 */
function append(line: Line, run: Run, follows = false): Line {
  if (run.text === '') return line;
  if (line.raw || run.raw) return rawLine(line.text + run.text);
  if (line.text === '') return { text: run.text, head: run.w - run.lastW, last: run.last, lastW: run.lastW, whole: run.start && run.end, raw: false };
  if ((follows && line.whole && run.start) || breaksBetween(line.last, run.text)) {
    return { text: line.text + run.text, head: cellsOf(line) + run.w - run.lastW, last: run.last, lastW: run.lastW, whole: run.start && run.end, raw: false };
  }
  return joinLast(line, run.text);
}

const appendAll = (line: Line, runs: Run[], follows = false): Line =>
  runs.reduce((l, run, i) => append(l, run, follows || i > 0), line);

// string-width counts an emoji sequence (of at most 50 code units) as two cells however many characters it holds, so
// adding a character can make a cluster narrower; no other rule does. Text without emoji characters, or a cluster
// already longer than any emoji sequence, only widens as it grows. (Were that ever untrue, fitMany would still never
// overfill a line, as it measures what it keeps; it could only break a line earlier than adding one at a time would.)
const EMOJI = /[\p{Emoji}\p{Emoji_Component}\p{Extended_Pictographic}]/u;
const LONG_CLUSTER = 64;

/** Whether `next`, the following code points of a grapheme split across lines, may be added many at a time. */
function canFitMany(line: Line, next: Run[]): boolean {
  if (line.raw || next.some((p) => p.start || p.raw)) return false;
  return line.last.length > LONG_CLUSTER || (next.every((p) => p.grows) && !EMOJI.test(line.last));
}

/**
 * Adding the code points of a grapheme split across lines one at a time would measure the part on this line again
 * for each. While that part only widens as it grows, the most of `items[from..]` (taken while `more(item)`) that still
 * fits `limit` is found in a few measurements instead: guessed from the items' own widths (exact for spacing marks,
 * too wide for Hangul jamo that pair up), then corrected by doubling steps from the guess and halving between.
 * Returns how many fit, and the line with them.
 */
function fitMany<T extends { text: string; w: number }>(
  line: Line,
  items: T[],
  from: number,
  limit: number,
  more: (item: T) => boolean,
): { line: Line; n: number } {
  let available = 0;
  const upTo = (n: number): number => {
    while (available < n && from + available < items.length && more(items[from + available])) available++;
    return available;
  };
  const joined = (n: number): Line => joinLast(line, items.slice(from, from + n).map((item) => item.text).join(''));
  let guess = 0;
  for (let cells = cellsOf(line); upTo(guess + 1) > guess && cells + items[from + guess].w <= limit; guess++) {
    cells += items[from + guess].w;
  }
  let fit = { line, n: 0 };
  let over = -1; // the fewest items known not to fit; -1 while none is known
  const probe = (n: number): boolean => {
    const next = joined(n);
    if (cellsOf(next) > limit) {
      over = n;
      return false;
    }
    fit = { line: next, n };
    return true;
  };
  if (guess === 0 || probe(guess)) {
    for (let step = 1; ; step *= 2) {
      const want = fit.n + step;
      const n = upTo(want);
      if (n === fit.n || !probe(n) || n < want) break;
    }
  } else {
    for (let step = 1; fit.n === 0 && over > 1; step *= 2) probe(Math.max(1, over - step));
  }
  while (over - fit.n > 1) probe((fit.n + over) >> 1);
  return fit;
}

/** Shortens one line to at most `width` cells, marking the cut with '…'. */
export function truncate(s: string, width: number): string {
  if (ESCAPES.test(s)) return truncateRaw(s, width);
  const gs = clusters(s);
  let total = 0;
  for (const g of gs) total += g.w;
  if (total <= width) return s;
  if (width < 1) return '';
  // Each grapheme is a whole cluster of `s`, so a prefix measures as the sum of its graphemes.
  let cells = 0;
  let n = 0;
  for (const g of gs) {
    if (cells + g.w >= width) break;
    cells += g.w;
    n += g.text.length;
  }
  return `${s.slice(0, n).trimEnd()}…`;
}

function truncateRaw(s: string, width: number): string {
  if (displayWidth(s) <= width) return s;
  if (width < 1) return '';
  let out = '';
  for (const { text: g } of clusters(s)) {
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
  let line = EMPTY;
  let gap = '';
  for (const token of paragraph.split(/([ \u3000]+)/)) {
    if (token === '') continue;
    if (token[0] === ' ' || token[0] === '\u3000') {
      gap = token;
      continue;
    }
    const gs = PRINTABLE_ASCII.test(token) ? undefined : clusters(token);
    const word = runOf(token, gs);
    const spaced = append(line, runOf(gap));
    const joined = append(spaced, word);
    if (cellsOf(joined) <= width) {
      line = joined;
    } else if (word.w <= width) {
      if (line.text) lines.push(line.text);
      line = append(EMPTY, word);
    } else {
      // Too long for any line (a URL, a run of CJK): fill this line, then break between graphemes.
      if (cellsOf(spaced) < width) {
        line = spaced;
      } else {
        if (line.text) lines.push(line.text);
        line = EMPTY;
      }
      const pieces = splitWide(gs ?? clusters(token), width);
      let follows = false;
      for (let i = 0; i < pieces.length; ) {
        if (!pieces[i].start && canFitMany(line, [pieces[i]])) {
          const fit = fitMany(line, pieces, i, width, (p) => !p.start && !p.raw);
          if (fit.n > 0) {
            line = fit.line;
            i += fit.n;
            continue;
          }
        }
        const next = append(line, pieces[i], follows);
        if (line.text && cellsOf(next) > width) {
          lines.push(line.text.trimEnd());
          line = append(EMPTY, pieces[i]);
        } else {
          line = next;
        }
        follows = true;
        i++;
      }
    }
    gap = '';
  }
  lines.push(line.text);
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

/**
 * An error as one plain line within `width` cells: the first of `texts` (the fullest first) that fits, else the
 * first cut short.
 */
export function renderError(texts: string | string[], width = 80, command?: string): string {
  const lines = (typeof texts === 'string' ? [texts] : texts).map((t) => sanitizeLine(`error: ${t}`));
  const fits = lines.find((l) => displayWidth(l) <= width);
  // A command cut short is no use to anyone: when nothing else fits, it is the line, whole.
  return `${fits ?? (command === undefined ? truncate(lines[0], width) : sanitizeLine(`error: ${command}`))}\n`;
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
  const gap = runOf(sep);
  let line = EMPTY;
  for (const part of parts) {
    const run = runOf(part);
    const joined = lines.length > 0 ? append(append(line, gap), run) : null;
    if (joined && cellsOf(joined) <= width) {
      line = joined;
      lines[lines.length - 1] = line.text;
    } else {
      const shown = run.w <= width ? run : runOf(truncate(part, width));
      lines.push(shown.text);
      line = append(EMPTY, shown);
    }
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
  // Whether the reader follows them comes first, so a narrow width shortens the title, not that.
  const details = [...(a.following ? ['followed by you'] : []), ...accountDetails(a)].join(' · ');
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
type ShellUnit = { text: string; w: number; quote: Quote; pieces: Run[] };
type ShellWord = { run: Run; pieces: Run[] };

const SPACE = runOf(' ');
const INDENTED = append(EMPTY, runOf(BODY_INDENT));
const REOPENED = append(EMPTY, runOf("'"));

/**
 * Lays out a shell command within `width` cells so that it still pastes as one command:
 * lines end in a backslash-newline, between words where possible, and inside an over-long
 * word (closing and reopening a single quote around the break) only when it must.
 */
function commandLines(prefix: string, command: string, width: number): string[] {
  // Every line but the last ends with at most two cells of continuation: ` \` or `'\`.
  const room = width - 2;
  const lines: string[] = [];
  let line = append(EMPTY, runOf(prefix));
  let fresh = true;
  for (const word of shellWords(command)) {
    const joined = append(fresh ? line : append(line, SPACE), word.run);
    const indented = fresh ? null : append(INDENTED, word.run);
    if (cellsOf(joined) <= room) {
      line = joined;
    } else if (indented && cellsOf(indented) <= room) {
      lines.push(`${line.text} \\`);
      line = indented;
    } else {
      // An over-long word starts on a line of its own, then breaks wherever it must.
      if (!fresh) {
        lines.push(`${line.text} \\`);
        line = INDENTED;
      }
      let filled = false;
      let follows = false;
      // One cell is left for a backslash escaping the piece.
      const units = shellUnits(splitWide(word.pieces, room - 1));
      const continues = (unit: ShellUnit): boolean => unit.pieces.every((p) => !p.start);
      for (let i = 0; i < units.length; ) {
        if (filled && continues(units[i]) && canFitMany(line, units[i].pieces)) {
          const fit = fitMany(line, units, i, room, (unit) => continues(unit) && !unit.pieces.some((p) => p.raw));
          if (fit.n > 0) {
            line = fit.line;
            i += fit.n;
            continue;
          }
        }
        const unit = units[i];
        let next = appendAll(line, unit.pieces, follows);
        if (filled && cellsOf(next) > room) {
          // A continuation inside a word must start in column 0, or the indent would join the word.
          const reopen = unit.quote === "'" ? "'" : '';
          lines.push(`${line.text}${reopen}\\`);
          next = appendAll(reopen ? REOPENED : EMPTY, unit.pieces);
        }
        line = next;
        filled = true;
        follows = true;
        i++;
      }
    }
    fresh = false;
  }
  lines.push(line.text);
  return lines;
}

/** Splits a command into words at unquoted spaces, keeping the quotes and escapes verbatim; each with its graphemes. */
function shellWords(command: string): ShellWord[] {
  const words: ShellWord[] = [];
  let word: Run[] = [];
  const flush = () => {
    if (word.length) words.push({ run: runOf(word.map((g) => g.text).join(''), word), pieces: word });
    word = [];
  };
  for (const unit of shellUnits(clusters(command))) {
    if (unit.text === ' ' && unit.quote === '') flush();
    else word.push(...unit.pieces);
  }
  flush();
  return words;
}

/** Pieces of a shell word, each with the quote open before it; a backslash escape stays with what it escapes. */
function shellUnits(pieces: Run[]): ShellUnit[] {
  const units: ShellUnit[] = [];
  let quote: Quote = '';
  let escape: Run | null = null;
  for (const g of pieces) {
    const c = g.text[0];
    if (escape) {
      units.push({ text: escape.text + g.text, w: escape.w + g.w, quote, pieces: [escape, g] });
      escape = null;
    } else if (c === '\\' && quote !== "'") {
      escape = g;
    } else {
      units.push({ text: g.text, w: g.w, quote, pieces: [g] });
      if (quote === '' && (c === "'" || c === '"')) quote = c;
      else if (c === quote) quote = '';
    }
  }
  if (escape) units.push({ text: escape.text, w: escape.w, quote, pieces: [escape] });
  return units;
}
