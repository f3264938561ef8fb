import { describe, expect, it } from 'vitest';
import { followsPageSql } from '../src/services/follows';
import { call, followUser, makeTestApp, post, signUp } from './helpers';

describe('posts', () => {
  it('creates a post with parsed mentions and tags, readable by id, with an absolute url', async () => {
    const app = makeTestApp();
    const bob = await signUp(app, { handle: 'bob' });
    const alice = await signUp(app, { handle: 'alice' });
    const r = await call(app, '/api/posts', { body: { text: '  Hi @Bob and @ghost, see #SQLite #sqlite #1 ' }, headers: alice.auth });
    expect(r.status).toBe(201);
    expect(r.json.post).toMatchObject({
      text: 'Hi @Bob and @ghost, see #SQLite #sqlite #1',
      author: { handle: 'alice', bot: false },
      mentions: ['bob'],
      tags: ['sqlite'],
      replyTo: null,
      likeCount: 0,
      replyCount: 0,
    });
    expect(r.json.post.url).toBe(`http://localhost/@alice/${r.json.post.id}`);
    const got = await call(app, `/api/posts/${r.json.post.id}`, { headers: bob.auth });
    expect(got.status).toBe(200);
    expect(got.json.post.text).toBe(r.json.post.text);
    // The reply to a create is exactly what reading the post back gives its author, replies and bots included.
    const own = await call(app, `/api/posts/${r.json.post.id}`, { headers: alice.auth });
    expect(r.json.post).toEqual(own.json.post);
    const botUser = await signUp(app, { handle: 'buildbot', bot: true });
    const reply = await call(app, '/api/posts', { body: { text: 'ack @alice #ci', replyTo: r.json.post.id }, headers: botUser.auth });
    expect(reply.status).toBe(201);
    expect(reply.json.post).toEqual((await call(app, `/api/posts/${reply.json.post.id}`, { headers: botUser.auth })).json.post);
    expect(reply.json.post).toMatchObject({ replyTo: r.json.post.id, author: { handle: 'buildbot', bot: true }, liked: false });
  });

  it('commits posts sent together in one go, each standing or falling on its own', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const first = await post(app, u, 'the original');
    const bodies = [
      { text: 'one' },
      { text: 'a reply to nothing', replyTo: 'no-such-post' },
      { text: 'two' },
      { text: 'x'.repeat(281) },
      { text: 'three, replying', replyTo: first.id },
    ];
    // Sent in the same turn of the event loop, so they share one transaction.
    const results = await Promise.all(bodies.map((body) => call(app, '/api/posts', { body, headers: u.auth })));
    expect(results.map((r) => r.status)).toEqual([201, 404, 201, 400, 201]);
    expect(results[1].json.error.code).toBe('reply_target_not_found');
    const timeline = await call(app, '/api/timelines/public', { headers: u.auth });
    expect(timeline.json.items.map((p: { text: string }) => p.text)).toEqual(['three, replying', 'two', 'one', 'the original']);
    expect(timeline.json.items[3].replyCount).toBe(1);
    expect(results[4].json.post).toEqual(timeline.json.items[0]);
  });

  it('counts the limit in code points after NFC and trimming', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    // 'e' + combining acute composes to one code point under NFC.
    const decomposed = 'e\u0301'.repeat(280);
    expect((await call(app, '/api/posts', { body: { text: decomposed }, headers: u.auth })).status).toBe(201);
    const emoji = '😀'.repeat(280);
    expect((await call(app, '/api/posts', { body: { text: `  ${emoji}\n ` }, headers: u.auth })).status).toBe(201);
    const over = await call(app, '/api/posts', { body: { text: 'x'.repeat(281) }, headers: u.auth });
    expect(over.status).toBe(400);
    expect(over.json.error.code).toBe('text_too_long');
  });

  it.each([
    ['empty', ''],
    ['only spaces', '   \n  '],
    ['only zero-width characters', '\u200b\u2060\ufeff\u200d'],
    ['only fillers and a blank Braille pattern', '\u3164 \u2800\u115f\ufe0f'],
    ['ESC', 'hello \u001b[31mred'],
    ['NUL', 'a\u0000b'],
    ['C1 CSI', 'a\u009b31m'],
    ['lone CR', 'line\roverwrite'],
    ['tab', 'a\tb'],
    ['DEL', 'a\u007fb'],
    // At the ends too: trimming must not swallow them without a word.
    ['trailing tab', 'hello\t'],
    ['leading vertical tab', '\u000bhello'],
    ['trailing form feed', 'hello\f'],
    ['trailing CR', 'hello\r'],
  ])('refuses %s text with 400', async (_name, text) => {
    const app = makeTestApp();
    const u = await signUp(app);
    const r = await call(app, '/api/posts', { body: { text }, headers: u.auth });
    expect(r.status).toBe(400);
    expect(r.json.error.details[0].field).toBe('text');
  });

  it('keeps zero-width characters that join visible ones, and refuses an empty reply target', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    for (const text of ['👩\u200d💻', 'می\u200cخواهم', '\u200bhi']) expect((await call(app, '/api/posts', { body: { text }, headers: u.auth })).status, text).toBe(201);
    const empty = await call(app, '/api/posts', { body: { text: 'stray?', replyTo: '' }, headers: u.auth });
    expect([empty.status, empty.json.error.details[0].field]).toEqual([400, 'replyTo']);
    expect((await call(app, '/api/posts', { body: { text: 'top level', replyTo: null }, headers: u.auth })).status).toBe(201);
    expect((await call(app, `/api/accounts/${u.handle}/posts`, { headers: u.auth })).json.items.map((p: { text: string }) => p.text)).not.toContain('stray?');
    // A name nobody could see is no name.
    const invisible = await call(app, '/api/me', { method: 'PATCH', body: { displayName: '\u200b\u3164' }, headers: u.auth });
    expect([invisible.status, invisible.json.error.details[0].field]).toEqual([400, 'displayName']);
  });

  it('refuses text with half a surrogate pair, which could not be stored as sent, and keeps whole ones', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    // Spelled as JSON escapes: JSON.stringify would write a lone surrogate the same way.
    for (const raw of ['{"text":"a\\ud800b"}', '{"text":"\\udfff"}', '{"text":"x\\ude00\\ud83d"}']) {
      const r = await call(app, '/api/posts', { body: raw, headers: u.auth });
      expect(r.status, raw).toBe(400);
      expect(r.json.error.code).toBe('invalid_text');
    }
    for (const [field, value] of [['displayName', 'Ann \ud800'], ['bio', '\udc00'], ['title', 'x\ud83d']]) {
      const r = await call(app, '/api/me', { method: 'PATCH', body: { [field]: value }, headers: u.auth });
      expect(r.status, field).toBe(400);
      expect(r.json.error.details[0].field).toBe(field);
    }
    const token = await call(app, '/api/tokens', { body: { name: 'bot \ud800', scopes: ['read'] }, headers: { cookie: u.cookie } });
    expect(token.status).toBe(400);
    expect(token.json.error.details[0].field).toBe('name');
    const p = await post(app, u, 'whole \ud83d\ude00');
    expect((await call(app, `/api/posts/${p.id}`, { headers: u.auth })).json.post.text).toBe('whole 😀');
    expect((await call(app, '/api/timelines/public', { headers: u.auth })).json.items.map((x: { text: string }) => x.text)).toEqual(['whole 😀']);
  });

  it('keeps newlines and turns CRLF into LF', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const p = await post(app, u, 'one\r\ntwo\nthree');
    expect(p.text).toBe('one\ntwo\nthree');
  });

  it('lets only the author delete; deleted posts 404 and leave counts right', async () => {
    const app = makeTestApp();
    const a = await signUp(app);
    const b = await signUp(app);
    const p = await post(app, a, 'to be deleted');
    expect((await call(app, `/api/posts/${p.id}`, { method: 'DELETE', headers: b.auth })).status).toBe(403);
    expect((await call(app, `/api/posts/${p.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${a.readToken}` } })).status).toBe(403);
    expect((await call(app, `/api/posts/${p.id}`, { method: 'DELETE', headers: a.auth })).status).toBe(204);
    expect((await call(app, `/api/posts/${p.id}`, { headers: a.auth })).status).toBe(404);
    expect((await call(app, `/api/posts/${p.id}`, { method: 'DELETE', headers: a.auth })).status).toBe(404);
    expect((await call(app, `/api/accounts/${a.handle}`, { headers: a.auth })).json.account.postsCount).toBe(0);
  });

  it('needs auth to read and the write scope to post', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const p = await post(app, u, 'hello');
    expect((await call(app, `/api/posts/${p.id}`)).status).toBe(401);
    const ro = await call(app, '/api/posts', { body: { text: 'nope' }, headers: { authorization: `Bearer ${u.readToken}` } });
    expect(ro.status).toBe(403);
    expect(ro.json.error.code).toBe('insufficient_scope');
    expect((await call(app, '/api/posts', { body: { text: 'nope' } })).status).toBe(401);
    expect((await call(app, '/api/posts', { body: { text: 'nope' }, headers: { authorization: 'Bearer bt_wrong' } })).status).toBe(401);
  });

  it('reads without auth when open reading is on, but never writes', async () => {
    const app = makeTestApp({ openRead: true });
    const u = await signUp(app);
    const p = await post(app, u, 'open');
    expect((await call(app, `/api/posts/${p.id}`)).status).toBe(200);
    expect((await call(app, '/api/timelines/public')).json.items).toHaveLength(1);
    expect((await call(app, '/api/posts', { body: { text: 'anon' } })).status).toBe(401);
  });
});

