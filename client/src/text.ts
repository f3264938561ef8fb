// Post text rules shared with the server (src/services/text.ts): counting and parsing.

/**
 * The post limit in code points: the server's default (280), unless the page that served
 * the client says otherwise with `<meta name="bluetwit-post-max" content="…">`.
 */
export const POST_MAX =
  (typeof document !== 'undefined' && Number(document.querySelector<HTMLMetaElement>('meta[name="bluetwit-post-max"]')?.content)) || 280;

/** Code points of the text as the server counts them: NFC, CRLF as LF, trimmed. */
export function postLength(raw: string): number {
  return [...raw.normalize('NFC').replace(/\r\n/g, '\n').trim()].length;
}

export type Segment =
  | { kind: 'text'; text: string }
  | { kind: 'url'; text: string; href: string }
  | { kind: 'mention'; text: string; handle: string }
  | { kind: 'tag'; text: string; tag: string };

// The same rules as the server's parser (src/services/text.ts): links first, then @mentions and #tags outside them.
const URL_RE = /https?:\/\/[^\s<>"'`]+/giu;
const MENTION_OR_TAG = /(?<![\p{L}\p{N}_@/=])@([a-z0-9_]{2,30})(?![\p{L}\p{N}_@])|(?<![\p{L}\p{N}_#&/=)])#([\p{L}\p{M}\p{N}_]{1,100})/giu;

// Trailing punctuation usually closes the sentence, not the URL; a ")" stays when it balances a "(".
function trimUrl(url: string): string {
  let end = url.length;
  for (;;) {
    const c = url[end - 1];
    if (c && '.,;:!?\'"]}*'.includes(c)) end--;
    else if (c === ')' && (url.slice(0, end).match(/\(/g)?.length ?? 0) < (url.slice(0, end).match(/\)/g)?.length ?? 0)) end--;
    else return url.slice(0, end);
  }
}

function isUrl(s: string): boolean {
  try {
    return Boolean(new URL(s).host);
  } catch {
    return false;
  }
}

/** Splits post text into plain text, links, mentions and tags, for rendering as nodes (never as HTML). */
export function segments(text: string): Segment[] {
  const found: { at: number; len: number; seg: Segment }[] = [];
  for (const m of text.matchAll(URL_RE)) {
    const url = trimUrl(m[0]);
    if (isUrl(url)) found.push({ at: m.index, len: url.length, seg: { kind: 'url', text: url, href: url } });
  }
  // Mentions and tags are looked for with every link blanked out, as the server does: `@bobhttps://…` mentions bob.
  const outsideLinks = text.replace(URL_RE, (u) => ' '.repeat(u.length));
  for (const m of outsideLinks.matchAll(MENTION_OR_TAG)) {
    if (m[1]) found.push({ at: m.index, len: m[0].length, seg: { kind: 'mention', text: m[0], handle: m[1].toLowerCase() } });
    // Digits alone are not tags (`#1`), as on the server.
    else if (!/^\d+$/.test(m[2])) found.push({ at: m.index, len: m[0].length, seg: { kind: 'tag', text: m[0], tag: m[2].toLowerCase() } });
  }
  found.sort((a, b) => a.at - b.at);
  const out: Segment[] = [];
  let last = 0;
  const push = (s: string) => {
    if (!s) return;
    const prev = out[out.length - 1];
    if (prev?.kind === 'text') prev.text += s;
    else out.push({ kind: 'text', text: s });
  };
  for (const { at, len, seg } of found) {
    push(text.slice(last, at));
    out.push(seg);
    last = at + len;
  }
  push(text.slice(last));
  return out;
}
