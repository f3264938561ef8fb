import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { testConfig } from '../src/config';
import { closeDb, openDb, type Db } from '../src/db/client';
import { verifyPassword } from '../src/services/auth';
import { inlineSearchIndex } from '../src/services/search-worker';
import { normalizePostText, parseMentions, parseTags, RESERVED_HANDLES } from '../src/services/text';
import { issueTokens, PROFILES, SEED_PASSWORD, seedDatabase, solveZipfExponent, type SeedSummary, type TokensFile } from '../scripts/seed-lib';

const dir = mkdtempSync(join(tmpdir(), 'bluetwit-seed-'));
const opened: Db[] = [];

function seeded(name: string, seed: number): { db: Db; summary: SeedSummary } {
  const db = openDb(join(dir, `${name}.db`));
  opened.push(db);
  return { db, summary: seedDatabase(db, 'small', seed) };
}

const all = <T = Record<string, unknown>>(db: Db, sql: string, ...params: unknown[]) => db.$client.prepare(sql).all(...params) as T[];
const one = (db: Db, sql: string, ...params: unknown[]) => Object.values(db.$client.prepare(sql).get(...params) as object)[0] as number;

/** A digest of everything the generator decides, for comparing two runs. */
function digest(db: Db): string {
  const h = createHash('sha256');
  for (const sql of [
    'SELECT seq, id, author_id, text, reply_to, mentions, tags, like_count, reply_count, created_at FROM posts ORDER BY seq',
    'SELECT id, handle, display_name, department, title, bot, created_at, password_hash FROM accounts ORDER BY id',
    'SELECT * FROM follows ORDER BY follower_id, followee_id',
    'SELECT * FROM likes ORDER BY account_id, post_seq',
    'SELECT * FROM notifications ORDER BY id',
  ]) {
    for (const row of all(db, sql)) h.update(JSON.stringify(row));
  }
  return h.digest('hex');
}

let a: { db: Db; summary: SeedSummary };

beforeAll(() => {
  a = seeded('a', 42);
});

