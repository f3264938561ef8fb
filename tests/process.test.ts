import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDb, openDb } from '../src/db/client';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Server = { proc: ChildProcess; base: string; exited: Promise<number | null>; output: () => string };

/** Starts the real server process on a free port and waits until it listens. */
async function startServer(db: string): Promise<Server> {
  // The bundle `npm start` runs (built by tests/build-server.setup.ts).
  const proc = spawn(process.execPath, ['--enable-source-maps', 'dist/server.mjs'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', BLUETWIT_DB: db, BLUETWIT_RATE_LIMITS: 'off', BLUETWIT_SCRYPT_COST: '1024', BLUETWIT_SHUTDOWN_MS: '3000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  });
  return { proc, base, exited, output: () => out };
}

async function account(base: string, handle: string) {
  const body = { handle, displayName: handle, password: 'process test pw' };
  await fetch(`${base}/api/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const r = await fetch(`${base}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, name: 't', scopes: ['read', 'write'] }) });
  return { authorization: `Bearer ${((await r.json()) as { token: string }).token}`, 'content-type': 'application/json' };
}

function tempDb() {
  const dir = mkdtempSync(join(tmpdir(), 'bluetwit-'));
  dirs.push(dir);
  return join(dir, 'db', 'bluetwit.db');
}

