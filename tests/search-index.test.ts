import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { testConfig } from '../src/config';
import { closeDb, openDb, type Db } from '../src/db/client';
import { backup } from '../src/services/admin';
import { inlineSearchIndex, startSearchWorker, type SearchIndex } from '../src/services/search-worker';
import { call, makeTestApp, post, signUp } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'bluetwit-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ids = (r: { json: { items: { id: string }[] } }) => r.json.items.map((p) => p.id);
const count = (db: Db, sql: string, ...params: unknown[]) => db.$client.prepare(sql).pluck().get(...params) as number;
const matches = (db: Db, word: string) => count(db, 'SELECT count(*) FROM search.posts_fts WHERE posts_fts MATCH ?', word);
const integrityCheck = (db: Db) => db.$client.exec("INSERT INTO search.posts_fts(posts_fts) VALUES('integrity-check')");
const quiet = { error: () => {}, info: () => {} };

async function until(what: () => boolean, ms = 5_000) {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('search index, on the thread that searches', () => {
  it('indexes new posts before every search, and drops deleted ones whether or not they were indexed yet', async () => {
    const app = makeTestApp();
    const a = await signUp(app);
    const { db } = app.deps;
    const p1 = await post(app, a, 'quasar telemetry one');
    // Posting does not index; the search does, first.
    expect(matches(db, 'quasar')).toBe(0);
    expect(ids(await call(app, '/api/search?q=quasar', { headers: a.auth }))).toEqual([p1.id]);
    expect(matches(db, 'quasar')).toBe(1);
    const p2 = await post(app, a, 'quasar telemetry two');
    // Deleted before it was indexed: never indexed.
    await call(app, `/api/posts/${p2.id}`, { method: 'DELETE', headers: a.auth });
    // Deleted after indexing: taken out of the index.
    await call(app, `/api/posts/${p1.id}`, { method: 'DELETE', headers: a.auth });
    expect(count(db, 'SELECT count(*) FROM search_deletions')).toBe(2);
    expect(ids(await call(app, '/api/search?q=quasar', { headers: a.auth }))).toEqual([]);
    expect(matches(db, 'quasar')).toBe(0);
    expect(matches(db, 'telemetry')).toBe(0);
    // The applied deletions are forgotten by the database.
    expect(count(db, 'SELECT count(*) FROM search_deletions')).toBe(0);
    expect(() => integrityCheck(db)).not.toThrow();
  });

  it('indexes in bounded batches, oldest first, and moves past the newest posts deleted before they were indexed', async () => {
    const app = makeTestApp();
    const a = await signUp(app);
    const { db } = app.deps;
    const posted = [];
    for (let i = 0; i < 5; i++) posted.push(await post(app, a, `nebula batch ${i}`));
    const index = inlineSearchIndex(db);
    const seqOf = (id: string) => count(db, 'SELECT seq FROM posts WHERE id = ?', id);
    expect(index.step(2)).toMatchObject({ indexed: 2, seq: seqOf(posted[1].id) });
    expect(count(db, "SELECT max(rowid) FROM search.posts_fts WHERE posts_fts MATCH 'nebula'")).toBe(seqOf(posted[1].id));
    const last = seqOf(posted[4].id);
    await call(app, `/api/posts/${posted[4].id}`, { method: 'DELETE', headers: a.auth });
    // Three left, two deleted: the mark reaches the deleted newest post, so no search waits for it.
    expect(index.step(5)).toMatchObject({ indexed: 2, seq: last });
    expect(ids(await call(app, '/api/search?q=nebula', { headers: a.auth }))).toEqual(posted.slice(0, 4).map((p) => p.id).reverse());
    expect(index.step(5)).toMatchObject({ indexed: 0, removed: 0, seq: last });
  });
});

describe('search index file', () => {
  it('lives beside the database, and is built again when missing, another database\'s, or ahead of a restored backup', async () => {
    const path = join(dir, 'own.db');
    let db = openDb(path);
    let app = createApp({ db, config: testConfig() });
    const a = await signUp(app);
    const first = await post(app, a, 'aardvark first');
    await backup(app.deps, join(dir, 'own-backup.db'));
    const second = await post(app, a, 'aardvark second');
    expect(ids(await call(app, '/api/search?q=aardvark', { headers: a.auth }))).toEqual([second.id, first.id]);
    expect(existsSync(`${path}-search`)).toBe(true);
    closeDb(db);

    // Restored from the backup, which never had the second post: the next post reuses its seq, and the index,
    // which has that seq for the second post's words, starts over.
    for (const f of ['', '-wal', '-shm']) rmSync(path + f, { force: true });
    const restored = openDb(join(dir, 'own-backup.db'));
    closeDb(restored);
    rmSync(join(dir, 'own-backup.db-search'), { force: true });
    renameSync(join(dir, 'own-backup.db'), path);
    db = openDb(path);
    expect(count(db, 'SELECT indexed_seq FROM search.search_state')).toBe(0);
    expect(matches(db, 'aardvark')).toBe(0);
    app = createApp({ db, config: testConfig() });
    const third = await post(app, a, 'zebra third');
    expect(ids(await call(app, '/api/search?q=aardvark', { headers: a.auth }))).toEqual([first.id]);
    expect(ids(await call(app, '/api/search?q=zebra', { headers: a.auth }))).toEqual([third.id]);
    expect(ids(await call(app, '/api/search?q=second', { headers: a.auth }))).toEqual([]);
    closeDb(db);

    // Another database's index beside it: emptied, then built from this one's posts.
    const other = openDb(join(dir, 'other.db'));
    const otherApp = createApp({ db: other, config: testConfig() });
    await post(otherApp, await signUp(otherApp), 'okapi elsewhere');
    await call(otherApp, '/api/search?q=okapi');
    closeDb(other);
    for (const f of ['', '-wal', '-shm']) rmSync(`${path}-search${f}`, { force: true });
    renameSync(join(dir, 'other.db-search'), `${path}-search`);
    db = openDb(path);
    expect(matches(db, 'okapi')).toBe(0);
    app = createApp({ db, config: testConfig() });
    expect(ids(await call(app, '/api/search?q=zebra', { headers: a.auth }))).toEqual([third.id]);

    // Missing: made again, and every post found.
    closeDb(db);
    for (const f of ['', '-wal', '-shm']) rmSync(`${path}-search${f}`, { force: true });
    db = openDb(path);
    app = createApp({ db, config: testConfig() });
    expect(ids(await call(app, '/api/search?q=aardvark', { headers: a.auth }))).toEqual([first.id]);
    expect(() => integrityCheck(db)).not.toThrow();
    closeDb(db);
  });

  it('is built again for a restored backup that has posts back which were deleted after it was taken', async () => {
    const path = join(dir, 'undelete.db');
    let db = openDb(path);
    let app = createApp({ db, config: testConfig() });
    const a = await signUp(app);
    const kept = await post(app, a, 'lemur kept');
    const gone = await post(app, a, 'lemur deleted after the backup');
    expect(ids(await call(app, '/api/search?q=lemur', { headers: a.auth }))).toEqual([gone.id, kept.id]);
    await backup(app.deps, join(dir, 'undelete-backup.db'));
    await call(app, `/api/posts/${gone.id}`, { method: 'DELETE', headers: a.auth });
    expect(ids(await call(app, '/api/search?q=lemur', { headers: a.auth }))).toEqual([kept.id]);
    closeDb(db);
    // The backup has no post the index lacks a seq for, but one it dropped.
    for (const f of ['', '-wal', '-shm']) rmSync(path + f, { force: true });
    renameSync(join(dir, 'undelete-backup.db'), path);
    db = openDb(path);
    app = createApp({ db, config: testConfig() });
    expect(ids(await call(app, '/api/search?q=lemur', { headers: a.auth }))).toEqual([gone.id, kept.id]);
    closeDb(db);
  });
});

describe('search worker', () => {
  it('indexes on its own thread: posts are searchable at once, deletions leave the index, and stop() finishes the queue', async () => {
    const path = join(dir, 'worker.db');
    const db = openDb(path, { backgroundCheckpoints: true });
    const logged: string[] = [];
    const searchIndex: SearchIndex = startSearchWorker(db, path, { error: (_, m) => logged.push(m), info: (m) => logged.push(m) }, { everyMs: 5 });
    const app = createApp({ db, config: testConfig(), searchIndex });
    try {
      const a = await signUp(app);
      const posted = [];
      for (let i = 0; i < 30; i++) posted.push(await post(app, a, `wombat number ${i}`));
      // Each search waits for every post before it.
      expect(ids(await call(app, '/api/search?q=wombat&limit=50', { headers: a.auth }))).toEqual(posted.map((p) => p.id).reverse());
      const fresh = await post(app, a, 'capybara right now');
      expect(ids(await call(app, '/api/search?q=capybara', { headers: a.auth }))).toEqual([fresh.id]);
      // The worker wrote the index; this thread only read it.
      expect(matches(db, 'wombat')).toBe(30);
      // It yields the CPU to the server's thread: a nice value of its own (a thread's, on Linux).
      if (process.platform === 'linux') {
        const nice = (t: string) => readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1].split(' ')[16];
        expect(readdirSync('/proc/self/task').filter((t) => nice(t) === '10')).toHaveLength(1);
      }
      await call(app, `/api/posts/${posted[0].id}`, { method: 'DELETE', headers: a.auth });
      await until(() => matches(db, 'wombat') === 29);
      // Applied deletions are forgotten by the database.
      await until(() => count(db, 'SELECT count(*) FROM search_deletions') === 0);
      // Not yet indexed when stop() is called: indexed before the thread exits.
      const late = await post(app, a, 'platypus last words');
      await searchIndex.stop();
      expect(matches(db, 'platypus')).toBe(1);
      expect(count(db, 'SELECT indexed_seq FROM search.search_state')).toBe(count(db, 'SELECT seq FROM posts WHERE id = ?', late.id));
      expect(() => integrityCheck(db)).not.toThrow();
      expect(logged).toEqual([]);
    } finally {
      await searchIndex.stop();
      closeDb(db);
    }
  });

  it('answers with what is indexed when building the index from scratch takes longer than a search may wait', async () => {
    const path = join(dir, 'rebuild.db');
    let db = openDb(path);
    const rows = db.$client.prepare("INSERT INTO posts (id, author_id, text, created_at) VALUES (?, ?, ?, 0)");
    const app0 = createApp({ db, config: testConfig() });
    const a = await signUp(app0);
    const author = count(db, 'SELECT id FROM accounts WHERE handle = ?', a.handle);
    db.$client.transaction(() => {
      for (let i = 0; i < 30_000; i++) rows.run(`rebuild-${String(i).padStart(14, '0')}`, author, `gnu herd member ${i} crossing the river`);
    })();
    closeDb(db);
    for (const f of ['', '-wal', '-shm']) rmSync(`${path}-search${f}`, { force: true });
    db = openDb(path, { backgroundCheckpoints: true });
    const searchIndex = startSearchWorker(db, path, quiet, { max: 500 });
    const app = createApp({ db, config: testConfig(), searchIndex });
    try {
      const t0 = performance.now();
      await searchIndex.caughtUp(50);
      expect(performance.now() - t0).toBeLessThan(1_000);
      expect(matches(db, 'gnu')).toBeLessThan(30_000);
      // Searches go on meanwhile; the index fills up in the background, and then has every post.
      expect((await call(app, '/api/search?q=gnu', { headers: a.auth })).status).toBe(200);
      await searchIndex.caughtUp(30_000);
      expect(matches(db, 'gnu')).toBe(30_000);
    } finally {
      await searchIndex.stop();
      closeDb(db);
    }
  });

  it('keeps serving when the database is too busy to forget applied deletions, and forgets them later', async () => {
    const path = join(dir, 'busy.db');
    const db = openDb(path, { backgroundCheckpoints: true });
    db.$client.pragma('busy_timeout = 20');
    const searchIndex = startSearchWorker(db, path, quiet, { everyMs: 5 });
    const app = createApp({ db, config: testConfig() , searchIndex });
    // Another process writing the database (a plain connection: its write lock is the database's alone).
    const other = new Database(path);
    try {
      const a = await signUp(app);
      const p = await post(app, a, 'marmot soon deleted');
      await searchIndex.caughtUp();
      // Another process holds the write lock while the worker reports the deletion applied.
      other.exec('BEGIN IMMEDIATE');
      try {
        // Refused like any write meanwhile; the post stays.
        await call(app, `/api/posts/${p.id}`, { method: 'DELETE', headers: a.auth });
      } finally {
        other.exec('ROLLBACK');
      }
      await call(app, `/api/posts/${p.id}`, { method: 'DELETE', headers: a.auth });
      other.exec('BEGIN IMMEDIATE');
      await until(() => matches(db, 'marmot') === 0);
      // The prune failed (busy); the server is still here and serving.
      expect(count(db, 'SELECT count(*) FROM search_deletions')).toBe(1);
      expect((await call(app, '/api/search?q=marmot', { headers: a.auth })).status).toBe(200);
      other.exec('ROLLBACK');
      // The next report prunes it.
      await post(app, a, 'another post');
      await until(() => count(db, 'SELECT count(*) FROM search_deletions') === 0);
    } finally {
      if (other.inTransaction) other.exec('ROLLBACK');
      other.close();
      await searchIndex.stop();
      closeDb(db);
    }
  });

  it('indexes on the server\'s thread from then on when the worker thread fails, and says so once', async () => {
    const path = join(dir, 'broken.db');
    const db = openDb(path, { backgroundCheckpoints: true });
    const logged: string[] = [];
    const log = { error: (_: object, m: string) => logged.push(m), info: (m: string) => logged.push(m) };
    const searchIndex = startSearchWorker(db, path, log, { driver: join(dir, 'no-such-driver.js') });
    const app = createApp({ db, config: testConfig(), searchIndex });
    try {
      const a = await signUp(app);
      await until(() => logged.length > 0);
      const p = await post(app, a, 'phoenix from the ashes');
      expect(ids(await call(app, '/api/search?q=phoenix', { headers: a.auth }))).toEqual([p.id]);
      await call(app, `/api/posts/${p.id}`, { method: 'DELETE', headers: a.auth });
      expect(ids(await call(app, '/api/search?q=phoenix', { headers: a.auth }))).toEqual([]);
      expect(matches(db, 'phoenix')).toBe(0);
      expect(logged).toEqual(['the search indexing thread stopped; indexing on the server thread from now on']);
    } finally {
      await searchIndex.stop();
      closeDb(db);
    }
  });

});
