import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app';
import { testConfig } from '../src/config';
import { openDb } from '../src/db/client';
import { backup } from '../src/services/admin';
import type { Actor } from '../src/services/deps';
import { createPost } from '../src/services/posts';
import { call, post, signUp } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'bluetwit-admin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const admin = (db: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { env: { ...process.env, BLUETWIT_DB: db, BLUETWIT_SCRYPT_COST: '1024' }, encoding: 'utf8', timeout: 30_000 });

describe('admin CLI', () => {
  it('creates an admin who can sign in, resets a password, issues a token and prints stats', async () => {
    const db = join(dir, 'cli.db');
    const created = admin(db, 'create-admin', 'Root_Admin', '--name', 'Root Admin');
    expect(created.status).toBe(0);
    const password = /password: (\S+)/.exec(created.stdout)![1];
    const app = createApp({ db: openDb(db), config: testConfig() });
    const signIn = await call(app, '/api/sessions', { body: { handle: 'root_admin', password } });
    expect(signIn.status).toBe(200);
    const me = await call(app, '/api/me', { headers: { cookie: signIn.headers.get('set-cookie')!.split(';')[0] } });
    expect(me.json.role).toBe('admin');

    const before = admin(db, 'issue-token', 'root_admin').stdout.trim();
    expect((await call(app, '/api/me', { headers: { authorization: `Bearer ${before}` } })).status).toBe(200);
    const reset = admin(db, 'reset-password', 'root_admin');
    // A reset assumes the account may be in the wrong hands: its tokens stop working too.
    expect((await call(app, '/api/me', { headers: { authorization: `Bearer ${before}` } })).status).toBe(401);
    expect(reset.status).toBe(0);
    const newPassword = /: (\S+)$/m.exec(reset.stdout)![1];
    expect((await call(app, '/api/sessions', { body: { handle: 'root_admin', password } })).status).toBe(401);
    expect((await call(app, '/api/sessions', { body: { handle: 'root_admin', password: newPassword } })).status).toBe(200);

    const token = admin(db, 'issue-token', 'root_admin', '--scopes', 'read').stdout.trim();
    const auth = { authorization: `Bearer ${token}` };
    expect((await call(app, '/api/me', { headers: auth })).status).toBe(200);
    expect((await call(app, '/api/posts', { body: { text: 'ro' }, headers: auth })).status).toBe(403);

    const stats = JSON.parse(admin(db, 'stats').stdout);
    expect(stats).toMatchObject({ accounts: 1, admins: 1, posts: 0 });
    expect(admin(db, 'reset-password', 'nobody').status).toBe(1);
    expect(admin(db, 'frobnicate').status).toBe(1);
  }, 60_000);

  it('exports an account’s posts as JSON lines, oldest first', async () => {
    const db = join(dir, 'export.db');
    const app = createApp({ db: openDb(db), config: testConfig() });
    const u = await signUp(app, { handle: 'exporter' });
    const texts = ['first', 'second', 'third'];
    for (const t of texts) await post(app, u, t);
    const out = admin(db, 'export', 'exporter');
    expect(out.status).toBe(0);
    const lines = out.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((p) => p.text)).toEqual(texts);
    expect(lines[0].author.handle).toBe('exporter');
    // Far more than a pipe holds: every line arrives (exiting at once used to cut the output off).
    const id = (app.deps.db.$client.prepare("SELECT id FROM accounts WHERE handle = 'exporter'").get() as { id: number }).id;
    const actor: Actor = { id, handle: 'exporter', role: 'user', scopes: new Set(['read', 'write']), via: 'token', credential: 't' };
    for (let i = 0; i < 3000; i++) createPost(app.deps, actor, { text: `bulk post number ${i} with some words to make the line longer` });
    const big = admin(db, 'export', 'exporter');
    expect(big.status).toBe(0);
    expect(big.stdout.trim().split('\n')).toHaveLength(3003);
  }, 60_000);

  it('refuses what an operator did not mean: a missing database, extra arguments, an empty token name', () => {
    const missing = join(dir, 'typo', 'nothing.db');
    for (const args of [['backup', join(dir, 'empty-backup.db')], ['stats']]) {
      const r = admin(missing, ...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toContain(`no database at ${missing}`);
    }
    expect(existsSync(missing)).toBe(false);
    // A create-admin that fails leaves no new database behind for the other commands to take for a real one.
    const refused = join(dir, 'refused.db');
    const reserved = admin(refused, 'create-admin', 'api');
    expect([reserved.status, reserved.stderr]).toEqual([1, expect.stringContaining('reserved')]);
    expect(['', '-wal', '-shm'].filter((suffix) => existsSync(refused + suffix))).toEqual([]);
    expect(admin(refused, 'stats').stderr).toContain(`no database at ${refused}`);
    const db = join(dir, 'strict.db');
    expect(admin(db, 'create-admin', 'strict_admin').status).toBe(0);
    const extra = admin(db, 'reset-password', 'strict_admin', 'extra_arg');
    expect([extra.status, extra.stderr]).toEqual([1, expect.stringContaining('unexpected: extra_arg')]);
    expect(admin(db, 'issue-token', 'strict_admin', '--name', '').status).toBe(1);
    expect(admin(db, 'issue-token', 'strict_admin', '--name', 'x'.repeat(101)).status).toBe(1);
    const help = admin(db, '--help');
    expect([help.status, help.stdout]).toEqual([0, expect.stringContaining('create-admin')]);
    expect(admin(db).status).toBe(1);
  }, 60_000);

  it('finishes a backup while another connection (a server beside the CLI) keeps writing', async () => {
    const db = join(dir, 'busy.db');
    const server = createApp({ db: openDb(db), config: testConfig() });
    const u = await signUp(server);
    // Many more pages than one backup step used to copy.
    server.deps.db.$client.exec('CREATE TABLE ballast (b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1500) INSERT INTO ballast SELECT zeroblob(4000) FROM n');
    // The CLI's own connection, as `admin backup` opens beside a running server.
    const cli = createApp({ db: openDb(db), config: testConfig() });
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        await post(server, u, `during ${written++}`);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const dest = join(dir, 'busy-backup.db');
    const outcome = await Promise.race([backup(cli.deps, dest).then(() => 'done'), new Promise((r) => setTimeout(() => r('still copying after 10 s'), 10_000))]);
    writing = false;
    await writer;
    expect(outcome).toBe('done');
    expect(written).toBeGreaterThan(0);
    const copy = new Database(dest, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect((copy.prepare('SELECT count(*) AS n FROM ballast').get() as { n: number }).n).toBe(1500);
    copy.close();
  }, 60_000);

  it('backs up online while posts are being written, into a consistent copy', async () => {
    const db = join(dir, 'live.db');
    const app = createApp({ db: openDb(db), config: testConfig() });
    const u = await signUp(app);
    for (let i = 0; i < 50; i++) await post(app, u, `before ${i}`);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await post(app, u, `during ${i}`);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const dest = join(dir, 'backup.db');
    await backup(app.deps, dest);
    writing = false;
    await writer;
    const copy = new Database(dest, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const n = (copy.prepare('SELECT count(*) AS n FROM posts').get() as { n: number }).n;
    expect(n).toBeGreaterThanOrEqual(50);
    const counted = (copy.prepare('SELECT posts_count AS n FROM accounts').get() as { n: number }).n;
    expect(counted).toBe(n);
    copy.close();
  }, 60_000);
});
