import { describe, expect, it } from 'vitest';
import { homeTimeline } from '../src/services/timelines';
import { call, followUser, makeTestApp, post, signUp, type User } from './helpers';

type App = ReturnType<typeof makeTestApp>;

async function readAll(app: App, user: User, path: string, limit = 7) {
  const ids: string[] = [];
  let url = `${path}${path.includes('?') ? '&' : '?'}limit=${limit}`;
  for (let guard = 0; guard < 1000; guard++) {
    const r = await call(app, url, { headers: user.auth });
    expect(r.status).toBe(200);
    ids.push(...r.json.items.map((p: { id: string }) => p.id));
    if (!r.json.next) {
      expect(r.headers.get('link')).toBeNull();
      return ids;
    }
    expect(r.headers.get('link')).toContain(`cursor=${r.json.next}>; rel="next"`);
    url = `${path}${path.includes('?') ? '&' : '?'}limit=${limit}&cursor=${r.json.next}`;
  }
  throw new Error('pagination did not end');
}

describe('home timeline', () => {
  it('holds exactly the viewer’s own posts and their followees’, newest first', async () => {
    const app = makeTestApp();
    const [me, friend, stranger] = [await signUp(app), await signUp(app), await signUp(app)];
    await followUser(app, me, friend);
    const expected: string[] = [];
    for (let i = 0; i < 6; i++) {
      expected.push((await post(app, me, `mine ${i}`)).id);
      expected.push((await post(app, friend, `friend ${i}`)).id);
      await post(app, stranger, `stranger ${i}`);
    }
    const r = await call(app, '/api/timelines/home?limit=100', { headers: me.auth });
    expect(r.json.items.map((p: { id: string }) => p.id)).toEqual(expected.reverse());
    expect(r.json.next).toBeNull();
  });

  it('hides an unfollowed account’s posts and drops deleted posts', async () => {
    const app = makeTestApp();
    const [me, a, b] = [await signUp(app), await signUp(app), await signUp(app)];
    await followUser(app, me, a);
    await followUser(app, me, b);
    const pa = await post(app, a, 'from a');
    const pb = await post(app, b, 'from b');
    const pb2 = await post(app, b, 'from b again');
    // Read once first, so the in-memory followee list and recent posts are warm when things change.
    expect((await call(app, '/api/timelines/home', { headers: me.auth })).json.items).toHaveLength(3);
    await call(app, `/api/accounts/${a.handle}/follow`, { method: 'DELETE', headers: me.auth });
    await call(app, `/api/posts/${pb2.id}`, { method: 'DELETE', headers: b.auth });
    const ids = (await call(app, '/api/timelines/home', { headers: me.auth })).json.items.map((p: { id: string }) => p.id);
    expect(ids).toEqual([pb.id]);
    expect(ids).not.toContain(pa.id);
  });

  it('pages through 120+ posts exactly once each while new posts arrive between pages', async () => {
    const app = makeTestApp();
    const me = await signUp(app);
    const others = [await signUp(app), await signUp(app), await signUp(app)];
    for (const o of others) await followUser(app, me, o);
    const before: string[] = [];
    for (let i = 0; i < 125; i++) before.push((await post(app, others[i % 3], `post ${i}`)).id);
    const seen: string[] = [];
    let url = '/api/timelines/home?limit=10';
    let writes = 0;
    for (;;) {
      const r = await call(app, url, { headers: me.auth });
      seen.push(...r.json.items.map((p: { id: string }) => p.id));
      // Concurrent writers: new posts land at the top while we page down.
      await post(app, others[writes++ % 3], `late ${writes}`);
      if (!r.json.next) break;
      url = `/api/timelines/home?limit=10&cursor=${r.json.next}`;
    }
    expect(seen).toEqual([...before].reverse());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('leaves out bot posts with bots=false', async () => {
    const app = makeTestApp();
    const me = await signUp(app);
    const bot = await signUp(app, { bot: true });
    await followUser(app, me, bot);
    const human = await post(app, me, 'human');
    const botPost = await post(app, bot, 'beep');
    expect(botPost.author.bot).toBe(true);
    const all = await call(app, '/api/timelines/home', { headers: me.auth });
    expect(all.json.items.map((p: { id: string }) => p.id)).toEqual([botPost.id, human.id]);
    const noBots = await call(app, '/api/timelines/home?bots=false', { headers: me.auth });
    expect(noBots.json.items.map((p: { id: string }) => p.id)).toEqual([human.id]);
    // Every timeline, an account's own posts included.
    for (const path of ['/api/timelines/public', `/api/accounts/${bot.handle}/posts`, '/api/timelines/tag/beep']) {
      const withBots = await call(app, path, { headers: me.auth });
      const without = await call(app, `${path}?bots=false`, { headers: me.auth });
      expect(without.status, path).toBe(200);
      expect(without.json.items.filter((p: { author: { bot: boolean } }) => p.author.bot), path).toEqual([]);
      if (path.includes('/posts')) expect(withBots.json.items.map((p: { id: string }) => p.id)).toEqual([botPost.id]);
    }
  });

  it.each(['garbage!', 'WyJ4IiwxXQ', 'eyJhIjoxfQ', 'WyJwIiwtMV0', 'WyJwIiwiMSJd', 'x'.repeat(600)])('refuses the malformed cursor %j with 400', async (cursor) => {
    const app = makeTestApp();
    const me = await signUp(app);
    const r = await call(app, `/api/timelines/home?cursor=${cursor}`, { headers: me.auth });
    expect(r.status).toBe(400);
    expect(r.json.error.code).toMatch(/invalid_cursor|invalid_request/);
  });

  it('refuses limits outside 1..100', async () => {
    const app = makeTestApp();
    const me = await signUp(app);
    for (const limit of ['0', '101', 'ten', '-5']) {
      const r = await call(app, `/api/timelines/home?limit=${limit}`, { headers: me.auth });
      expect(r.status).toBe(400);
      expect(r.json.error.details[0].field).toBe('limit');
    }
  });

  it('checks its query as the routes with validator middleware do, after who may call it, and documents it like them', async () => {
    for (const openRead of [false, true]) {
      const app = makeTestApp({ openRead });
      const me = await signUp(app);
      // The public timeline takes the same query through openapi()'s validator: the answers must not differ.
      for (const query of ['limit=0', 'limit=1&limit=2', 'bots=maybe', 'bots=true&bots=false', 'cursor=' + 'x'.repeat(4097), 'limit=7&cursor=%FF', 'limit=2&bots=false&extra=1']) {
        const home = await call(app, `/api/timelines/home?${query}`, { headers: me.auth });
        const pub = await call(app, `/api/timelines/public?${query}`, { headers: me.auth });
        expect(home.status, query).toBe(pub.status);
        expect(home.json, query).toEqual(pub.json);
        // Home has no anonymous reader, even with open reading on: a caller without credentials hears that
        // first, whatever the query (the validator's hook would have let an open-reading caller on to the 400).
        const anonymous = await call(app, `/api/timelines/home?${query}`);
        expect(anonymous.status, `${query} open=${openRead}`).toBe(401);
      }
    }
    const doc = (await call(makeTestApp(), '/api/openapi.json')).json;
    const op = doc.paths['/timelines/home'].get;
    expect(op.parameters.map((p: { name: string; in: string }) => `${p.in} ${p.name}`).sort()).toEqual(['query bots', 'query cursor', 'query limit']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '429']));
  });

  it('matches a naive reference query for readers following few and many accounts, on every page size', async () => {
    // Drives both plans (index walk for dense readers, per-followee seeks for sparse ones) against the obvious query.
    const app = makeTestApp();
    const db = app.deps.db.$client;
    const now = Date.now();
    const insertAccount = db.prepare("INSERT INTO accounts (handle, display_name, password_hash, created_at, bot) VALUES (?, ?, 'x', ?, ?)");
    for (let i = 0; i < 300; i++) insertAccount.run(`acct${i}`, `Account ${i}`, now, i % 17 === 0 ? 1 : 0);
    let s = 7;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const insertPost = db.prepare('INSERT INTO posts (id, author_id, author_bot, text, created_at) SELECT ?, id, bot, ?, ? FROM accounts WHERE id = ?');
    db.transaction(() => {
      for (let i = 0; i < 6000; i++) {
        // Skewed authorship: low ids post far more.
        const author = 1 + Math.floor(300 * rand() ** 3);
        insertPost.run(`p${i}`, `text ${i}`, now + i, author);
      }
      db.prepare('DELETE FROM posts WHERE seq % 13 = 0').run();
    })();
    const follow = db.prepare('INSERT OR IGNORE INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, 0)');
    const readers: Record<string, number> = { sparse: 200, medium: 201, dense: 202, nobody: 203 };
    db.transaction(() => {
      for (const f of [250, 260, 299]) follow.run(readers.sparse, f);
      for (let i = 0; i < 40; i++) follow.run(readers.medium, 1 + Math.floor(rand() * 300));
      for (let i = 1; i <= 300; i += 1) if (i !== readers.dense && rand() < 0.8) follow.run(readers.dense, i);
      db.prepare("INSERT INTO hides (account_id, target_id, kind, created_at) VALUES (?, 1, 'mute', 0)").run(readers.dense);
      db.prepare('UPDATE accounts SET following_count = (SELECT count(*) FROM follows WHERE follower_id = accounts.id)').run();
    })();
    const reference = db.prepare(
      `SELECT id FROM posts p WHERE (p.author_id = @v OR p.author_id IN (SELECT followee_id FROM follows WHERE follower_id = @v))
         AND p.author_id NOT IN (SELECT target_id FROM hides WHERE account_id = @v) AND (@bots = 1 OR p.author_bot = 0)
       ORDER BY seq DESC`,
    );
    for (const [name, viewer] of Object.entries(readers)) {
      for (const bots of [true, false]) {
        const want = (reference.all({ v: viewer, bots: bots ? 1 : 0 }) as { id: string }[]).map((r) => r.id);
        for (const limit of [1, 20, 100]) {
          const got: string[] = [];
          let cursor: string | undefined;
          do {
            const page = homeTimeline(app.deps, viewer, { limit, cursor, bots });
            got.push(...page.items.map((p) => p.id));
            cursor = page.next ?? undefined;
          } while (cursor && got.length <= want.length);
          expect(got, `${name} bots=${bots} limit=${limit}`).toEqual(want);
        }
      }
    }
  });
});