describe('follows', () => {
  it('follows and unfollows idempotently and keeps counts and lists right', async () => {
    const app = makeTestApp();
    const a = await signUp(app);
    const b = await signUp(app);
    const c = await signUp(app);
    await followUser(app, a, b);
    await followUser(app, a, b);
    await followUser(app, c, b);
    const prof = await call(app, `/api/accounts/${b.handle}`, { headers: a.auth });
    expect(prof.json.account.followersCount).toBe(2);
    const followers = await call(app, `/api/accounts/${b.handle}/followers`, { headers: a.auth });
    expect(followers.json.items.map((x: { handle: string }) => x.handle)).toEqual([c.handle, a.handle]);
    const following = await call(app, `/api/accounts/${a.handle}/following`, { headers: a.auth });
    expect(following.json.items.map((x: { handle: string }) => x.handle)).toEqual([b.handle]);
    for (let i = 0; i < 2; i++) {
      expect((await call(app, `/api/accounts/${b.handle}/follow`, { method: 'DELETE', headers: a.auth })).status).toBe(204);
    }
    expect((await call(app, `/api/accounts/${b.handle}`, { headers: a.auth })).json.account.followersCount).toBe(1);
    expect((await call(app, `/api/accounts/${a.handle}`, { headers: a.auth })).json.account.followingCount).toBe(0);
  });

  it('refuses following yourself (400), unknown accounts (404) and read-only tokens (403)', async () => {
    const app = makeTestApp();
    const a = await signUp(app);
    const b = await signUp(app);
    const self = await call(app, `/api/accounts/${a.handle}/follow`, { method: 'PUT', headers: a.auth });
    expect(self.status).toBe(400);
    expect(self.json.error.code).toBe('cannot_follow_self');
    expect((await call(app, '/api/accounts/nobody/follow', { method: 'PUT', headers: a.auth })).status).toBe(404);
    expect((await call(app, `/api/accounts/${b.handle}/follow`, { method: 'PUT', headers: { authorization: `Bearer ${a.readToken}` } })).status).toBe(403);
  });

  it('paginates follower lists', async () => {
    const app = makeTestApp();
    const star = await signUp(app);
    const fans = [];
    for (let i = 0; i < 5; i++) {
      const f = await signUp(app);
      await followUser(app, f, star);
      fans.push(f.handle);
    }
    const seen: string[] = [];
    let url = `/api/accounts/${star.handle}/followers?limit=2`;
    for (;;) {
      const r = await call(app, url, { headers: star.auth });
      seen.push(...r.json.items.map((x: { handle: string }) => x.handle));
      if (!r.json.next) break;
      url = `/api/accounts/${star.handle}/followers?limit=2&cursor=${r.json.next}`;
    }
    expect(seen).toEqual(fans.reverse());
    // Following lists page the same way, newest first.
    const fan = await signUp(app);
    for (const handle of [...fans].reverse()) await call(app, `/api/accounts/${handle}/follow`, { method: 'PUT', headers: fan.auth });
    const following = await call(app, `/api/accounts/${fan.handle}/following?limit=10`, { headers: fan.auth });
    expect(following.json.items.map((x: { handle: string }) => x.handle)).toEqual(fans);
  });

  it('reads a page of followers as an index range, not a sort of every follower', () => {
    const app = makeTestApp();
    for (const direction of ['followers', 'following'] as const) {
      const plan = (app.deps.db.$client.prepare(`EXPLAIN QUERY PLAN ${followsPageSql(direction)}`).all(1, 2, 3) as { detail: string }[]).map((r) => r.detail).join('\n');
      expect(plan, direction).toMatch(direction === 'followers' ? /follows_followee_recent_idx \(followee_id=\? AND rowid<\?\)/ : /follows_follower_recent_idx \(follower_id=\? AND rowid<\?\)/);
      expect(plan, direction).not.toMatch(/TEMP B-TREE/);
    }
    // Reading whom someone follows (each home timeline's first step) keeps its covering index.
    const followed = (app.deps.db.$client.prepare('EXPLAIN QUERY PLAN SELECT json_group_array(followee_id) FROM follows WHERE follower_id = ?').all(1) as { detail: string }[])[0].detail;
    expect(followed).toMatch(/COVERING INDEX/);
  });
});
