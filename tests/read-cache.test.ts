import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueTokens, seedDatabase } from '../scripts/seed-lib';
import { createApp, type App } from '../src/app';
import { testConfig } from '../src/config';
import { closeDb, openDb, type Db } from '../src/db/client';
import { createToken } from '../src/services/auth';
import { createDeps, type Actor } from '../src/services/deps';
import { changes } from '../src/services/changes';
import { createPost, likePost, loadPosts } from '../src/services/posts';
import { encodeCursor } from '../src/services/cursor';
import { call, makeTestApp, signUp } from './helpers';

// The home timeline's caches (rendered pages, followed accounts, credentials, the in-memory post log) must never
// serve anything stale. On seeded data, every kind of change happens between reads, through the API and from a
// second connection (another process); after each, every reader's first and second pages are compared, field
// by field, with the obvious SQL, and the cache must also be shown to hit when nothing relevant changed.
const dir = mkdtempSync(join(tmpdir(), 'bluetwit-cache-'));
const path = join(dir, 'small.db');
let db: Db;
let other: Db;
let app: App;
type Viewer = { id: number; handle: string; auth: Record<string, string> };
let viewers: Viewer[];
const authOf = new Map<number, Record<string, string>>();

beforeAll(() => {
  db = openDb(path);
  seedDatabase(db, 'small', 11);
  const file = issueTokens(db, 'small', 11, 3);
  const deps = createDeps(db, testConfig());
  // Every account gets a token up front: issuing one later is a write the tracker cannot account for, which
  // would flush the caches and hide a missed invalidation.
  for (const { id } of db.$client.prepare('SELECT id FROM accounts').all() as { id: number }[]) {
    authOf.set(id, { authorization: `Bearer ${createToken(deps, id, 'test', ['read', 'write']).token}` });
  }
  viewers = file.tokens.map((t) => {
    const { id } = db.$client.prepare('SELECT id FROM accounts WHERE handle = ?').get(t.handle) as { id: number };
    return { id, handle: t.handle, auth: { authorization: `Bearer ${t.token}` } };
  });
  app = createApp({ db, config: testConfig() });
  other = openDb(path);
});
afterAll(() => {
  closeDb(other);
  closeDb(db);
  rmSync(dir, { recursive: true, force: true });
});

type Item = { id: string; displayName: string; likeCount: number; replyCount: number; liked: boolean };

function reference(viewer: number, before: number, limit: number): { items: Item[]; more: boolean } {
  const rows = db.$client
    .prepare(
      `SELECT p.id, a.display_name AS displayName, p.like_count AS likeCount, p.reply_count AS replyCount,
         EXISTS(SELECT 1 FROM likes l WHERE l.account_id = @viewer AND l.post_seq = p.seq) AS liked
       FROM posts p JOIN accounts a ON a.id = p.author_id
       WHERE p.seq < @before AND (p.author_id = @viewer OR p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = @viewer))
         AND p.author_id NOT IN (SELECT target_id FROM hides WHERE account_id = @viewer)
       ORDER BY p.seq DESC LIMIT @limit`,
    )
    .all({ viewer, before, limit: limit + 1 }) as (Omit<Item, 'liked'> & { liked: number })[];
  return { items: rows.slice(0, limit).map((r) => ({ ...r, liked: r.liked === 1 })), more: rows.length > limit };
}

const seqOf = (id: string) => (db.$client.prepare('SELECT seq FROM posts WHERE id = ?').get(id) as { seq: number }).seq;
const shown = (items: any[]): Item[] =>
  items.map((p) => ({ id: p.id, displayName: p.author.displayName, likeCount: p.likeCount, replyCount: p.replyCount, liked: p.liked }));

