import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it, vi } from 'vitest';
import {
  type AccountView,
  displayWidth,
  layoutText,
  type PostView,
  relativeTime,
  renderAccount,
  renderAccountList,
  renderError,
  renderPageFooter,
  renderPost,
  renderTimeline,
  sanitizeLine,
  sanitizeTerminal,
  truncate,
  wrap,
} from '../src/render/text';

// Counts the code units string-width is asked to measure (see 'layout cost'); it still measures them itself.
const measured = vi.hoisted(() => ({ units: 0 }));
vi.mock('string-width', async (importOriginal) => {
  const actual = await importOriginal<typeof import('string-width')>();
  const counted: typeof actual.default = (s, options) => {
    measured.units += typeof s === 'string' ? s.length : 0;
    return actual.default(s, options);
  };
  return { ...actual, default: counted };
});

const now = new Date('2026-03-10T12:00:00Z');

const post = (overrides: Partial<PostView> = {}): PostView => ({
  id: 'V1StGXR8_Z5jdHi6B-myT',
  author: { handle: 'alice', displayName: 'Alice Liddell', bot: false },
  text: 'Hello world!',
  createdAt: '2026-03-10T11:55:00Z',
  replyTo: null,
  mentions: [],
  tags: [],
  likeCount: 0,
  replyCount: 0,
  url: 'http://localhost:3000/@alice/V1StGXR8_Z5jdHi6B-myT',
  ...overrides,
});

const account = (overrides: Partial<AccountView> = {}): AccountView => ({
  handle: 'alice',
  displayName: 'Alice Liddell',
  bot: false,
  bio: '',
  department: 'Platform',
  title: 'Staff Engineer',
  createdAt: '2026-01-05T09:00:00Z',
  followersCount: 1,
  followingCount: 2,
  postsCount: 10,
  ...overrides,
});