describe('recent-posts index behind the home timeline', () => {
  it('stays exact past its per-author limit, through deletes of cached and uncached posts and new posts', async () => {
    const app = makeTestApp();
    const [me, prolific, quiet] = [await signUp(app), await signUp(app), await signUp(app)];
    await followUser(app, me, prolific);
    await followUser(app, me, quiet);
    const all: { id: string; by: User }[] = [];
    for (let i = 0; i < 150; i++) {
      const by = i % 10 === 0 ? quiet : prolific;
      all.push({ id: (await post(app, by, `post ${i}`)).id, by });
    }
    // Load the index, then change things both inside and below the cached window.
    expect((await call(app, '/api/timelines/home?limit=5', { headers: me.auth })).json.items).toHaveLength(5);
    const drop = async (k: number) => {
      const [gone] = all.splice(k, 1);
      expect((await call(app, `/api/posts/${gone.id}`, { method: 'DELETE', headers: gone.by.auth })).status).toBe(204);
    };
    await drop(all.length - 2); // among the newest (cached)
    await drop(10); // far below the cached window
    all.push({ id: (await post(app, prolific, 'fresh')).id, by: prolific });
    const seen: string[] = [];
    let cursor = '';
    for (let guard = 0; guard < 100; guard++) {
      const r = await call(app, `/api/timelines/home?limit=7${cursor}`, { headers: me.auth });
      seen.push(...r.json.items.map((p: { id: string }) => p.id));
      if (!r.json.next) break;
      cursor = `&cursor=${r.json.next}`;
      if (guard === 3) await drop(50); // between pages, below the cursor
    }
    expect(seen).toEqual(all.map((p) => p.id).reverse());
  });
});