/** Reads two pages of every reader's home timeline and checks them against the reference; returns the first pages. */
async function checkAll(label: string): Promise<Map<number, any[]>> {
  const firsts = new Map<number, any[]>();
  for (const v of viewers) {
    const first = await call(app, '/api/timelines/home?limit=10', { headers: v.auth });
    expect(first.status, label).toBe(200);
    const want = reference(v.id, Number.MAX_SAFE_INTEGER, 10);
    expect(shown(first.json.items), `${label}: first page of ${v.handle}`).toEqual(want.items);
    expect(first.json.next !== null, label).toBe(want.more);
    firsts.set(v.id, first.json.items);
    // The ETag is the body's: a client holding it gets a 304 exactly while nothing changed.
    const again = await call(app, '/api/timelines/home?limit=10', { headers: { ...v.auth, 'if-none-match': first.headers.get('etag')! } });
    expect(again.status, label).toBe(304);
    if (first.json.next) {
      const second = await call(app, `/api/timelines/home?limit=10&cursor=${first.json.next}`, { headers: v.auth });
      const before = seqOf(first.json.items[first.json.items.length - 1].id);
      expect(shown(second.json.items), `${label}: second page of ${v.handle}`).toEqual(reference(v.id, before, 10).items);
    }
  }
  return firsts;
}

async function cacheCounts(): Promise<{ hit: number; miss: number }> {
  const values = (await app.metrics.pageCache.get()).values;
  const of = (result: string) => values.find((v) => v.labels.result === result)?.value ?? 0;
  return { hit: of('hit'), miss: of('miss') };
}

// A small deterministic generator, so a failure replays exactly.
let state = 12345;
const rand = (n: number) => {
  state = (Math.imul(state, 1103515245) + 12345) >>> 0;
  return state % n;
};
const pickOf = <T>(xs: T[]): T => xs[rand(xs.length)];
const accountIds = () => (db.$client.prepare('SELECT id FROM accounts ORDER BY id').all() as { id: number }[]).map((r) => r.id);
const handleOf = (id: number) => (db.$client.prepare('SELECT handle FROM accounts WHERE id = ?').get(id) as { handle: string }).handle;
const asActor = (id: number): Actor => ({ id, handle: handleOf(id), role: 'user', scopes: new Set(['read', 'write']), via: 'token', credential: `t:${id}` });
const followeesOf = (id: number) => (db.$client.prepare('SELECT followee_id AS id FROM follows WHERE follower_id = ?').all(id) as { id: number }[]).map((r) => r.id);
const authorOf = (postId: string) => (db.$client.prepare('SELECT author_id AS a FROM posts WHERE id = ?').get(postId) as { a: number }).a;