// Everything that can act on a terminal: C0 but LF, DEL, C1, bidi embeddings/overrides/isolates, lone surrogates.
// Also what terminals (glibc's wcwidth) draw wider than the layout counts it: the soft hyphen, the Hangul
// fillers and the prepended number signs.
const UNSAFE =
  /[\x00-\x09\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u115f\u202a-\u202e\u2066-\u2069\u3164\uffa0]|\ud804[\udcbd\udccd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// The only escape sequences the renderer may emit: its own SGR colours.
const OWN_SGR = /\x1b\[[012]m/g;

const lines = (out: string): string[] => out.split('\n').slice(0, -1);
const widest = (out: string): number => Math.max(0, ...lines(out).map((l) => stringWidth(l)));

describe('sanitizeTerminal', () => {
  it('shows C0 controls as Control Pictures, DEL as ␡ and C1 controls as U+FFFD', () => {
    expect(sanitizeTerminal('a\x1b[2Jb\x07\x00\x7f\u0085\u009b31m')).toBe('a␛[2Jb␇␀␡\ufffd\ufffd31m');
  });

  it('keeps at most eight stacking marks on a letter, and every mark real scripts put on one', () => {
    const flood = `Z${'\u0301'.repeat(278)}!`;
    expect(sanitizeTerminal(flood)).toBe(`Z${'\u0301'.repeat(8)}!`);
    expect(sanitizeTerminal(`A${'\u0489'.repeat(49)} B`)).toBe(`A${'\u0489'.repeat(8)} B`);
    // Vietnamese, Thai, Devanagari, pointed Biblical Hebrew (shin, dagesh, shin dot, qamats, etnahta, meteg) and a
    // Tibetan stack.
    const samples = ['Vie\u0323\u0302t', 'ที่\u0e48', 'क्षत्रिय', 'ש\u05bc\u05c1\u05b8\u0591\u05bd', 'ཧ\u0fb7\u0f71\u0f74\u0f7e\u0f82'];
    for (const text of [...samples, `e${'\u0301'.repeat(8)}`]) {
      expect(sanitizeTerminal(text), text).toBe(text);
    }
  });

  it('never lets a carriage return through, so a line cannot overwrite itself', () => {
    expect(sanitizeTerminal('Pay Bob\rPay Eve')).toBe('Pay Bob␍Pay Eve');
  });

  it('keeps newlines, expands tabs and turns Unicode line separators into newlines', () => {
    expect(sanitizeTerminal('a\nb\tc\u2028d')).toBe('a\nb    c\nd');
  });

  it('marks bidi overrides and isolates and drops bidi marks', () => {
    expect(sanitizeTerminal('x\u202ey\u2066z\u2069\u200e\u200f\u061c')).toBe('x\ufffdy\ufffdz\ufffd');
  });

  it('replaces lone surrogates but keeps surrogate pairs', () => {
    expect(sanitizeTerminal('\ud800a\udc00😀')).toBe('\ufffda\ufffd😀');
  });

  it('turns newlines into spaces in single-line contexts', () => {
    expect(sanitizeLine('two\nlines\u2029here')).toBe('two lines here');
  });
});

describe('truncate', () => {
  it('leaves text that fits alone and marks a cut with an ellipsis', () => {
    expect(truncate('Alice', 5)).toBe('Alice');
    expect(truncate('Alice Liddell', 7)).toBe('Alice…');
  });

  it('never splits a wide character to fill the last cell', () => {
    expect(truncate('日本語のテキスト', 6)).toBe('日本…');
    expect(stringWidth(truncate('日本語のテキスト', 6))).toBe(5);
  });
});

describe('wrap', () => {
  it('breaks between words and keeps explicit newlines and blank lines', () => {
    expect(wrap('the quick brown fox jumps\n\nover the dog', 10)).toEqual(['the quick', 'brown fox', 'jumps', '', 'over the', 'dog']);
  });

  it('breaks a word longer than the line between graphemes, filling the current line first', () => {
    expect(wrap('see https://example.com/a/very/long/path', 16)).toEqual(['see https://exam', 'ple.com/a/very/l', 'ong/path']);
  });

  it('counts CJK as two cells and breaks runs without spaces at cell boundaries', () => {
    expect(wrap('日本語のテキスト'.repeat(3), 20)).toEqual(['日本語のテキスト日本', '語のテキスト日本語の', 'テキスト']);
    expect(wrap('日本語のテキスト'.repeat(3), 21).every((l) => stringWidth(l) <= 21)).toBe(true);
  });

  it('keeps ZWJ emoji and flags whole', () => {
    expect(wrap('👩‍💻 🇯🇵🇺🇸🇫🇷 ok 👩‍💻👩‍💻👩‍💻👩‍💻👩‍💻', 7)).toEqual(['👩‍💻', '🇯🇵🇺🇸🇫🇷', 'ok 👩‍💻👩‍💻', '👩‍💻👩‍💻👩‍💻']);
  });

  it('splits a grapheme wider than the line, such as a run of Hangul leading jamo', () => {
    const jamo = '\u1100'.repeat(10);
    expect(stringWidth(jamo)).toBe(20);
    expect(wrap(jamo, 6)).toEqual(['\u1100'.repeat(3), '\u1100'.repeat(3), '\u1100'.repeat(3), '\u1100']);
  });

  it('drops the spaces where a line breaks', () => {
    expect(wrap('aaaa     bbbb', 6)).toEqual(['aaaa', 'bbbb']);
  });
});

describe('relativeTime', () => {
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

  it.each([
    [30_000, 'just now'],
    [-30_000, 'just now'],
    [5 * 60_000, '5m'],
    [3 * 3_600_000, '3h'],
    [2 * 86_400_000 + 5_000, '2d'],
    [8 * 86_400_000, '2026-03-02'],
    [-2 * 86_400_000, '2026-03-12'],
  ])('%i ms ago reads %s', (ms, expected) => {
    expect(relativeTime(ago(ms), now)).toBe(expected);
  });
});

describe('renderPost', () => {
  it('lays out header, wrapped text and counts at 80 columns', () => {
    const out = renderPost(
      post({ text: 'Hello world! This post is long enough that it has to wrap onto a second line at eighty columns.', likeCount: 3, replyCount: 2 }),
      { width: 80, now },
    );
    expect(out).toBe(
      [
        '@alice (Alice Liddell) · 5m · V1StGXR8_Z5jdHi6B-myT',
        '  Hello world! This post is long enough that it has to wrap onto a second line',
        '  at eighty columns.',
        '  ♥ 3  ↩ 2',
        '',
      ].join('\n'),
    );
  });

  it('shortens a long display name so the header fits, and marks bots, likes and replies', () => {
    const out = renderPost(
      post({
        author: { handle: 'deploy_bot', displayName: 'The Continuous Deployment Robot of the Platform Team', bot: true },
        text: 'Deployed https://ci.example.com/pipelines/platform/bluetwit/builds/123456789/artifacts to prod',
        createdAt: '2026-03-07T09:00:00Z',
        replyTo: 'Uakgb_J5m9g-0JDMbcJqL',
        likeCount: 1,
        liked: true,
      }),
      { width: 60, now },
    );
    expect(out).toBe(
      [
        '@deploy_bot (The Contin…) [bot] · 3d · V1StGXR8_Z5jdHi6B-myT',
        '  Deployed https://ci.example.com/pipelines/platform/bluetwi',
        '  t/builds/123456789/artifacts to prod',
        '  ♥ 1 (liked)  ↪ reply to Uakgb_J5m9g-0JDMbcJqL',
        '',
      ].join('\n'),
    );
  });

  it('moves time and id to a second line rather than drop the name, and indents the whole block', () => {
    const out = renderPost(post({ text: 'Hello world! This post is long enough that it has to wrap.' }), { width: 40, now, indent: 4 });
    expect(out).toBe(
      [
        '    @alice (Alice Liddell)',
        '      5m · V1StGXR8_Z5jdHi6B-myT',
        '      Hello world! This post is long',
        '      enough that it has to wrap.',
        '',
      ].join('\n'),
    );
  });

  it('keeps blank lines of the text without trailing spaces', () => {
    expect(renderPost(post({ text: 'one\n\ntwo' }), { width: 80, now })).toBe(
      '@alice (Alice Liddell) · 5m · V1StGXR8_Z5jdHi6B-myT\n  one\n\n  two\n',
    );
  });

  it('keeps every line of CJK and emoji text within the width', () => {
    const text = `${'日本語のテキスト'.repeat(12)} ${'👩‍💻🇯🇵 '.repeat(12)}👨‍👩‍👧‍👦🏳️‍🌈`;
    for (const width of [40, 41, 55, 80]) {
      const out = renderPost(post({ text }), { width, now });
      expect(widest(out)).toBeLessThanOrEqual(width);
      expect(out.replace(/\s/g, '')).toContain('👨‍👩‍👧‍👦🏳️‍🌈');
    }
  });

  it('colours only with color on, and only with its own SGR codes around the same text', () => {
    const p = post({ likeCount: 2, author: { handle: 'bot9', displayName: 'Nine', bot: true } });
    const plain = renderPost(p, { width: 80, now });
    const coloured = renderPost(p, { width: 80, now, color: true });
    expect(plain).not.toContain('\x1b');
    expect(coloured).toBe(
      '\x1b[1m@bot9\x1b[0m (Nine)\x1b[2m [bot]\x1b[0m\x1b[2m · 5m · V1StGXR8_Z5jdHi6B-myT\x1b[0m\n  Hello world!\n  \x1b[2m♥ 2\x1b[0m\n',
    );
    expect(coloured.replace(OWN_SGR, '')).toBe(plain);
  });

  it('treats widths below 20 as 20 and does not throw on nonsense widths', () => {
    for (const width of [0, -5, 5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const out = renderPost(post({ text: 'x'.repeat(100) }), { width, now, indent: 50 });
      expect(widest(out)).toBeLessThanOrEqual(Number.isNaN(width) || width === Number.POSITIVE_INFINITY ? 80 : 20);
    }
  });
});

describe('renderTimeline', () => {
  const next = `curl -H "Authorization: Bearer $T" 'http://localhost:3000/home?cursor=eyJzIjoxMjM0NTY3ODkwfQ'`;

  it('separates posts by blank lines and ends with the next command and the hint', () => {
    const out = renderTimeline('Home', [post(), post({ id: 'second', text: 'Bye.' })], {
      width: 80,
      now,
      nextCommand: next,
      hint: 'Run curl http://localhost:3000/help for every command.',
    });
    expect(out).toBe(
      [
        'Home',
        '',
        '@alice (Alice Liddell) · 5m · V1StGXR8_Z5jdHi6B-myT',
        '  Hello world!',
        '',
        '@alice (Alice Liddell) · 5m · second',
        '  Bye.',
        '',
        'next: curl -H "Authorization: Bearer $T" \\',
        "  'http://localhost:3000/home?cursor=eyJzIjoxMjM0NTY3ODkwfQ'",
        'Run curl http://localhost:3000/help for every command.',
        '',
      ].join('\n'),
    );
  });

  it('says so when there are no posts', () => {
    expect(renderTimeline('#rust', [], { width: 80, now })).toBe('#rust\n\n(no posts)\n');
  });

  it('breaks a next command too long for the line with continuations, reopening a quote mid-word', () => {
    const out = renderTimeline('Home', [], { width: 40, now, nextCommand: next });
    expect(lines(out).slice(4)).toEqual([
      'next: curl -H \\',
      '  "Authorization: Bearer $T" \\',
      "  'http://localhost:3000/home?cursor=e'\\",
      "'yJzIjoxMjM0NTY3ODkwfQ'",
    ]);
  });

  // Replaces curl by printf so the shell prints the words it parsed, one per line.
  const shellWords = (command: string): string =>
    execFileSync('sh', ['-c', command.replace(/^curl /, "printf '%s\\n' ")], { env: { T: 'secret' }, encoding: 'utf8' });
  const wrappedCommand = (command: string, width: number): string => {
    const out = lines(renderTimeline('t', [], { width, now, nextCommand: command }));
    return out.slice(out.findIndex((l) => l.startsWith('next: '))).join('\n').replace(/^next: /, '');
  };

  it.each([
    next,
    'curl http://localhost:3000/search?q=x\\&cursor=abcdefghijklmnopqrstuvwxyz0123456789abcdefghij',
    'curl -d "say \\"hi\\" to \\$T and C:\\\\dir at http://localhost:3000/tag/abcdefghijklmnopqrstuvwxyz0123456789" x',
  ])('keeps the wrapped command equivalent for the shell: %s', (command) => {
    const expected = shellWords(command);
    for (const width of [40, 43, 47, 53, 61, 80]) {
      const wrapped = wrappedCommand(command, width);
      expect(widest(`${wrapped}\n`)).toBeLessThanOrEqual(width);
      expect(shellWords(wrapped)).toBe(expected);
    }
  });

  it('keeps random shell commands equivalent when wrapped', () => {
    const plain = fc.string({ unit: fc.constantFrom(...'abcxyz019/:?=.-_%'.split('')), minLength: 1, maxLength: 30 });
    const single = plain.map((s) => `'${s} "$\\'`);
    const double = plain.map((s) => `"${s} \\" \\\\ \\$ '"`);
    const word = fc.array(fc.oneof(plain, single, double), { minLength: 1, maxLength: 4 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 6 }), fc.integer({ min: 40, max: 90 }), (words, width) => {
        const command = `curl ${words.join(' ')}`;
        const wrapped = wrappedCommand(command, width);
        expect(widest(`${wrapped}\n`)).toBeLessThanOrEqual(width);
        expect(shellWords(wrapped)).toBe(shellWords(command));
      }),
      { numRuns: 60 },
    );
  });
});

describe('renderAccount and renderAccountList', () => {
  it('renders a profile with title, department, wrapped bio and counts', () => {
    const out = renderAccount(
      account({ bio: 'Platform engineer. I keep the deploys green and the coffee strong; ask me about SQLite.\nShe/her.', following: true }),
      { width: 60 },
    );
    expect(out).toBe(
      [
        '@alice (Alice Liddell)',
        'Staff Engineer · Platform',
        '  Platform engineer. I keep the deploys green and the coffee',
        '  strong; ask me about SQLite.',
        '  She/her.',
        '10 posts · 1 follower · 2 following · followed by you',
        '',
      ].join('\n'),
    );
  });

  it('lists one account per line, shortening details, then the next command', () => {
    const out = renderAccountList(
      [account(), account({ handle: 'deploy_bot', displayName: 'Deploy', bot: true, department: '', title: '' })],
      { width: 40, nextCommand: "curl 'http://h/directory?cursor=abc'" },
    );
    expect(out).toBe(
      [
        '@alice (Alice Liddell) · Staff Engineer…',
        '@deploy_bot (Deploy) [bot]',
        '',
        'next: curl \\',
        "  'http://h/directory?cursor=abc'",
        '',
      ].join('\n'),
    );
  });

  it('says so when the list is empty', () => {
    expect(renderAccountList([], { width: 80 })).toBe('(no accounts)\n');
  });
});

describe('renderPageFooter', () => {
  it('renders the next command and hint alone, or nothing', () => {
    expect(renderPageFooter({ width: 40, nextCommand: "curl 'http://h/@alice/abc?cursor=xyz'", hint: 'more: curl http://h/help' })).toBe(
      "next: curl \\\n  'http://h/@alice/abc?cursor=xyz'\nmore: curl http://h/help\n",
    );
    expect(renderPageFooter({ width: 80, nextCommand: null })).toBe('');
  });
});

describe('renderError', () => {
  it('is one plain line', () => {
    expect(renderError('No such post.\n\x1b[2J')).toBe('error: No such post. ␛[2J\n');
  });

  it('fits the width: the first text that fits, else the first cut short', () => {
    const full = 'Posts are at most 280 characters (this one has 300). (text: At most 280 characters; this has 300.)';
    const short = 'Posts are at most 280 characters (this one has 300).';
    expect(renderError([full, short], 120)).toBe(`error: ${full}\n`);
    expect(renderError([full, short], 80)).toBe(`error: ${short}\n`);
    const cut = renderError([full, short], 40);
    expect(cut).toMatch(/^error: Posts are at most 280 .*…\n$/);
    expect(displayWidth(cut.trimEnd())).toBeLessThanOrEqual(40);
    // Wide characters count as two cells.
    expect(displayWidth(renderError('名前'.repeat(40), 40).trimEnd())).toBeLessThanOrEqual(40);
  });

  it('never cuts a command: when nothing fits, the command alone, whole', () => {
    const command = 'curl -u <handle> -X POST https://bluetwit.platform-engineering.corp.example.com/token';
    expect(renderError(`Sign in: ${command}`, 120, command)).toBe(`error: Sign in: ${command}\n`);
    expect(renderError(`Sign in: ${command}`, 80, command)).toBe(`error: ${command}\n`);
    expect(renderError(`Sign in: ${command}`, 40, command)).toBe(`error: ${command}\n`);
  });
});

describe('terminal injection', () => {
  const attacks = ['\x1b[2J', '\x1b]52;c;SGVsbG8=\x07', '\x1b]0;title\x07', '\u009b31m', 'safe\rEVIL', '\u202Egnp.exe', '\u2066hidden\u2069', '\x00\x7f\u0085'];
  const evil = attacks.join(' ');
  const evilAccount = account({ handle: evil, displayName: evil, bio: evil, department: evil, title: evil });
  const outputs = (color: boolean): string[] => [
    renderPost(post({ id: evil, text: evil, replyTo: evil, likeCount: 1, author: { handle: evil, displayName: evil, bot: true } }), {
      width: 80,
      now,
      color,
    }),
    renderTimeline(evil, [post({ text: evil })], { width: 80, now, color, nextCommand: evil, hint: evil }),
    renderAccount(evilAccount, { width: 80, color }),
    renderAccountList([evilAccount], { width: 80, color, nextCommand: evil }),
    renderError(evil),
  ];

  it('emits no control, bidi or escape character from user content with colour off', () => {
    for (const out of outputs(false)) {
      expect(out).not.toMatch(UNSAFE);
      expect(out).toContain('␛');
    }
  });

  it('emits escape characters only in its own SGR sequences with colour on', () => {
    for (const out of outputs(true)) expect(out.replace(OWN_SGR, '')).not.toMatch(UNSAFE);
  });

  it('draws nothing wider than it measures: blank Hangul fillers and number signs show as \ufffd, soft hyphens go', () => {
    const wide = '\u3164\u115f\uffa0 \u0600\u06dd\u070f\u{110bd}12 soft\xadhyphen';
    const out = renderPost(post({ text: wide.repeat(8), author: { handle: 'h', displayName: '\u3164'.repeat(50), bot: false } }), { width: 40, now });
    expect(out).not.toMatch(UNSAFE);
    expect(out).toContain('\ufffd\ufffd\ufffd \ufffd\ufffd\ufffd\ufffd12 softhyphen');
    // Every line fits as any terminal draws it, now that nothing on it is drawn wider than counted.
    for (const l of out.split('\n')) expect(stringWidth(l)).toBeLessThanOrEqual(40);
  });

  it('shows the neutralised sequences instead of hiding them', () => {
    const out = renderPost(post({ text: evil }), { width: 200, now });
    expect(out).toContain('␛]52;c;SGVsbG8=␇ ␛]0;title␇ \ufffd31m safe␍EVIL \ufffdgnp.exe \ufffdhidden\ufffd');
  });
});

describe('properties', () => {
  // Single code points of any kind (lone surrogates included), bytes heavy in C0/C1, and known troublemakers.
  const unit = fc.oneof(
    fc.integer({ min: 0, max: 0x10ffff }).map((cp) => String.fromCodePoint(cp)),
    fc.integer({ min: 0, max: 0xff }).map((c) => String.fromCharCode(c)),
    fc.constantFrom('\x1b[2J', '\x1b]52;c;SGVsbG8=\x07', '\r', '\n', '\t', ' ', '\u202e', '\u2066', '👩‍💻', '🇯🇵', '日本', 'e\u0301', '\u200d', '\u1100\u1100\u1100', 'word'),
  );
  // size 'max' draws lengths across the whole range, so most texts need wrapping.
  const text = fc.string({ unit, maxLength: 300, size: 'max' });
  const line = fc.string({ unit, maxLength: 60, size: 'max' });
  const arbPost = fc.record({
    id: line,
    author: fc.record({ handle: line, displayName: line, bot: fc.boolean() }),
    text,
    createdAt: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    replyTo: fc.option(line),
    mentions: fc.constant<string[]>([]),
    tags: fc.constant<string[]>([]),
    likeCount: fc.nat(),
    replyCount: fc.nat(),
    liked: fc.boolean(),
    url: fc.constant('http://localhost:3000/@x/y'),
  });
  const width = fc.integer({ min: 40, max: 160 });

  it('renderPost never throws, leaks a control character or exceeds the width', () => {
    fc.assert(
      fc.property(arbPost, width, fc.integer({ min: 0, max: 12 }), (p, w, indent) => {
        const plain = renderPost(p, { width: w, now, indent });
        expect(plain).not.toMatch(UNSAFE);
        expect(plain.endsWith('\n')).toBe(true);
        expect(widest(plain)).toBeLessThanOrEqual(w);
        expect(renderPost(p, { width: w, now, indent, color: true }).replace(OWN_SGR, '')).toBe(plain);
      }),
    );
  });

  it('wrap never exceeds the width and loses no visible character', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 2, max: 100 }), (t, w) => {
        const safe = sanitizeTerminal(t);
        const wrapped = wrap(safe, w);
        for (const l of wrapped) expect(stringWidth(l)).toBeLessThanOrEqual(w);
        expect(wrapped.join('').replace(/\s/g, '')).toBe(safe.replace(/\s/g, ''));
      }),
    );
  });

  it('timelines, profiles and lists stay within the width', () => {
    const arbAccount = fc.record({
      handle: line,
      displayName: line,
      bot: fc.boolean(),
      bio: text,
      department: line,
      title: line,
      createdAt: fc.constant('2026-01-01T00:00:00Z'),
      followersCount: fc.nat(),
      followingCount: fc.nat(),
      postsCount: fc.nat(),
      following: fc.boolean(),
    });
    fc.assert(
      fc.property(line, fc.array(arbPost, { maxLength: 3 }), arbAccount, fc.option(line), width, (title, posts, a, next, w) => {
        for (const out of [
          renderTimeline(title, posts, { width: w, now, nextCommand: next, hint: title }),
          renderAccount(a, { width: w }),
          renderAccountList([a, a], { width: w, nextCommand: next }),
        ]) {
          expect(out).not.toMatch(UNSAFE);
          expect(widest(out)).toBeLessThanOrEqual(w);
        }
      }),
      { numRuns: 50 },
    );
  });
});