describe('public, account and tag timelines', () => {
  it('lists every post in the public timeline and one account’s in its own', async () => {
    const app = makeTestApp();
    const [a, b] = [await signUp(app), await signUp(app)];
    const p1 = await post(app, a, 'one #News');
    const p2 = await post(app, b, 'two');
    const p3 = await post(app, a, 'three #news');
    expect(await readAll(app, b, '/api/timelines/public', 2)).toEqual([p3.id, p2.id, p1.id]);
    expect(await readAll(app, b, `/api/accounts/${a.handle}/posts`, 1)).toEqual([p3.id, p1.id]);
    expect(await readAll(app, b, '/api/timelines/tag/NEWS', 1)).toEqual([p3.id, p1.id]);
    expect((await call(app, '/api/accounts/nobody/posts', { headers: a.auth })).status).toBe(404);
    expect((await call(app, '/api/timelines/tag/bad-tag!', { headers: a.auth })).status).toBe(400);
  });

  it('needs auth for every timeline when open reading is off', async () => {
    const app = makeTestApp();
    for (const path of ['/api/timelines/home', '/api/timelines/public', '/api/timelines/tag/x', '/api/search?q=x']) {
      const r = await call(app, path);
      expect(r.status).toBe(401);
      expect(r.json.error.code).toBe('unauthorized');
    }
  });
});
