import { connect, type AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { describe, expect, it } from 'vitest';
import { MAX_REPLAY, MAX_STREAMS_PER_CLIENT, subscribeTimeline } from '../src/live/subscription';
import { call, followUser, makeTestApp, post, signUp } from './helpers';

/** Reads SSE events from a streaming response until `until` matches or time runs out. */
async function collect(res: Response, until: (events: { event: string; data: string; id?: string }[]) => boolean, ms = 2000) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; data: string; id?: string }[] = [];
  let buf = '';
  const deadline = Date.now() + ms;
  while (!until(events) && Date.now() < deadline) {
    const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
    if (!chunk || chunk.done) break;
    buf += decoder.decode(chunk.value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
      const id = /^id: (.*)$/m.exec(block)?.[1];
      events.push({ event, data, ...(id === undefined ? {} : { id }) });
    }
  }
  return { events, reader };
}

describe('SSE stream', () => {
  it('delivers followees’ new posts and deletes on the home stream, not strangers’, and frees its listener on disconnect', async () => {
    const app = makeTestApp();
    const [me, friend, stranger] = [await signUp(app), await signUp(app), await signUp(app)];
    await followUser(app, me, friend);
    const ctrl = new AbortController();
    const res = await app.request('/api/stream?timeline=home', { headers: me.auth, signal: ctrl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(app.deps.events.listenerCount).toBe(1);
    setTimeout(async () => {
      await post(app, stranger, 'not for you');
      const p = await post(app, friend, 'for you');
      // Follows and mutes made while the stream is open count from the next post on.
      await followUser(app, me, stranger);
      await post(app, stranger, 'now you follow me');
      await app.request(`/api/accounts/${friend.handle}/mute`, { method: 'PUT', headers: me.auth });
      await post(app, friend, 'while muted');
      await app.request(`/api/posts/${p.id}`, { method: 'DELETE', headers: friend.auth });
    }, 50);
    const { events, reader } = await collect(res, (ev) => ev.some((e) => e.event === 'delete'));
    const posts = events.filter((e) => e.event === 'post').map((e) => JSON.parse(e.data));
    expect(events[0].event).toBe('ready');
    expect(posts.map((p) => p.text)).toEqual(['for you', 'now you follow me']);
    expect(posts[0].author.handle).toBe(friend.handle);
    expect(JSON.parse(events.find((e) => e.event === 'delete')!.data).id).toBe(posts[0].id);
    ctrl.abort();
    await reader.cancel().catch(() => {});
    for (let i = 0; i < 50 && app.deps.events.listenerCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.deps.events.listenerCount).toBe(0);
  });

  it('ends a stream once its token is revoked or its session ends, before sending anything more', async () => {
    const app = makeTestApp();
    const [me, poster] = [await signUp(app), await signUp(app)];
    const tokenId = (await call(app, '/api/tokens', { headers: { cookie: me.cookie } })).json.items.find((t: { scopes: string[] }) => t.scopes.includes('write')).id;
    const viaToken = await app.request('/api/stream?timeline=public', { headers: me.auth });
    const viaSession = await app.request('/live?format=json', { headers: { cookie: me.cookie, accept: '*/*' } });
    const session = viaSession.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // Both streams deliver a post while their credentials hold…
    setTimeout(() => void post(app, poster, 'before'), 20);
    const first = await collect(viaToken, (ev) => ev.some((e) => e.event === 'post'), 2000);
    expect(first.events.filter((e) => e.event === 'post').map((e) => JSON.parse(e.data).text)).toEqual(['before']);
    while (!text.includes('before')) text += decoder.decode((await session.read()).value);
    // …and nothing after the token is revoked and the session ended: each stream closes instead.
    await call(app, `/api/tokens/${tokenId}`, { method: 'DELETE', headers: { cookie: me.cookie } });
    await call(app, '/api/sessions', { method: 'DELETE', headers: { cookie: me.cookie } });
    await post(app, poster, 'after');
    let rest = '';
    for (let chunk = await first.reader.read(); !chunk.done; chunk = await first.reader.read()) rest += decoder.decode(chunk.value);
    expect(rest).not.toContain('after');
    for (let chunk = await session.read(); !chunk.done; chunk = await session.read()) text += decoder.decode(chunk.value);
    expect(text.split('\n').filter(Boolean).map((l) => JSON.parse(l).post?.text)).toEqual(['before']);
    expect(app.deps.events.listenerCount).toBe(0);
  });

  it('needs auth for the home stream and leaves out bots with bots=false', async () => {
    const app = makeTestApp();
    expect((await app.request('/api/stream?timeline=home')).status).toBe(401);
    const [me, bot] = [await signUp(app), await signUp(app, { bot: true })];
    const res = await app.request('/api/stream?timeline=public&bots=false', { headers: me.auth });
    setTimeout(async () => {
      await post(app, bot, 'beep');
      await post(app, me, 'human');
    }, 50);
    const { events, reader } = await collect(res, (ev) => ev.some((e) => e.event === 'post'));
    expect(events.filter((e) => e.event === 'post').map((e) => JSON.parse(e.data).text)).toEqual(['human']);
    await reader.cancel();
  });
});

describe('idempotent posts on the stream', () => {
  it('announces a post made with an Idempotency-Key once, and not again on a replay', async () => {
    const app = makeTestApp();
    const [me, other] = [await signUp(app), await signUp(app)];
    const res = await app.request('/api/stream?timeline=public', { headers: me.auth });
    const send = () =>
      app.request('/api/posts', { method: 'POST', headers: { ...other.auth, 'content-type': 'application/json', 'idempotency-key': 'k1' }, body: JSON.stringify({ text: 'once only' }) });
    setTimeout(async () => {
      await send();
      await send();
      await post(app, other, 'marker');
    }, 50);
    const { events, reader } = await collect(res, (ev) => ev.some((e) => e.event === 'post' && JSON.parse(e.data).text === 'marker'));
    expect(events.filter((e) => e.event === 'post').map((e) => JSON.parse(e.data).text)).toEqual(['once only', 'marker']);
    await reader.cancel();
  });
});

describe('stalled readers', () => {
  it('drops a subscriber that falls more than a thousand events behind', async () => {
    const app = makeTestApp();
    const live = subscribeTimeline(app.deps, null, 'public', true, { client: 'test' });
    expect(app.deps.events.listenerCount).toBe(1);
    for (let i = 0; i < 1001; i++) app.deps.events.publish({ type: 'delete', id: `p${i}`, authorId: 1 });
    expect(app.deps.events.listenerCount).toBe(0);
    expect(await live.next(10)).toBeNull();
  });

  it('ends only the stream whose delivery failed, and still announces the post to the others', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const p = await post(app, u, 'announced');
    let dropped = 0;
    const reported: unknown[] = [];
    app.deps.events.reportError = (err) => reported.push(err);
    const live = subscribeTimeline(app.deps, null, 'public', true, { client: 'test', onDrop: () => dropped++ });
    const heard: string[] = [];
    const errors: unknown[] = [];
    app.deps.events.subscribe(() => {
      throw new Error('a broken listener');
    }, (err) => errors.push(err));
    app.deps.events.subscribe((event) => heard.push(event.type), () => {});
    // Reading the post fails for the live reader: its database is gone.
    const seq = app.deps.db.$client.prepare('SELECT seq FROM posts WHERE id = ?').pluck().get(p.id) as number;
    app.deps.db.$client.close();
    expect(() => app.deps.events.publish({ type: 'post', seq, id: p.id, authorId: 1, authorBot: false })).not.toThrow();
    expect(heard).toEqual(['post']);
    expect(errors).toHaveLength(1);
    expect(dropped).toBe(1);
    // Both failures reach the app's log, not only the stream they ended.
    expect(reported).toHaveLength(2);
    expect(await live.next(10)).toBeNull();
    expect(app.deps.events.listenerCount).toBe(2);
  });

  it('writes bidi controls and line separators from posts as JSON escapes everywhere JSON goes, the same strings once parsed', async () => {
    const app = makeTestApp();
    const [me, author] = [await signUp(app), await signUp(app)];
    await followUser(app, me, author);
    const text = 'rtl \u202egnp.exe\u202c and \u2066isolated\u2069 then\u2028next';
    const raw = /[\u202a-\u202e\u2066-\u2069\u2028\u2029]/;
    const sse = await app.request('/api/stream?timeline=home', { headers: me.auth });
    const created = await call(app, '/api/posts', { body: { text }, headers: author.auth });
    expect(created.text).not.toMatch(raw);
    expect(created.json.post.text).toBe(text);
    const pages = [`/@${author.handle}?format=json`, `/@${author.handle}/${created.json.post.id}?format=json`, '/home?format=json'];
    for (const path of [`/api/posts/${created.json.post.id}`, '/api/timelines/home', '/api/timelines/public', `/api/accounts/${author.handle}/posts`, ...pages]) {
      const r = await call(app, path, { headers: me.auth });
      expect(r.text, path).not.toMatch(raw);
      expect(r.text, path).toContain('\\u202e');
      expect(JSON.stringify(r.json), path).toContain(JSON.stringify(text).slice(1, -1));
    }
    // Replies to writes and errors too: an error may quote the path a crafted link sent (an 8-bit CSI here).
    const written = [
      await call(app, '/api/me', { method: 'PATCH', body: { bio: text }, headers: me.auth }),
      await call(app, '/post?format=json', { body: { text }, headers: me.auth }),
      await call(app, '/api/x%C2%9B2J%E2%80%AE', { headers: me.auth }),
      await call(app, '/x%C2%9B2J%E2%80%AE?format=json', { headers: me.auth }),
    ];
    expect(written.map((r) => r.status)).toEqual([200, 201, 404, 404]);
    for (const r of written) expect(r.text).not.toMatch(/[\u0080-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/);
    expect(written[0].json.account.bio).toBe(text);
    expect(written[1].json.post.text).toBe(text);
    expect(written[2].json.error.message).toContain('/api/x\u009b2J\u202e');
    const { events, reader } = await collect(sse, (es) => es.some((e) => e.event === 'post'));
    await reader.cancel();
    const event = events.find((e) => e.event === 'post')!;
    expect(event.data).not.toMatch(raw);
    expect(JSON.parse(event.data).text).toBe(text);
  });

  it('resumes from Last-Event-ID with the posts missed meanwhile, oldest first, then goes on live', async () => {
    const app = makeTestApp();
    const [me, friend, stranger] = [await signUp(app), await signUp(app), await signUp(app)];
    await followUser(app, me, friend);
    const first = await app.request('/api/stream?timeline=home', { headers: me.auth });
    setTimeout(() => void post(app, friend, 'seen'), 20);
    const before = await collect(first, (ev) => ev.some((e) => e.event === 'post'));
    await before.reader.cancel();
    const seen = before.events.find((e) => e.event === 'post')!;
    expect(seen.id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(before.events.filter((e) => e.event !== 'post').every((e) => e.id === undefined)).toBe(true);

    // Away: the friend posts twice (one of them deleted again), a stranger once, and I post myself.
    await post(app, friend, 'missed one');
    const deleted = await post(app, friend, 'missed and deleted');
    await post(app, stranger, 'not on my home');
    await post(app, me, 'missed two');
    await app.request(`/api/posts/${deleted.id}`, { method: 'DELETE', headers: friend.auth });

    const again = await app.request('/api/stream?timeline=home', { headers: { ...me.auth, 'last-event-id': seen.id! } });
    expect(again.status).toBe(200);
    setTimeout(() => void post(app, friend, 'live again'), 50);
    const after = await collect(again, (ev) => ev.some((e) => e.event === 'post' && e.data.includes('live again')));
    await after.reader.cancel();
    const posts = after.events.filter((e) => e.event === 'post');
    expect(after.events[0].event).toBe('ready');
    expect(posts.map((e) => JSON.parse(e.data).text)).toEqual(['missed one', 'missed two', 'live again']);
    // Every id resumes after its own post: reconnecting from the last replayed one replays nothing.
    const last = await app.request('/api/stream?timeline=home', { headers: { ...me.auth, 'last-event-id': posts[2].id! } });
    setTimeout(() => void post(app, friend, 'only this'), 50);
    const tail = await collect(last, (ev) => ev.some((e) => e.event === 'post'));
    await tail.reader.cancel();
    expect(tail.events.filter((e) => e.event === 'post').map((e) => JSON.parse(e.data).text)).toEqual(['only this']);
  });

  it('tells a client that missed more than it replays to reload, and refuses an id it never sent', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const seen = await post(app, u, 'seen');
    const seqOf = (id: string) => app.deps.db.$client.prepare('SELECT seq FROM posts WHERE id = ?').pluck().get(id) as number;
    for (let i = 0; i < MAX_REPLAY; i++) await post(app, u, `missed ${i}`);
    // Exactly as many as it replays: all of them.
    const full = subscribeTimeline(app.deps, null, 'public', true, { client: 'test', since: seqOf(seen.id) });
    const replay = (await full.next(10))!;
    full.close();
    expect(replay.map((i) => (i.type === 'post' ? i.post.text : i.type))).toEqual(Array.from({ length: MAX_REPLAY }, (_, i) => `missed ${i}`));
    await post(app, u, 'one too many');
    const tooMany = subscribeTimeline(app.deps, null, 'public', true, { client: 'test', since: seqOf(seen.id) });
    expect((await tooMany.next(10))!.map((i) => i.type)).toEqual(['reset']);
    tooMany.close();

    const bad = await app.request('/api/stream?timeline=public', { headers: { ...u.auth, 'last-event-id': 'not-an-id' } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('invalid_last_event_id');
    // Who may stream is settled first.
    expect((await app.request('/api/stream?timeline=home', { headers: { 'last-event-id': 'not-an-id' } })).status).toBe(401);
    expect(app.deps.events.listenerCount).toBe(0);
  });

  it('does not send twice a post the replay held whose announcement came after', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const [a, b] = [await post(app, u, 'a'), await post(app, u, 'b')];
    const seqOf = (id: string) => app.deps.db.$client.prepare('SELECT seq FROM posts WHERE id = ?').pluck().get(id) as number;
    const live = subscribeTimeline(app.deps, null, 'public', true, { client: 'test', since: seqOf(a.id) });
    // `b` committed before the subscription, announced after it (as a group commit may), then a new post.
    app.deps.events.publish({ type: 'post', seq: seqOf(b.id), id: b.id, authorId: 1, authorBot: false });
    const c = await post(app, u, 'c');
    const items = [...(await live.next(10))!, ...((await live.next(10)) ?? [])];
    live.close();
    expect(items.map((i) => (i.type === 'post' ? i.post.id : i.type))).toEqual([b.id, c.id]);
  });

  it('sends neither a post deleted before it was sent nor its delete', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const [kept, gone] = [await post(app, u, 'kept'), await post(app, u, 'gone')];
    const seqOf = (id: string) => app.deps.db.$client.prepare('SELECT seq FROM posts WHERE id = ?').pluck().get(id) as number;
    const live = subscribeTimeline(app.deps, null, 'public', true, { client: 'test' });
    for (const p of [kept, gone]) app.deps.events.publish({ type: 'post', seq: seqOf(p.id), id: p.id, authorId: 1, authorBot: false });
    app.deps.events.publish({ type: 'delete', id: gone.id, authorId: 1 });
    app.deps.events.publish({ type: 'delete', id: 'sent-before', authorId: 1 });
    const items = await live.next(10);
    expect(items!.map((i) => (i.type === 'post' ? `post ${i.post.text}` : i.type === 'delete' ? `delete ${i.id}` : i.type))).toEqual(['post kept', 'delete sent-before']);
    live.close();
  });

  it('closes the connection of a reader that stopped reading, whose write would otherwise wait forever', async () => {
    const app = makeTestApp();
    const me = await signUp(app);
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    const connections = () => new Promise<number>((resolve) => server.getConnections((_, n) => resolve(n)));
    // A client that asks for the stream and then reads nothing: the socket buffers fill and the server's write waits.
    const client = connect(port, '127.0.0.1');
    client.on('error', () => {});
    client.write(`GET /api/stream?timeline=public HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: ${me.auth.authorization}\r\n\r\n`);
    client.pause();
    for (let i = 0; i < 50 && app.deps.events.listenerCount === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.deps.events.listenerCount).toBe(1);
    const id = 'x'.repeat(4000);
    for (let i = 0; i < 40 && app.deps.events.listenerCount > 0; i++) {
      for (let j = 0; j < 500; j++) app.deps.events.publish({ type: 'delete', id, authorId: 1 });
      await new Promise((r) => setTimeout(r, 5));
    }
    // Dropped (more than a thousand events behind), and its connection closed rather than held with the handler.
    expect(app.deps.events.listenerCount).toBe(0);
    for (let i = 0; i < 100 && (await connections()) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await connections()).toBe(0);
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('streams per client', () => {
  it('lets one account hold a bounded number of streams open, and counts each only while it is open', async () => {
    const app = makeTestApp();
    const [me, other] = [await signUp(app), await signUp(app)];
    const open: { ctrl: AbortController; res: Response }[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_CLIENT; i++) {
      const ctrl = new AbortController();
      // SSE and the terminal's tail count alike, whichever credential of the account opens them.
      const path = i % 2 ? '/api/stream' : '/live?format=json';
      const res = await app.request(path, { headers: i % 3 ? me.auth : { authorization: `Bearer ${me.readToken}` }, signal: ctrl.signal });
      expect(res.status).toBe(200);
      open.push({ ctrl, res });
    }
    const refused = await app.request('/api/stream', { headers: me.auth });
    expect(refused.status).toBe(429);
    expect((await refused.json()).error.code).toBe('too_many_streams');
    expect(refused.headers.get('retry-after')).toBe('30');
    expect((await app.request('/live', { headers: { ...me.auth, accept: 'text/plain' } })).status).toBe(429);
    // Someone else is not affected.
    const theirs = new AbortController();
    const theirRes = await app.request('/api/stream', { headers: other.auth, signal: theirs.signal });
    expect(theirRes.status).toBe(200);
    // Closing one makes room for one.
    open[0].ctrl.abort();
    await open[0].res.body?.cancel().catch(() => {});
    let again: Response | undefined;
    for (let i = 0; i < 50; i++) {
      again = await app.request('/api/stream', { headers: me.auth });
      if (again.status === 200) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(again!.status).toBe(200);
    await again!.body?.cancel().catch(() => {});
    for (const { ctrl, res } of open.slice(1)) {
      ctrl.abort();
      await res.body?.cancel().catch(() => {});
    }
    theirs.abort();
    await theirRes.body?.cancel().catch(() => {});
    for (let i = 0; i < 50 && app.deps.events.listenerCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.deps.events.listenerCount).toBe(0);
  });
});

describe('streams and HEAD or shutdown', () => {
  it('answers HEAD on the streams without opening one', async () => {
    const app = makeTestApp();
    const me = await signUp(app);
    for (const path of ['/api/stream?timeline=home', '/api/stream', '/live', '/live?format=json']) {
      const res = await app.request(path, { method: 'HEAD', headers: me.auth });
      expect(res.status, path).toBe(200);
      expect(await res.text()).toBe('');
      expect(app.deps.events.listenerCount, path).toBe(0);
    }
    expect((await app.request('/api/stream', { method: 'HEAD', headers: me.auth })).headers.get('content-type')).toContain('text/event-stream');
    expect((await app.request('/live?format=json', { method: 'HEAD', headers: me.auth })).headers.get('content-type')).toContain('application/x-ndjson');
    // HEAD on the home stream still needs credentials.
    expect((await app.request('/api/stream?timeline=home', { method: 'HEAD' })).status).toBe(401);
  });

  it('ends at once a stream opened after the server began shutting down', async () => {
    const app = makeTestApp();
    const me = await signUp(app);
    app.deps.events.publish({ type: 'shutdown' });
    const sse = await app.request('/api/stream', { headers: me.auth });
    const text = await Promise.race([sse.text(), new Promise<string>((r) => setTimeout(() => r('still open'), 2000))]);
    expect(text).toContain('event: ready');
    const live = await app.request('/live', { headers: { ...me.auth, accept: 'text/plain' } });
    expect(await Promise.race([live.text(), new Promise<string>((r) => setTimeout(() => r('still open'), 2000))])).toContain('live · public timeline');
    expect(app.deps.events.listenerCount).toBe(0);
  });
});