afterAll(() => {
  for (const db of opened) closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

describe('seeder', () => {
  it('gives identical data for the same seed and different data for another', () => {
    const b = seeded('b', 42);
    const c = seeded('c', 7);
    expect(digest(b.db)).toBe(digest(a.db));
    expect(digest(c.db)).not.toBe(digest(a.db));
    const { ms: _a, ...countsA } = a.summary;
    const { ms: _b, ...countsB } = b.summary;
    expect(countsB).toEqual(countsA);
  });

  it('writes the profile’s numbers of accounts and posts, with some bots, replies, likes and notifications', () => {
    const { db, summary } = a;
    expect(one(db, 'SELECT count(*) FROM accounts')).toBe(PROFILES.small.accounts);
    expect(one(db, 'SELECT count(*) FROM posts')).toBe(PROFILES.small.posts);
    expect(summary.bots).toBeGreaterThan(0);
    expect(one(db, 'SELECT count(*) FROM accounts WHERE bot = 1')).toBe(summary.bots);
    expect(one(db, 'SELECT count(*) FROM posts WHERE reply_to IS NOT NULL')).toBe(summary.replies);
    expect(summary.replies).toBeGreaterThan(PROFILES.small.posts * 0.05);
    expect(one(db, 'SELECT count(*) FROM likes')).toBe(summary.likes);
    expect(summary.likes).toBeGreaterThan(PROFILES.small.posts / 4);
    expect(one(db, 'SELECT count(*) FROM notifications')).toBe(summary.notifications);
    expect(one(db, "SELECT count(DISTINCT type) FROM notifications")).toBe(4);
    expect(one(db, "SELECT count(*) FROM accounts WHERE role != 'user'")).toBe(0);
  });

  it('keeps every counter equal to the rows it counts', () => {
    const { db } = a;
    expect(one(db, 'SELECT count(*) FROM accounts a WHERE posts_count != (SELECT count(*) FROM posts WHERE author_id = a.id)')).toBe(0);
    expect(one(db, 'SELECT count(*) FROM accounts a WHERE following_count != (SELECT count(*) FROM follows WHERE follower_id = a.id)')).toBe(0);
    expect(one(db, 'SELECT count(*) FROM accounts a WHERE followers_count != (SELECT count(*) FROM follows WHERE followee_id = a.id)')).toBe(0);
    expect(one(db, 'SELECT count(*) FROM posts p WHERE like_count != (SELECT count(*) FROM likes WHERE post_seq = p.seq)')).toBe(0);
    expect(one(db, 'SELECT count(*) FROM posts p WHERE reply_count != (SELECT count(*) FROM posts r WHERE r.reply_to = p.id)')).toBe(0);
    expect(one(db, 'SELECT count(*) FROM posts p JOIN accounts a ON a.id = p.author_id WHERE p.author_bot != a.bot')).toBe(0);
    expect(one(db, 'SELECT count(*) FROM posts r JOIN posts p ON p.id = r.reply_to WHERE r.reply_to_author_id IS NOT p.author_id')).toBe(0);
    expect(one(db, 'SELECT count(*) FROM posts r WHERE r.reply_to IS NOT NULL AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = r.reply_to AND p.seq < r.seq)')).toBe(0);
  });

  it('stores mentions and tags exactly as the post service would parse them', () => {
    const { db } = a;
    const handles = new Map(all<{ id: number; handle: string }>(db, 'SELECT id, handle FROM accounts').map((r) => [r.handle, r.id]));
    const tagRows = new Map<number, string[]>();
    for (const r of all<{ tag: string; post_seq: number }>(db, 'SELECT tag, post_seq FROM post_tags')) tagRows.set(r.post_seq, [...(tagRows.get(r.post_seq) ?? []), r.tag]);
    const mentionRows = new Map<number, number[]>();
    for (const r of all<{ account_id: number; post_seq: number }>(db, 'SELECT account_id, post_seq FROM post_mentions')) {
      mentionRows.set(r.post_seq, [...(mentionRows.get(r.post_seq) ?? []), r.account_id]);
    }
    let withTags = 0;
    let withMentions = 0;
    for (const p of all<{ seq: number; text: string; mentions: string; tags: string }>(db, 'SELECT seq, text, mentions, tags FROM posts')) {
      expect(normalizePostText(p.text, 280)).toBe(p.text);
      const mentions = JSON.parse(p.mentions) as string[];
      const tags = JSON.parse(p.tags) as string[];
      expect(mentions).toEqual(parseMentions(p.text));
      expect(tags).toEqual(parseTags(p.text));
      expect((tagRows.get(p.seq) ?? []).sort()).toEqual([...tags].sort());
      expect((mentionRows.get(p.seq) ?? []).sort((x, y) => x - y)).toEqual(mentions.map((h) => handles.get(h)).sort((x, y) => x! - y!));
      if (tags.length) withTags++;
      if (mentions.length) withMentions++;
    }
    expect(withTags).toBeGreaterThan(PROFILES.small.posts * 0.2);
    expect(withMentions).toBeGreaterThan(PROFILES.small.posts * 0.1);
  });

  it('writes valid, unique handles, no self-follows, orderly seqs and notifications, and sound foreign keys', () => {
    const { db } = a;
    const handles = all<{ handle: string }>(db, 'SELECT handle FROM accounts').map((r) => r.handle);
    expect(new Set(handles).size).toBe(handles.length);
    for (const h of handles) {
      expect(h).toMatch(/^[a-z0-9_]{2,30}$/);
      expect(RESERVED_HANDLES.has(h)).toBe(false);
    }
    expect(one(db, 'SELECT count(*) FROM follows WHERE follower_id = followee_id')).toBe(0);
    expect(one(db, 'SELECT count(*) FROM posts a JOIN posts b ON b.seq = a.seq + 1 WHERE b.created_at < a.created_at')).toBe(0);
    expect(one(db, 'SELECT max(seq) FROM posts')).toBe(PROFILES.small.posts);
    expect(one(db, "SELECT seq FROM sqlite_sequence WHERE name = 'posts'")).toBe(PROFILES.small.posts);
    expect(one(db, 'SELECT count(*) FROM notifications WHERE recipient_id = actor_id')).toBe(0);
    expect(one(db, "SELECT count(*) FROM notifications WHERE (type = 'follow') != (post_seq IS NULL)")).toBe(0);
    expect(one(db, 'SELECT count(*) FROM notifications a JOIN notifications b ON b.id = a.id + 1 WHERE b.created_at < a.created_at')).toBe(0);
    expect(one(db, 'SELECT count(*) FROM likes l JOIN posts p ON p.seq = l.post_seq WHERE l.created_at < p.created_at')).toBe(0);
    expect(all(db, 'PRAGMA foreign_key_check')).toEqual([]);
    expect(one(db, 'PRAGMA integrity_check')).toBe('ok');
  });

  it('leaves the schema and connection settings as the migrations and openDb left them', () => {
    const fresh = openDb(':memory:');
    const schema = (db: Db) => all(db, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name");
    expect(schema(a.db)).toEqual(schema(fresh));
    closeDb(fresh);
    expect(one(a.db, 'PRAGMA journal_mode')).toBe('wal');
    expect(one(a.db, 'PRAGMA foreign_keys')).toBe(1);
    expect(one(a.db, 'PRAGMA synchronous')).toBe(1);
  });

  it('skews authorship so a few accounts write much of the traffic, and many write little', () => {
    const counts = all<{ c: number }>(a.db, 'SELECT posts_count AS c FROM accounts ORDER BY c DESC').map((r) => r.c);
    const share = (k: number) => counts.slice(0, k).reduce((s, c) => s + c, 0) / PROFILES.small.posts;
    expect(share(3)).toBeGreaterThan(0.15); // top 1%
    expect(share(3)).toBeLessThan(0.3);
    expect(share(30)).toBeGreaterThan(0.45); // top 10%
    expect(counts[Math.floor(counts.length / 2)]).toBeLessThan(PROFILES.small.posts / PROFILES.small.accounts / 2);
    // The company profile's exponent puts a third of the posts on the top 1% of 20,000 accounts.
    const s = solveZipfExponent(20_000, 200, 1 / 3);
    expect(s).toBeGreaterThan(0.75);
    expect(s).toBeLessThan(0.9);
  });

  it('gives a heavy-tailed follow graph with light, median and heavy followers and a few very popular accounts', () => {
    const following = all<{ c: number }>(a.db, 'SELECT following_count AS c FROM accounts WHERE bot = 0 ORDER BY c').map((r) => r.c);
    const median = following[Math.floor(following.length / 2)];
    const { lightMax, heavyMin } = PROFILES.small.classes;
    expect(median).toBeGreaterThanOrEqual(20);
    expect(median).toBeLessThanOrEqual(45);
    expect(following.filter((c) => c >= 1 && c <= lightMax).length).toBeGreaterThanOrEqual(5);
    expect(following.filter((c) => c >= heavyMin).length).toBeGreaterThanOrEqual(5);
    const mean = following.reduce((s, c) => s + c, 0) / following.length;
    expect(mean).toBeGreaterThan(median); // right-skewed
    const followers = all<{ c: number }>(a.db, 'SELECT followers_count AS c FROM accounts ORDER BY c DESC').map((r) => r.c);
    expect(followers[0]).toBeGreaterThan(3 * followers[Math.floor(followers.length / 2)]);
  });

  it('builds the search index in its own file, complete, and new posts join it afterwards', () => {
    const { db } = a;
    for (const word of ['kubernetes', 'ramen', 'dashboards']) {
      const fts = one(db, 'SELECT count(*) FROM search.posts_fts WHERE posts_fts MATCH ?', word);
      expect(fts).toBeGreaterThan(0);
      expect(fts).toBe(one(db, 'SELECT count(*) FROM posts WHERE text LIKE ?', `%${word}%`));
    }
    expect(one(db, 'SELECT indexed_seq FROM search.search_state')).toBe(one(db, 'SELECT max(seq) FROM posts'));
    expect(() => db.$client.exec("INSERT INTO search.posts_fts(posts_fts) VALUES('integrity-check')")).not.toThrow();
    expect(existsSync(join(dir, 'a.db-search'))).toBe(true);
    const c = seeded('fts', 3).db;
    c.$client
      .prepare("INSERT INTO posts (id, author_id, text, created_at) VALUES ('fts-probe-id-000000000', 1, 'zanzibarian quokka', 0)")
      .run();
    expect(one(c, "SELECT count(*) FROM search.posts_fts WHERE posts_fts MATCH 'quokka'")).toBe(0);
    expect(inlineSearchIndex(c).step().indexed).toBe(1);
    expect(one(c, "SELECT count(*) FROM search.posts_fts WHERE posts_fts MATCH 'quokka'")).toBe(1);
  });

  it('refuses to seed a database that already has data', () => {
    expect(() => seedDatabase(a.db, 'small', 42)).toThrow(/refusing/);
  });

  it('issues tokens per following class that the API accepts, for accounts that sign in with the seed password', async () => {
    const file: TokensFile = issueTokens(a.db, 'small', 42);
    const { lightMax, median, heavyMin } = PROFILES.small.classes;
    for (const cls of ['light', 'median', 'heavy'] as const) {
      const group = file.tokens.filter((t) => t.class === cls);
      expect(group.length).toBe(PROFILES.small.tokensPerClass);
      for (const t of group) {
        expect(t.token).toMatch(/^bt_[A-Za-z0-9_-]{32}$/);
        const ok = cls === 'light' ? t.following <= lightMax : cls === 'median' ? t.following >= median[0] && t.following <= median[1] : t.following >= heavyMin;
        expect(ok).toBe(true);
      }
    }
    expect(file.baseline).toMatchObject({ profile: 'small', seed: 42, password: SEED_PASSWORD, posts: PROFILES.small.posts });
    expect(file.targets.length).toBeGreaterThan(50);
    const stored = all<{ scopes: string }>(a.db, "SELECT scopes FROM tokens WHERE name LIKE 'load-%'");
    expect(stored.length).toBe(file.tokens.length);
    expect(new Set(stored.map((r) => r.scopes))).toEqual(new Set(['read write']));

    const app = createApp({ db: a.db, config: testConfig() });
    const heavy = file.tokens.find((t) => t.class === 'heavy')!;
    const home = await app.request('/api/timelines/home?limit=5', { headers: { authorization: `Bearer ${heavy.token}`, accept: 'application/json' } });
    expect(home.status).toBe(200);
    expect(((await home.json()) as { items: unknown[] }).items.length).toBe(5);

    const hash = one(a.db, 'SELECT password_hash FROM accounts WHERE handle = ?', heavy.handle) as unknown as string;
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword(SEED_PASSWORD, hash)).toBe(true);
    const signIn = await app.request('/api/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ handle: heavy.handle, password: SEED_PASSWORD }),
    });
    expect(signIn.status).toBe(200);
  });
});

describe('seed CLI', () => {
  const run = (...args: string[]) => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const r = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), ['scripts/seed.ts', ...args], { cwd: root, encoding: 'utf8' });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('refuses a non-empty database, reuses a matching seed, and replaces it only with --force', () => {
    const db = join(dir, 'cli.db');
    const tokens = join(dir, 'cli-tokens.json');
    const common = ['--profile', 'small', '--db', db, '--tokens', tokens, '--per-class', '2'];

    const first = run(...common);
    expect(first.code, first.err).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ profile: 'small', seed: 42, posts: PROFILES.small.posts });
    expect(JSON.parse(readFileSync(`${db}.seed-meta.json`, 'utf8'))).toMatchObject({ profile: 'small', seed: 42 });
    const issued = readFileSync(tokens, 'utf8');
    expect((JSON.parse(issued) as TokensFile).tokens.length).toBe(6);

    const again = run(...common);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/not empty/);

    const reused = run(...common, '--reuse');
    expect(reused.code, reused.err).toBe(0);
    expect(JSON.parse(reused.out)).toMatchObject({ reused: db });
    expect(readFileSync(tokens, 'utf8')).toBe(issued);

    const otherSeed = run(...common, '--reuse', '--seed', '7');
    expect(otherSeed.code).toBe(1);
    expect(otherSeed.err).toMatch(/seed 42/);

    const forced = run(...common, '--seed', '7', '--force');
    expect(forced.code, forced.err).toBe(0);
    expect(JSON.parse(readFileSync(`${db}.seed-meta.json`, 'utf8'))).toMatchObject({ seed: 7 });
    expect(readFileSync(tokens, 'utf8')).not.toBe(issued);

    expect(run('--profile', 'huge', '--db', db).code).toBe(2);
    // A file that is not SQLite is neither seeded over nor a stack trace: one line, exit 2, the file untouched.
    const garbage = `${db}.garbage`;
    writeFileSync(garbage, 'not a database at all, but somebody\'s notes'.repeat(200));
    const refused = run('--profile', 'small', '--db', garbage);
    expect([refused.code, refused.err.trim().split('\n')]).toEqual([2, [expect.stringMatching(/^seed: --db .*: cannot open the database: file is not a database$/)]]);
    expect(readFileSync(garbage, 'utf8')).toMatch(/^not a database at all/);
  }, 90_000);
});