describe('the real server process', () => {
  it('loses no acknowledged post when SIGKILLed under concurrent writes, and the database stays intact', async () => {
    const db = tempDb();
    const first = await startServer(db);
    const auth = await account(first.base, 'writer');
    const acked: string[] = [];
    let stop = false;
    const writer = async (n: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await fetch(`${first.base}/api/posts`, { method: 'POST', headers: auth, body: JSON.stringify({ text: `client ${n} post ${i}` }) });
          if (r.status === 201) acked.push(((await r.json()) as { post: { id: string } }).post.id);
        } catch {
          return;
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    while (acked.length < 150) await new Promise((r) => setTimeout(r, 20));
    first.proc.kill('SIGKILL');
    await first.exited;
    stop = true;
    await Promise.all(writers);

    const second = await startServer(db);
    try {
      const missing: string[] = [];
      for (const id of acked) {
        const r = await fetch(`${second.base}/api/posts/${id}`, { headers: auth });
        if (r.status !== 200) missing.push(id);
      }
      expect(missing).toEqual([]);
      // Searchable at once: the bundled server indexes on its worker thread, and a search waits for it.
      const fresh = await fetch(`${second.base}/api/posts`, { method: 'POST', headers: auth, body: JSON.stringify({ text: 'xylophone after the crash' }) });
      const freshId = ((await fresh.json()) as { post: { id: string } }).post.id;
      const found = (await (await fetch(`${second.base}/api/search?q=xylophone`, { headers: auth })).json()) as { items: { id: string }[] };
      expect(found.items.map((p) => p.id)).toEqual([freshId]);
      // Posts acknowledged before the crash were indexed too, when the new server's worker caught up.
      const older = (await (await fetch(`${second.base}/api/search?q=client&limit=100`, { headers: auth })).json()) as { items: unknown[] };
      expect(older.items).toHaveLength(100);
    } finally {
      second.proc.kill('SIGTERM');
      await second.exited;
    }
    const check = new Database(db, { readonly: true });
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((check.prepare('SELECT count(*) AS n FROM posts').get() as { n: number }).n).toBeGreaterThanOrEqual(acked.length);
    check.close();
  }, 60_000);

  it('on SIGTERM finishes in-flight requests, ends streams, checkpoints the database and exits 0', async () => {
    const db = tempDb();
    const server = await startServer(db);
    const auth = await account(server.base, 'graceful');
    // An SSE stream that should be ended by the shutdown.
    const stream = await fetch(`${server.base}/api/stream?timeline=public`, { headers: auth });
    const streamDone = stream.text();
    // A request in flight: headers sent, body not yet finished when SIGTERM arrives.
    const body = JSON.stringify({ text: 'written during shutdown' });
    const url = new URL(`${server.base}/api/posts`);
    const inflight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        { host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...auth, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          let data = '';
          res.on('data', (d) => (data += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: data }));
        },
      );
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        server.proc.kill('SIGTERM');
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 200);
    });
    const started = Date.now();
    const res = await inflight;
    expect(res.status).toBe(201);
    await expect(streamDone).resolves.toContain('event: ready');
    expect(await server.exited).toBe(0);
    // Promptly, not when BLUETWIT_SHUTDOWN_MS (3 s after the signal) forced it: the connections the stream and the request leave
    // open (kept alive) are closed as soon as they are idle.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(server.output()).not.toContain('shutdown timed out');
    const wal = `${db}-wal`;
    expect(!existsSync(wal) || statSync(wal).size === 0).toBe(true);
    const check = new Database(db, { readonly: true });
    expect((check.prepare("SELECT count(*) AS n FROM posts WHERE text = 'written during shutdown'").get() as { n: number }).n).toBe(1);
    check.close();
    // And indexed for search before the process exited.
    const index = new Database(`${db}-search`, { readonly: true });
    expect(index.prepare("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'shutdown'").pluck().get()).toBe(1);
    index.close();
    // The shutdown ran to its end (closing the database), not just out of things to do.
    expect(server.output()).toContain('"msg":"stopped"');
  }, 60_000);

  it('exits at once on a second signal, while a request still holds the graceful shutdown', async () => {
    const server = await startServer(tempDb());
    const url = new URL(`${server.base}/api/posts`);
    // Headers sent, body never finished: the graceful part would wait for it until BLUETWIT_SHUTDOWN_MS.
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': 100 } });
    req.on('error', () => {});
    req.write('{"text":');
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    server.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    server.proc.kill('SIGINT');
    expect(await server.exited).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.output()).toContain('SIGINT again');
    req.destroy();
  }, 30_000);

  it('takes the same signal twice at once (Ctrl-C under npm start reaches node twice) as one, and shuts down gracefully', async () => {
    const server = await startServer(tempDb());
    const auth = await account(server.base, 'twice');
    const body = JSON.stringify({ text: 'finished after a doubled Ctrl-C' });
    const url = new URL(`${server.base}/api/posts`);
    const inflight = new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...auth, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        server.proc.kill('SIGINT');
        // Moments later, as npm passes it on (sent at once, the kernel would merge the two into one).
        setTimeout(() => server.proc.kill('SIGINT'), 50);
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 200);
    });
    expect(await inflight).toBe(201);
    expect(await server.exited).toBe(0);
    expect(server.output()).not.toContain('again');
  }, 30_000);

  it('refuses to start in one line naming the setting: a file that is not SQLite, a newer schema, one it may not write, a port in use', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bluetwit-'));
    dirs.push(dir);
    const run = (env: Record<string, string>) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const { RUN_AS_NOBODY, ...rest } = env;
        const p = spawn(process.execPath, ['dist/server.mjs'], {
          env: { ...process.env, HOST: '127.0.0.1', PORT: '0', BLUETWIT_SCRYPT_COST: '1024', ...rest },
          stdio: ['ignore', 'ignore', 'pipe'],
          ...(RUN_AS_NOBODY ? { uid: 65534, gid: 65534 } : {}),
        });
        let stderr = '';
        p.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('exit', (code) => resolve({ code, stderr }));
      });
    const notSqlite = join(dir, 'random.db');
    writeFileSync(notSqlite, randomBytes(8192));
    const garbage = await run({ BLUETWIT_DB: notSqlite });
    expect(garbage.code).toBe(2);
    expect(garbage.stderr.trim()).toMatch(new RegExp(`^BLUETWIT_DB=${notSqlite}: cannot open the database: .*not a database`));
    const newer = join(dir, 'newer.db');
    const old = new Database(newer);
    old.exec('CREATE TABLE __drizzle_migrations (id INTEGER PRIMARY KEY, hash text NOT NULL, created_at numeric)');
    old.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('from-the-future', Date.now() + 365 * 86_400_000);
    old.close();
    const future = await run({ BLUETWIT_DB: newer });
    expect(future.code).toBe(2);
    expect(future.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^BLUETWIT_DB=.*schema is newer than this build/)]);
    // A file the server may not write (SQLite would open it read-only and fail the first post, or the indexer).
    const readOnly = join(dir, 'readonly.db');
    closeDb(openDb(readOnly));
    chmodSync(dir, 0o777);
    const asRoot = process.getuid?.() === 0;
    // Root writes any file whatever its mode: the server then runs as nobody, to whom the file is read-only.
    chmodSync(readOnly, asRoot ? 0o644 : 0o444);
    const unwritable = await run({ BLUETWIT_DB: readOnly, ...(asRoot ? { RUN_AS_NOBODY: '1' } : {}) });
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr.trim().split('\n')).toEqual([`BLUETWIT_DB=${readOnly}: cannot write the database: attempt to write a readonly database`]);
    const holder = await startServer(tempDb());
    const busy = await run({ BLUETWIT_DB: join(dir, 'ok.db'), PORT: new URL(holder.base).port });
    expect(busy.code).toBe(2);
    expect(busy.stderr.trim()).toBe(`HOST=127.0.0.1 PORT=${new URL(holder.base).port}: cannot listen: the port is in use`);
    holder.proc.kill('SIGTERM');
    await holder.exited;
  }, 60_000);

  it('survives oversize headers, huge query strings and garbage requests, and keeps serving', async () => {
    const server = await startServer(tempDb());
    try {
      const auth = await account(server.base, 'sturdy');
      const big = await fetch(`${server.base}/api/me`, { headers: { ...auth, 'x-junk': 'x'.repeat(64 * 1024) } }).catch(() => null);
      expect(big === null || big.status === 431).toBe(true);
      const longQuery = await fetch(`${server.base}/api/search?q=${'a'.repeat(20_000)}`, { headers: auth });
      expect([400, 414, 431]).toContain(longQuery.status);
      const badJson = await fetch(`${server.base}/api/posts`, { method: 'POST', headers: auth, body: '{"text":' });
      expect(badJson.status).toBe(400);
      const huge = await fetch(`${server.base}/api/posts`, { method: 'POST', headers: auth, body: JSON.stringify({ text: 'x'.repeat(200_000) }) });
      expect(huge.status).toBe(413);
      expect((await fetch(`${server.base}/healthz`)).status).toBe(200);
    } finally {
      server.proc.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  }, 60_000);

  it('writes the home timeline\'s answers, built with their headers in one object, with the same frame of headers as every API answer', async () => {
    const server = await startServer(tempDb());
    // node:http rather than fetch, which always asks for gzip: each way a page can be answered is asked for.
    const get = (path: string, headers: Record<string, string>, method = 'GET') =>
      new Promise<{ status: number; raw: string[]; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
        const req = httpRequest(`${server.base}${path}`, { method, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => resolve({ status: res.statusCode!, raw: res.rawHeaders, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    const FRAME = ['cache-control', 'vary', 'content-security-policy', 'cross-origin-resource-policy', 'referrer-policy', 'strict-transport-security', 'x-content-type-options', 'x-frame-options'];
    const frameOf = (r: { headers: Record<string, unknown> }) => Object.fromEntries(FRAME.map((h) => [h, r.headers[h]]));
    try {
      const auth = await account(server.base, 'framed');
      for (let i = 0; i < 30; i++) {
        const text = `post ${i} long enough that a page of them is worth compressing for the reader`;
        await fetch(`${server.base}/api/posts`, { method: 'POST', headers: auth, body: JSON.stringify({ text }) });
      }
      const reference = await get('/api/me', { authorization: auth.authorization });
      expect(reference.status).toBe(200);
      expect(reference.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(reference.headers['cache-control']).toBe('private, no-cache');
      const plain = await get('/api/timelines/home?limit=5', { authorization: auth.authorization });
      const again = await get('/api/timelines/home?limit=5', { authorization: auth.authorization, 'x-request-id': 'trace-me-42' });
      const gzip = await get('/api/timelines/home?limit=5', { authorization: auth.authorization, 'accept-encoding': 'gzip' });
      const head = await get('/api/timelines/home?limit=5', { authorization: auth.authorization }, 'HEAD');
      const notModified = await get('/api/timelines/home?limit=5', { authorization: auth.authorization, 'if-none-match': String(plain.headers.etag) });
      const refused = await get('/api/timelines/home', { authorization: 'Bearer bt_nottoken' });
      expect([plain, again, gzip, head, notModified, refused].map((r) => r.status)).toEqual([200, 200, 200, 200, 304, 401]);
      for (const [name, r] of Object.entries({ plain, again, gzip, head, notModified, refused })) {
        expect(frameOf(r), name).toEqual(frameOf(reference));
        // Each header once: a frame header the route also set is not written twice.
        const names = r.raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
        expect(new Set(names).size, name).toBe(names.length);
        expect(r.headers['x-request-id'], name).toMatch(/^[\w-]+$/);
      }
      // A caller's request id is carried through; every other request gets its own.
      expect(again.headers['x-request-id']).toBe('trace-me-42');
      expect(new Set([plain, gzip, head, notModified, refused].map((r) => r.headers['x-request-id'])).size).toBe(5);
      // The page itself: its length, type, validator and link, and gzip's weak validator over the same bytes.
      expect(plain.headers['content-type']).toBe('application/json');
      expect(Number(plain.headers['content-length'])).toBe(plain.body.length);
      expect((JSON.parse(plain.body.toString()) as { items: unknown[] }).items).toHaveLength(5);
      expect(plain.headers.link).toMatch(/rel="next"/);
      expect([head.headers.etag, head.headers.link, head.body.length]).toEqual([plain.headers.etag, plain.headers.link, 0]);
      expect([notModified.headers.etag, notModified.body.length]).toEqual([plain.headers.etag, 0]);
      expect(gzip.headers['content-encoding']).toBe('gzip');
      expect(gzip.headers.etag).toBe(`W/${plain.headers.etag}`);
      expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    } finally {
      server.proc.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  }, 60_000);

  it('answers every request over a socket as of after it arrived, though it looks for other processes\' commits once per turn', async () => {
    const db = tempDb();
    const server = await startServer(db);
    const other = new Database(db);
    try {
      const reader = await account(server.base, 'reader');
      await account(server.base, 'author');
      expect((await fetch(`${server.base}/api/accounts/author/follow`, { method: 'PUT', headers: reader })).status).toBe(204);
      const home = async () => ((await (await fetch(`${server.base}/api/timelines/home`, { headers: reader })).json()) as { items: { text: string }[] }).items.map((p) => p.text);
      expect(await home()).toEqual([]);
      await home(); // now served from the page cache
      // Another process (the admin CLI, a script) posts for the author, then someone asks at once, on the same
      // kept-alive connection: the cached page must not be served.
      for (let i = 0; i < 5; i++) {
        const authorId = other.prepare("SELECT id FROM accounts WHERE handle = 'author'").pluck().get();
        other.prepare("INSERT INTO posts (id, author_id, text, created_at) VALUES (?, ?, ?, ?)").run(`ext${i}`, authorId, `from elsewhere ${i}`, Date.now());
        expect((await home())[0]).toBe(`from elsewhere ${i}`);
      }
      // The same for a token another process revokes.
      other.prepare("DELETE FROM tokens WHERE account_id = (SELECT id FROM accounts WHERE handle = 'reader')").run();
      expect((await fetch(`${server.base}/api/timelines/home`, { headers: reader })).status).toBe(401);
    } finally {
      other.close();
      server.proc.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
  }, 60_000);
});