// The layout as it was before it kept running widths: every step measures the whole candidate line with string-width.
// Straightforward and quadratic; the renderer must lay out exactly as this does.
const reference = (() => {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const graphemes = (s: string): string[] => Array.from(segmenter.segment(s), (g) => g.segment);
  const pieces = (s: string, width: number): string[] => graphemes(s).flatMap((g) => (stringWidth(g) > width ? [...g] : [g]));

  function truncate(s: string, width: number): string {
    if (stringWidth(s) <= width) return s;
    if (width < 1) return '';
    let out = '';
    for (const g of graphemes(s)) {
      if (stringWidth(out + g) >= width) break;
      out += g;
    }
    return `${out.trimEnd()}…`;
  }

  function wrap(text: string, width: number): string[] {
    return text.split('\n').flatMap((paragraph) => {
      const lines: string[] = [];
      let line = '';
      let gap = '';
      for (const token of paragraph.split(/([ \u3000]+)/)) {
        if (token === '') continue;
        if (token[0] === ' ' || token[0] === '\u3000') {
          gap = token;
          continue;
        }
        if (stringWidth(line + gap + token) <= width) {
          line += gap + token;
        } else if (stringWidth(token) <= width) {
          if (line) lines.push(line);
          line = token;
        } else {
          if (stringWidth(line + gap) < width) {
            line += gap;
          } else {
            if (line) lines.push(line);
            line = '';
          }
          for (const g of pieces(token, width)) {
            if (line && stringWidth(line + g) > width) {
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
    });
  }

  function flow(parts: string[], sep: string, width: number): string[] {
    const lines: string[] = [];
    for (const part of parts) {
      const last = lines.length - 1;
      if (last >= 0 && stringWidth(lines[last] + sep + part) <= width) lines[last] += sep + part;
      else lines.push(truncate(part, width));
    }
    return lines;
  }

  type Unit = { text: string; quote: string };
  function shellUnits(s: string, width = Number.POSITIVE_INFINITY): Unit[] {
    const units: Unit[] = [];
    let quote = '';
    let escape = '';
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

  function commandLines(prefix: string, command: string, width: number): string[] {
    const room = width - 2;
    const lines: string[] = [];
    let line = prefix;
    let fresh = true;
    for (const word of shellWords(command)) {
      const sep = fresh ? '' : ' ';
      if (stringWidth(line + sep + word) <= room) {
        line += sep + word;
      } else if (!fresh && stringWidth(`  ${word}`) <= room) {
        lines.push(`${line} \\`);
        line = `  ${word}`;
      } else {
        if (!fresh) {
          lines.push(`${line} \\`);
          line = '  ';
        }
        let filled = false;
        for (const unit of shellUnits(word, room)) {
          if (filled && stringWidth(line + unit.text) > room) {
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

  function layoutText(text: string, w: number): string {
    const src = sanitizeTerminal(text).split('\n');
    const out: string[] = [];
    for (let i = 0; i < src.length; i++) {
      const indent = /^ */.exec(src[i])![0];
      let rest = src[i].slice(indent.length);
      if (/^(curl|export)\s/.test(rest)) {
        while (rest.endsWith(' \\') && i + 1 < src.length) rest = `${rest.slice(0, -2)} ${src[++i].trim()}`;
        out.push(...(stringWidth(indent + rest) <= w ? [indent + rest] : commandLines(indent, rest, w)));
      } else if (stringWidth(src[i]) <= w) {
        out.push(src[i]);
      } else {
        const lead = rest.startsWith('# ') ? `${indent}# ` : indent;
        out.push(...wrap(rest.slice(lead.length - indent.length), w - stringWidth(lead)).map((l) => lead + l));
      }
    }
    return out.join('\n');
  }

  return { truncate, wrap, flow, commandLines, layoutText };
})();

describe('layout with running widths', () => {
  // Pieces that segment or measure differently together than apart: CJK and fullwidth forms, emoji ZWJ and flag
  // sequences, skin tones and a lone one after a space, keycaps, combining and spacing marks, Hangul syllables and jamo
  // (and a Kirat Rai vowel sign, which conjoins like one), a prepended mark, tabs, ideographic spaces, shell quotes, and
  // words far longer than any line.
  const piece = fc.constantFrom(
    ' ', ' ', ' ', '   ', '\u3000', '\t', 'a', 'word', 'https://example.com/a/b?c=d', '日本語', '漢', 'ｱﾞ', 'Ａ',
    '👩‍💻', '👨‍👩‍👧‍👦', '🏳️‍🌈', '🇯🇵', '🇯', '❤️', '👍🏽', '🏽', '#️⃣', 'e\u0301', '\u0301', 'n\u0303\u0323', 'क्ष', 'कि', '\u0903',
    '\u1100\u1161\u11a8', '\u1100', '\u1161', '가', '한국어', '\u{16d63}', '\u0600', '\u200d', '\ufe0f', "'", '"', '\\', '$',
    'x'.repeat(150), '漢'.repeat(90), 'e\u0301'.repeat(70), '👩‍💻'.repeat(40), `${'\u1100'.repeat(30)}\u1161`, `क${'\u0903'.repeat(70)}`,
  );
  const text = fc.array(piece, { maxLength: 40 }).map((ps) => ps.join(''));
  const widths = [1, 2, 7, 20, 33, 40, 61, 80, 120];

  it('wraps and truncates exactly as measuring every candidate line with string-width does', () => {
    fc.assert(
      fc.property(text, fc.constantFrom(...widths), (t, w) => {
        expect(wrap(t, w)).toEqual(reference.wrap(t, w));
        expect(truncate(t, w)).toBe(reference.truncate(t, w));
        const safe = sanitizeTerminal(t);
        expect(wrap(safe, w)).toEqual(reference.wrap(safe, w));
      }),
      { numRuns: 150 },
    );
  });

  it('lays out commands, footers, prose and profile details exactly as before', () => {
    fc.assert(
      fc.property(text, text, fc.constantFrom(...widths.filter((w) => w >= 20)), (a, b, w) => {
        const help = `# ${a}\n  ${b}\n  curl -d '${a}' "${b}" ${a} \\\n    ${b}\nexport X=${b}`;
        expect(layoutText(help, w)).toBe(reference.layoutText(help, w));
        const command = sanitizeLine(`curl '${a}' ${b}`);
        expect(renderPageFooter({ width: w, nextCommand: command, hint: b })).toBe(
          `${[...reference.commandLines('next: ', command, w), ...(b ? reference.wrap(sanitizeTerminal(b), w) : [])].join('\n')}\n`,
        );
        const details = [a, b].map((s) => sanitizeLine(s).trim()).filter(Boolean);
        expect(lines(renderAccount(account({ title: a, department: b }), { width: w })).slice(1)).toEqual([
          ...reference.flow(details, ' · ', w),
          ...reference.flow(['10 posts', '1 follower', '2 following'], ' · ', w),
        ]);
      }),
      { numRuns: 100 },
    );
  });
});

describe('layout cost', () => {
  // Work is counted, not timed: the UTF-16 code units handed to string-width and to Intl.Segmenter (both walk their
  // whole input), per code unit of the text laid out. Laying out in linear time keeps that a small constant whatever
  // the length of the text and the width of the line; measuring each candidate line again made it grow with the line
  // (hundreds at width 300). Counts do not flake on a loaded machine the way timings do.
  const segment = Intl.Segmenter.prototype.segment;
  const workPerUnit = (input: string, layout: () => unknown): number => {
    measured.units = 0;
    const spy = vi.spyOn(Intl.Segmenter.prototype, 'segment').mockImplementation(function (this: Intl.Segmenter, s: string) {
      measured.units += s.length;
      return segment.call(this, s);
    });
    try {
      layout();
    } finally {
      spy.mockRestore();
    }
    return measured.units / input.length;
  };

  it.each([
    ['CJK', '漢'.repeat(280)],
    ['combining accents', 'e\u0301'.repeat(280)],
    ['emoji sequences', '👩‍💻👍🏽🇯🇵❤️ '.repeat(40)],
    ['short words', 'ok 漢字 e\u0301 '.repeat(40)],
  ])('renders a post of %s in time linear in its length', (_, text) => {
    for (const width of [80, 300]) expect(workPerUnit(text, () => renderPost(post({ text }), { width, now }))).toBeLessThan(8);
  });

  it.each([
    ['ASCII', 'a'],
    ['CJK', '漢'],
    ['accented', 'e\u0301'],
  ])('lays out a 15,000-character %s word in time linear in its length', (_, unit) => {
    const word = unit.repeat(15_000 / unit.length);
    expect(workPerUnit(word, () => wrap(word, 80))).toBeLessThan(8);
    expect(workPerUnit(word, () => truncate(word, 7_500))).toBeLessThan(8);
    const help = `See ${word} here.\n  curl -H 'Host: ${word}' http://${word}/help`;
    expect(workPerUnit(help, () => layoutText(help, 80))).toBeLessThan(8);
    const next = `curl 'http://h/?q=${word}&cursor=abc'`;
    expect(workPerUnit(next, () => renderPageFooter({ width: 300, nextCommand: next }))).toBeLessThan(8);
  });

  it('splits a grapheme wider than the line in time linear in its length', () => {
    // Each line measures its part of the grapheme a few times (see fitMany), not once per code point.
    for (const grapheme of [`क${'\u0903'.repeat(1999)}`, `${'\u1100'.repeat(400)}${'\u0301'.repeat(1600)}`]) {
      expect(workPerUnit(grapheme, () => wrap(grapheme, 300))).toBeLessThan(40);
      expect(workPerUnit(grapheme, () => renderPageFooter({ width: 300, nextCommand: `curl '${grapheme}'` }))).toBeLessThan(40);
    }
  });
});
