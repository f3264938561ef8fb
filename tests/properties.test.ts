import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '../src/services/cursor';
import { codePoints, normalizeHandle, normalizePostText } from '../src/services/text';
import { call, makeTestApp, signUp } from './helpers';

// Any code points, and strings of surrogate halves that may or may not pair up.
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: fc.constantFrom('a', ' ', '\ud83d', '\ude00', '\ud800', '\udfff'), maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('a', ' ', '\u200b', '\u200d', '\u3164', '\u2800', '\ufe0f', '\u00ad'), maxLength: 12 }),
);
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
// Drawn as nothing: spaces, default-ignorable code points, the blank Braille pattern.
const INVISIBLE = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

describe('post validation (property)', () => {
  it('accepts exactly the NFC-trimmed texts of 1..280 code points, something visible, without controls (at the ends either), and never throws anything else', () => {
    fc.assert(
      fc.property(anyText, (raw) => {
        const untrimmed = raw.normalize('NFC').replace(/\r\n/g, '\n');
        const expected = untrimmed.trim();
        let result: string | undefined;
        try {
          result = normalizePostText(raw, 280);
        } catch (err) {
          expect((err as { status?: number }).status).toBe(400);
          const n = codePoints(expected);
          expect(n === 0 || n > 280 || INVISIBLE.test(expected) || CONTROL.test(untrimmed) || /\p{Cs}/u.test(raw)).toBe(true);
          return;
        }
        expect(result).toBe(expected);
        expect(CONTROL.test(untrimmed)).toBe(false);
        expect(codePoints(result)).toBeGreaterThan(0);
        expect(INVISIBLE.test(result)).toBe(false);
        expect(codePoints(result)).toBeLessThanOrEqual(280);
        expect(CONTROL.test(result)).toBe(false);
        expect(/\p{Cs}/u.test(result)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it('never answers a 500 and never stores a refused post, for arbitrary text over HTTP', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(anyText, async (text) => {
        const r = await call(app, '/api/posts', { body: { text }, headers: u.auth });
        expect([201, 400]).toContain(r.status);
        if (r.status === 201) stored++;
        else expect(r.json.error.details[0].field).toBe('text');
      }),
      { numRuns: 300 },
    );
    expect((await call(app, `/api/accounts/${u.handle}`, { headers: u.auth })).json.account.postsCount).toBe(stored);
  });

  it('never answers a 500 for arbitrary JSON bodies', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const r = await call(app, '/api/posts', { body: JSON.stringify(value), headers: u.auth });
        expect(r.status).toBeLessThan(500);
        expect(r.status === 201 || r.json.error.code).toBeTruthy();
      }),
      { numRuns: 300 },
    );
  });
});

describe('handle validation (property)', () => {
  it('accepts exactly lowercase-able [a-z0-9_]{2,30} that are not reserved', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[A-Za-z0-9_]{1,32}$/)), (raw) => {
        const ok = /^[a-z0-9_]{2,30}$/.test(raw.trim().toLowerCase());
        try {
          expect(normalizeHandle(raw)).toBe(raw.trim().toLowerCase());
          expect(ok).toBe(true);
        } catch (err) {
          expect((err as { status?: number }).status).toBe(400);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('never answers a 500 for arbitrary handles in URLs or sign-ups', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 40 }), async (handle) => {
        const r = await call(app, `/api/accounts/${encodeURIComponent(handle)}`, { headers: u.auth });
        expect([200, 400, 404]).toContain(r.status);
        const s = await call(app, '/api/accounts', { body: { handle, displayName: 'X', password: 'long enough pw' } });
        expect([201, 400, 409]).toContain(s.status);
      }),
      { numRuns: 200 },
    );
  });
});

describe('cursor parsing (property)', () => {
  it('round-trips encoded cursors', () => {
    fc.assert(
      fc.property(fc.nat({ max: Number.MAX_SAFE_INTEGER }), (n) => {
        expect(decodeCursor(encodeCursor('p', [n]), 'p', 'n')).toEqual([n]);
      }),
    );
  });

  it('refuses arbitrary strings with 400 (never a 500) on every paginated endpoint', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const paths = ['/api/timelines/home', '/api/timelines/public', '/api/accounts', `/api/accounts/${u.handle}/followers`, '/api/notifications', '/api/search?q=a&x=1', '/home'];
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.base64String({ maxLength: 60 })), fc.constantFrom(...paths), async (cursor, path) => {
        const sep = path.includes('?') ? '&' : '?';
        const r = await call(app, `${path}${sep}cursor=${encodeURIComponent(cursor)}`, { headers: u.auth });
        expect([200, 400]).toContain(r.status);
      }),
      { numRuns: 300 },
    );
  });
});
