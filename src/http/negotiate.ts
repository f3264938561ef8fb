/** The three representations every public URL can serve. */
export type Format = 'html' | 'json' | 'text';

const DEFAULT_WIDTH = 80;
const MIN_WIDTH = 40;
const MAX_WIDTH = 300;

type MediaRange = { type: string; subtype: string; q: number; index: number };
type Choice = { format: Format; q: number; index: number };

/**
 * Picks the representation for a request: `?format=` wins; then the Accept header by q-value, where
 * HTML and JSON must be named explicitly (a bare wildcard, as curl sends, gets text); ties go to the range listed first.
 */
export function preferredFormat(req: { accept?: string | null; userAgent?: string | null; format?: string | null }): Format {
  const format = req.format?.trim().toLowerCase();
  if (format === 'html' || format === 'json' || format === 'text') return format;
  // Browsers always send Accept; without one, only a browser-like agent (a link unfurler) is served HTML.
  if (!req.accept?.trim()) return req.userAgent?.startsWith('Mozilla/') ? 'html' : 'text';
  const ranges = parseAccept(req.accept);
  const choices: Choice[] = [];
  const html = bestMatch(ranges, 'text', 'html');
  if (html?.exact) choices.push({ format: 'html', q: html.q, index: html.index });
  const json = bestMatch(ranges, 'application', 'json');
  if (json?.exact) choices.push({ format: 'json', q: json.q, index: json.index });
  const text = bestMatch(ranges, 'text', 'plain');
  if (text) choices.push({ format: 'text', q: text.q, index: text.index });
  const best = choices.filter((c) => c.q > 0).sort((a, b) => b.q - a.q || a.index - b.index)[0];
  return best?.format ?? 'text';
}

/** The `?width=` of a text request in terminal cells: 80 if absent or not a whole number, else clamped to 40–300. */
export function parseWidth(q: string | undefined): number {
  if (q === undefined || !/^\s*\d+\s*$/.test(q)) return DEFAULT_WIDTH;
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, Number(q)));
}

function parseAccept(header: string): MediaRange[] {
  return header.split(',').flatMap((part, index) => {
    const [media, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const [type, subtype, extra] = media.split('/');
    if (!type || !subtype || extra !== undefined) return [];
    const qParam = params.find((p) => /^q\s*=/.test(p));
    // A malformed q-value is read as 1 rather than dropping the range, like most servers.
    const q = qParam === undefined ? 1 : Number(qParam.replace(/^q\s*=\s*/, ''));
    return [{ type, subtype, q: Number.isNaN(q) ? 1 : Math.min(1, Math.max(0, q)), index }];
  });
}

/** The most specific range matching a media type (exact, then type wildcard, then full wildcard), as RFC 9110 prescribes. */
function bestMatch(ranges: MediaRange[], type: string, subtype: string): (MediaRange & { exact: boolean }) | null {
  const exact = ranges.find((r) => r.type === type && r.subtype === subtype);
  const match =
    exact ?? ranges.find((r) => r.type === type && r.subtype === '*') ?? ranges.find((r) => r.type === '*' && r.subtype === '*');
  return match ? { ...match, exact: match === exact } : null;
}

/** Whether an Accept-Encoding header takes gzip: named with a q-value above 0, or, when not named, by `*`. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  const q = (coding: string): number | undefined => {
    for (const part of header.split(',')) {
      const [name, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      if (name !== coding) continue;
      const value = params.find((p) => p.startsWith('q='));
      return value === undefined ? 1 : Number(value.slice(2)) || 0;
    }
    return undefined;
  };
  return (q('gzip') ?? q('*') ?? 0) > 0;
}