describe('home timeline caches', () => {
  it('serve a repeated read from the cache, and keep it when unrelated things change', async () => {
    const v = viewers.find((x) => followeesOf(x.id).length > 0)!;
    await call(app, '/api/timelines/home?limit=10', { headers: v.auth });
    const start = await cacheCounts();
    const first = await call(app, '/api/timelines/home?limit=10', { headers: v.auth });
    expect(await cacheCounts()).toEqual({ hit: start.hit + 1, miss: start.miss });

    // A post by someone the reader does not follow, and a like on a post not on the page: still a hit.
    const followed = new Set([...followeesOf(v.id), v.id]);
    const stranger = accountIds().find((id) => !followed.has(id))!;
    const r = await call(app, '/api/posts', { body: { text: 'nothing to do with you' }, headers: authOf.get(stranger)! });
    expect(r.status).toBe(201);
    expect((await call(app, `/api/posts/${r.json.post.id}/like`, { method: 'PUT', headers: authOf.get(stranger)! })).status).toBe(204);
    const still = await call(app, '/api/timelines/home?limit=10', { headers: v.auth });
    expect(still.text).toBe(first.text);
    expect(await cacheCounts()).toEqual({ hit: start.hit + 2, miss: start.miss });

    // Someone signing out or revoking a token, and a post off the page deleted: still a hit.
    const other = await signUp(app, { handle: 'cache_bystander' });
    const bystanderPost = await call(app, '/api/posts', { body: { text: 'soon gone' }, headers: other.auth });
    expect((await call(app, `/api/posts/${bystanderPost.json.post.id}`, { method: 'DELETE', headers: other.auth })).status).toBe(204);
    expect((await call(app, '/api/sessions', { method: 'DELETE', headers: { cookie: other.cookie } })).status).toBe(204);
    expect((await call(app, '/api/tokens', { headers: { cookie: other.cookie } })).status).toBe(401);
    expect((await call(app, '/api/me', { headers: other.auth })).status).toBe(200);
    const calm = await call(app, '/api/timelines/home?limit=10', { headers: v.auth });
    expect(calm.text).toBe(first.text);
    const counts = await cacheCounts();
    expect(counts.miss).toBe(start.miss);

    // A post by someone they follow: rebuilt, with the post on top.
    const friend = followeesOf(v.id)[0];
    const p = await call(app, '/api/posts', { body: { text: 'news for my followers' }, headers: authOf.get(friend)! });
    const fresh = await call(app, '/api/timelines/home?limit=10', { headers: v.auth });
    expect(fresh.json.items[0].id).toBe(p.json.post.id);
    expect((await cacheCounts()).miss).toBe(start.miss + 1);
  });

  it('keep a page whose cursor lies above the newest post open to new posts, as a first page is', async () => {
    const u = await signUp(app, { handle: 'cache_above' });
    await call(app, '/api/posts', { body: { text: 'above 1' }, headers: u.auth });
    // Not a cursor the server hands out, but one a client can hold across a restore of an older backup.
    const cursor = encodeCursor('p', [10_000_000]);
    const first = await call(app, `/api/timelines/home?cursor=${cursor}`, { headers: u.auth });
    expect(first.json.items.map((p: { text: string }) => p.text)).toEqual(['above 1']);
    await call(app, '/api/posts', { body: { text: 'above 2' }, headers: u.auth });
    const again = await call(app, `/api/timelines/home?cursor=${cursor}`, { headers: u.auth });
    expect(again.json.items.map((p: { text: string }) => p.text)).toEqual(['above 2', 'above 1']);
    const etag = first.headers.get('etag')!;
    const revalidated = await app.request(`/api/timelines/home?cursor=${cursor}`, { headers: { ...u.auth, 'if-none-match': etag } });
    expect(revalidated.status).toBe(200);
  });

  it('keep every cache through a profile edit that renames no one, and drop only the renamed author\'s posts for one that does', async () => {
    const app = makeTestApp();
    const u = await signUp(app, { handle: 'cache_profile', displayName: 'Profile Person' });
    await call(app, '/api/posts', { body: { text: 'profile post' }, headers: u.auth });
    const page = await call(app, '/api/timelines/home', { headers: u.auth });
    const tracker = changes(app.deps.db);
    const epoch = tracker.epoch();
    // Saved with nothing changed, then bio, title and department: fields no cached page or post holds.
    expect((await call(app, '/api/me', { method: 'PATCH', body: { displayName: 'Profile Person' }, headers: u.auth })).status).toBe(200);
    const edited = await call(app, '/api/me', { method: 'PATCH', body: { displayName: 'Profile Person', bio: 'new bio', title: 'Engineer', department: 'Platform' }, headers: u.auth });
    expect(edited.json.account).toMatchObject({ bio: 'new bio', title: 'Engineer', department: 'Platform' });
    expect(tracker.epoch()).toBe(epoch);
    const before = app.metrics.pageCacheHits;
    expect((await call(app, '/api/timelines/home', { headers: u.auth })).text).toBe(page.text);
    expect(app.metrics.pageCacheHits).toBe(before + 1);
    expect((await call(app, '/api/accounts?department=Platform', { headers: u.auth })).json.items.map((a: { handle: string }) => a.handle)).toContain('cache_profile');
    // A new display name is on every post of theirs at once, and nowhere else: a reader who sees none of their
    // posts keeps a cached page.
    const other = await signUp(app, { handle: 'cache_other', displayName: 'Other Person' });
    await call(app, '/api/posts', { body: { text: 'unrelated post' }, headers: other.auth });
    const otherPage = await call(app, '/api/timelines/home', { headers: other.auth });
    await call(app, '/api/me', { method: 'PATCH', body: { displayName: 'Renamed Person' }, headers: u.auth });
    expect(tracker.epoch()).toBe(epoch);
    const hits = app.metrics.pageCacheHits;
    expect((await call(app, '/api/timelines/home', { headers: other.auth })).text).toBe(otherPage.text);
    expect(app.metrics.pageCacheHits).toBe(hits + 1);
    expect((await call(app, '/api/timelines/home', { headers: u.auth })).json.items[0].author.displayName).toBe('Renamed Person');
    expect(app.metrics.pageCacheHits).toBe(hits + 1);
    expect((await call(app, '/api/timelines/public', { headers: other.auth })).json.items.map((p: { author: { displayName: string } }) => p.author.displayName)).toEqual(['Other Person', 'Renamed Person']);
  });

  it('end the timeline where it ends when the post that made a next page is deleted', async () => {
    const u = await signUp(app, { handle: 'cache_short' });
    const posted: string[] = [];
    for (let i = 0; i < 3; i++) posted.push((await call(app, '/api/posts', { body: { text: `short ${i}` }, headers: u.auth })).json.post.id);
    const page = await call(app, '/api/timelines/home?limit=2', { headers: u.auth });
    expect(page.json.next).not.toBeNull();
    expect((await call(app, '/api/timelines/home?limit=2', { headers: u.auth })).text).toBe(page.text);
    expect((await call(app, `/api/posts/${posted[0]}`, { method: 'DELETE', headers: u.auth })).status).toBe(204);
    const after = await call(app, '/api/timelines/home?limit=2', { headers: u.auth });
    expect(after.json.items.map((p: { id: string }) => p.id)).toEqual([posted[2], posted[1]]);
    expect(after.json.next).toBeNull();
  });

  it('never serve a stale page while posts, replies, likes, follows, mutes, blocks, deletes, profile edits and other processes change things', async () => {
    let firsts = await checkAll('initial');
    const otherDeps = createDeps(other, testConfig());
    const ids = accountIds();
    const kinds = ['post', 'reply', 'like', 'unlike', 'follow', 'unfollow', 'mute', 'unmute', 'block', 'unblock', 'delete', 'profile', 'external', 'nothing'];
    const before = await cacheCounts();
    for (let step = 0; step < 140; step++) {
      const kind = kinds[step % kinds.length === 13 ? 13 : rand(kinds.length)];
      // Undoing needs something to undo: prefer a reader who muted or blocked someone.
      const hiders = viewers.filter((x) => db.$client.prepare('SELECT 1 FROM hides WHERE account_id = ? AND kind = ?').get(x.id, kind.slice(2)));
      const v = (kind === 'unmute' || kind === 'unblock') && hiders.length ? pickOf(hiders) : pickOf(viewers);
      const page = firsts.get(v.id) ?? [];
      const onPage = page.length ? pickOf(page) : null;
      const followees = followeesOf(v.id);
      const someone = pickOf(ids);
      const label = `step ${step}: ${kind} for ${v.handle}`;
      let res: { status: number } = { status: 204 };
      switch (kind) {
        case 'post':
          res = await call(app, '/api/posts', { body: { text: `step ${step}` }, headers: authOf.get(followees.length ? pickOf(followees) : v.id)! });
          break;
        case 'reply':
          if (onPage) res = await call(app, '/api/posts', { body: { text: `re ${step}`, replyTo: onPage.id }, headers: authOf.get(someone)! });
          break;
        case 'like':
        case 'unlike':
          if (onPage) res = await call(app, `/api/posts/${onPage.id}/like`, { method: kind === 'like' ? 'PUT' : 'DELETE', headers: rand(2) ? v.auth : authOf.get(someone)! });
          break;
        case 'follow':
        case 'mute':
        case 'block':
        case 'unfollow':
        case 'unmute':
        case 'unblock': {
          const un = kind.startsWith('un');
          const rel = un ? kind.slice(2) : kind;
          // Undo what is there to undo (someone hidden or followed), hide someone on the page, follow anyone.
          const undoable = (db.$client.prepare(rel === 'follow' ? 'SELECT followee_id AS id FROM follows WHERE follower_id = ?' : 'SELECT target_id AS id FROM hides WHERE account_id = ? AND kind = ?')
            .all(...(rel === 'follow' ? [v.id] : [v.id, rel])) as { id: number }[]).map((r) => r.id);
          const target = un ? (undoable.length ? pickOf(undoable) : someone) : rel !== 'follow' && onPage ? authorOf(onPage.id) : someone;
          if (target === v.id) break;
          // Blocks also happen the other way round: an author blocking the reader.
          const [actor, subject] = rel === 'block' && rand(2) ? [target, v.id] : [v.id, target];
          res = await call(app, `/api/accounts/${handleOf(subject)}/${rel}`, { method: un ? 'DELETE' : 'PUT', headers: actor === v.id ? v.auth : authOf.get(actor)! });
          if (res.status === 403) res = { status: 204 }; // following someone who blocked you is refused, as it should be
          break;
        }
        case 'delete': {
          // A post on the page, the one after it (whose absence can end the timeline there), or any post.
          const after = reference(v.id, Number.MAX_SAFE_INTEGER, 11).items[10];
          const any = db.$client.prepare('SELECT id FROM posts ORDER BY seq LIMIT 1 OFFSET ?').pluck().get(rand(100)) as string | undefined;
          const victim = [onPage?.id, after?.id, any][rand(3)];
          if (victim) res = await call(app, `/api/posts/${victim}`, { method: 'DELETE', headers: authOf.get(authorOf(victim))! });
          break;
        }
        case 'profile':
          if (onPage) res = await call(app, '/api/me', { method: 'PATCH', body: { displayName: `Renamed ${step}` }, headers: authOf.get(authorOf(onPage.id))! });
          break;
        case 'external': {
          // Another process writes: a post by someone the reader follows, and a like on their page.
          const author = followees.length ? pickOf(followees) : v.id;
          createPost(otherDeps, asActor(author), { text: `from elsewhere ${step}` });
          if (onPage) likePost(otherDeps, asActor(someone), onPage.id);
          break;
        }
      }
      expect(res.status, label).toBeLessThan(300);
      firsts = await checkAll(label);
    }
    const after = await cacheCounts();
    // Unchanged readers were served from the cache most of the time, so the comparisons above exercised it.
    expect(after.hit - before.hit).toBeGreaterThan((after.miss - before.miss) / 2);
  });

  it('share cached posts between readers without letting one change what another sees', async () => {
    const deps = createDeps(db, testConfig());
    const [a, b] = viewers;
    const author = db.$client.prepare('SELECT id FROM accounts WHERE id NOT IN (?, ?) LIMIT 1').pluck().get(a.id, b.id) as number;
    const created = createPost(deps, asActor(author), { text: 'shared between readers' });
    likePost(deps, asActor(a.id), created.id);
    const [forA] = loadPosts(deps, a.id, [created.seq]);
    const [forB] = loadPosts(deps, b.id, [created.seq]);
    const [anonymous] = loadPosts(deps, null, [created.seq]);
    expect([forA.liked, forB.liked, anonymous.liked, forA.likeCount]).toEqual([true, false, undefined, 1]);
    // A caller that edits a row (say, to personalise it) fails loudly instead of changing it for everyone.
    expect(() => { (forB as { liked?: boolean }).liked = true; }).toThrow(TypeError);
    expect(() => { forA.tags.push('x'); }).toThrow(TypeError);
    expect(loadPosts(deps, b.id, [created.seq])[0].liked).toBe(false);
    expect(loadPosts(deps, a.id, [created.seq])[0].tags).toEqual([]);
  });

  it('stop accepting a session the moment it expires, though it was resolved from the cache a moment before', async () => {
    let now = Date.UTC(2026, 0, 5);
    const timed = makeTestApp({ sessionDays: 1 }, { clock: () => now });
    const u = await signUp(timed);
    expect((await call(timed, '/api/me', { headers: { cookie: u.cookie } })).status).toBe(200);
    now += 86_400_000 - 1;
    expect((await call(timed, '/api/me', { headers: { cookie: u.cookie } })).status).toBe(200);
    now += 1;
    expect((await call(timed, '/api/me', { headers: { cookie: u.cookie } })).status).toBe(401);
  });

  it('stop accepting a revoked token at once, and reflect a password reset made by another process', async () => {
    const cookieUser = await call(app, '/api/accounts', { body: { handle: 'cache_revoker', displayName: 'Revoker', password: 'correct horse battery' } });
    const cookie = cookieUser.headers.get('set-cookie')!.split(';')[0];
    const created = await call(app, '/api/tokens', { body: { name: 'x', scopes: ['read'] }, headers: { cookie } });
    const auth = { authorization: `Bearer ${created.json.token}` };
    expect((await call(app, '/api/timelines/home', { headers: auth })).status).toBe(200);
    expect((await call(app, '/api/timelines/home', { headers: auth })).status).toBe(200);
    expect((await call(app, `/api/tokens/${created.json.id}`, { method: 'DELETE', headers: { cookie } })).status).toBe(204);
    expect((await call(app, '/api/timelines/home', { headers: auth })).status).toBe(401);

    // The admin CLI revokes every token of an account from its own connection.
    const second = await call(app, '/api/tokens', { body: { name: 'y', scopes: ['read'] }, headers: { cookie } });
    const auth2 = { authorization: `Bearer ${second.json.token}` };
    expect((await call(app, '/api/timelines/home', { headers: auth2 })).status).toBe(200);
    other.$client.prepare("DELETE FROM tokens WHERE account_id = (SELECT id FROM accounts WHERE handle = 'cache_revoker')").run();
    expect((await call(app, '/api/timelines/home', { headers: auth2 })).status).toBe(401);
    expect((await call(app, '/api/me', { headers: { cookie } })).status).toBe(200);
    other.$client.prepare("DELETE FROM sessions WHERE account_id = (SELECT id FROM accounts WHERE handle = 'cache_revoker')").run();
    expect((await call(app, '/api/me', { headers: { cookie } })).status).toBe(401);
  });

  it('answer a request read from a socket as of after it arrived, though a look for other processes\' commits was just taken', async () => {
    const deps = createDeps(db, testConfig());
    const [v] = viewers;
    const auth = { authorization: `Bearer ${createToken(deps, v.id, 'socket', ['read']).token}` };
    // As @hono/node-server calls the app: the request was read from a socket.
    const fromSocket = () => app.request('/api/timelines/home', { headers: auth }, { incoming: {}, outgoing: {} });
    expect((await fromSocket()).status).toBe(200);
    expect((await fromSocket()).status).toBe(200);
    // In one callback, as in a timer's turn: a background job looks (the search indexer, a batch of posts), then
    // another process revokes the token, then the request is read.
    const after = await new Promise<Response>((resolve) =>
      setTimeout(() => {
        changes(db).epoch();
        other.$client.prepare("DELETE FROM tokens WHERE name = 'socket'").run();
        resolve(fromSocket());
      }, 0),
    );
    expect(after.status).toBe(401);
  });
});
