import { gzipSync } from 'node:zlib';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { call, followUser, makeTestApp, post, signUp, type User } from './helpers';

type App = ReturnType<typeof makeTestApp>;
const CURL = { 'user-agent': 'curl/8.5.0', accept: '*/*' };
const BROWSER = { 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Chrome/126', accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
// Anything that could act on a terminal: C0 but LF, DEL, C1, bidi embeddings/overrides/isolates.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

const curl = (app: App, path: string, user?: User, extra: Record<string, string> = {}) =>
  call(app, path, { headers: { ...CURL, ...(user ? user.auth : {}), ...extra } });

describe('content negotiation on public URLs', () => {
  it('serves plain text to curl, JSON on request, and the web app to browsers', async () => {
    const app = makeTestApp();
    const u = await signUp(app, { handle: 'neg' });
    const p = await post(app, u, 'negotiated');
    const t = await curl(app, '/@neg', u);
    expect(t.status).toBe(200);
    expect(t.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(t.text).toContain('negotiated');
    const j = await curl(app, '/@neg?format=json', u);
    expect(j.json.account.handle).toBe('neg');
    expect(j.json.items[0]).toEqual((await call(app, `/api/posts/${p.id}`, { headers: u.auth })).json.post);
    const accepted = await call(app, '/@neg', { headers: { ...u.auth, accept: 'application/json' } });
    expect(accepted.json.items[0].id).toBe(p.id);
    const html = await call(app, '/@neg', { headers: { ...BROWSER, cookie: u.cookie } });
    expect(html.headers.get('content-type')).toMatch(/text\/(html|plain)/);
    expect(html.headers.get('vary')).toContain('Accept');
    if (html.status === 200) expect(html.text).toMatch(/<!doctype html>/i);
    else expect(html.status).toBe(503);
  });

  it('prints help at / without auth, with this host in every example', async () => {
    const app = makeTestApp();
    const r = await call(app, 'http://bluetwit.corp.example/', { headers: CURL });
    expect(r.status).toBe(200);
    expect(r.text).toContain('curl -u alice -X POST http://bluetwit.corp.example/token');
    const help = await call(app, 'http://bluetwit.corp.example/help', { headers: CURL });
    for (const cmd of ['/home', '/post', '/live', '/search?q=', '/tag/', '/@alice']) expect(help.text).toContain(cmd);
    for (const line of help.text.split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(80);
  });

  it('shows the public timeline at / with a hint, to a signed-in terminal', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    await post(app, u, 'on the front page');
    const r = await curl(app, '/', u);
    expect(r.text).toContain('on the front page');
    expect(r.text).toContain('/help');
  });

  it('answers errors with one plain line and the right status, so curl -f fails', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const missing = await curl(app, '/@nobody_at_all', u);
    expect(missing.status).toBe(404);
    expect(missing.text).toMatch(/^error: .+\n$/);
    const anon = await curl(app, '/home');
    expect(anon.status).toBe(401);
    expect(anon.text).toMatch(/^error: .*\/token.*\n$/);
    const badCursor = await curl(app, '/home?cursor=nope!', u);
    expect(badCursor.status).toBe(400);
    expect(badCursor.text.split('\n')).toHaveLength(2);
  });
});

describe('tokens and posting from a terminal', () => {
  const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

  it('issues a read+write token for HTTP Basic credentials', async () => {
    const app = makeTestApp();
    await signUp(app, { handle: 'termuser', password: 'terminal password' });
    const r = await call(app, '/token', { method: 'POST', headers: { ...CURL, authorization: basic('termuser', 'terminal password') } });
    expect(r.status).toBe(201);
    const token = r.text.split('\n')[0];
    expect(token).toMatch(/^bt_/);
    expect(r.text).toContain('export T=');
    // Revoking needs a browser session (a token cannot revoke tokens): the notice sends the reader there.
    expect(r.text).toContain('Revoke it in the web client, under Settings → API tokens.');
    expect(r.text).not.toContain('DELETE');
    const me = await call(app, '/api/me', { headers: { authorization: `Bearer ${token}` } });
    expect(me.json.account.handle).toBe('termuser');
    const created = await call(app, '/api/posts', { body: { text: 'via terminal token' }, headers: { authorization: `Bearer ${token}` } });
    expect(created.status).toBe(201);
    const wrong = await call(app, '/token', { method: 'POST', headers: { ...CURL, authorization: basic('termuser', 'nope nope') } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).toMatch(/^error: /);
    const none = await call(app, '/token', { method: 'POST', headers: CURL });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toContain('Basic');
  });

  it('posts a raw -d body verbatim, a text= field decoded, and text/plain from stdin', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const form = { ...CURL, ...u.auth, 'content-type': 'application/x-www-form-urlencoded' };
    const raw = await call(app, '/post', { method: 'POST', body: 'a+b%20c & more', headers: form });
    expect(raw.status).toBe(201);
    const field = await call(app, '/post', { method: 'POST', body: 'text=hello%20world%2B1', headers: form });
    const stdin = await call(app, '/post', { method: 'POST', body: 'line one\nline two\n', headers: { ...CURL, ...u.auth, 'content-type': 'text/plain' } });
    const texts = (await call(app, `/api/accounts/${u.handle}/posts`, { headers: u.auth })).json.items.map((p: { text: string }) => p.text);
    expect(texts).toEqual(['line one\nline two', 'hello world+1', 'a+b%20c & more']);
    expect(raw.text).toMatch(/http:\/\/localhost\/@\w+\/[\w-]+\n$/);
    expect(field.text).toContain('hello world+1');
    expect(stdin.status).toBe(201);
  });

  it('replies with reply=<id>, and refuses bad posts with one line', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const parent = await post(app, u, 'parent');
    const form = { ...CURL, ...u.auth, 'content-type': 'application/x-www-form-urlencoded' };
    const r = await call(app, `/post?reply=${parent.id}`, { method: 'POST', body: 'child', headers: form });
    expect(r.status).toBe(201);
    expect((await call(app, `/api/posts/${parent.id}/replies`, { headers: u.auth })).json.items[0].text).toBe('child');
    const thread = await curl(app, `/@${u.handle}/${parent.id}`, u);
    expect(thread.text).toMatch(/parent[\s\S]*child/);
    expect((await curl(app, `/@${u.handle.toUpperCase()}/${parent.id}`, u)).status).toBe(200);
    // Under another's handle the post is not there: a link must not put words in someone else's mouth.
    const other = await signUp(app);
    const misattributed = await curl(app, `/@${other.handle}/${parent.id}`, u);
    expect([misattributed.status, misattributed.text]).toEqual([404, `error: @${u.handle} wrote that post, not @${other.handle}.\n`]);
    const bad = await call(app, '/post', { method: 'POST', body: 'x'.repeat(300), headers: form });
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/^error: .*280.*\n$/);
    // Within the width asked for, like every other line.
    const narrow = await call(app, '/post?width=40', { method: 'POST', body: 'x'.repeat(300), headers: form });
    expect(narrow.status).toBe(400);
    expect(narrow.text).toMatch(/^error: [^\n]{1,33}\n$/);
    const ro = await call(app, '/post', { method: 'POST', body: 'nope', headers: { ...form, authorization: `Bearer ${u.readToken}` } });
    expect(ro.status).toBe(403);
  });

  it('keeps a raw body that merely contains &text= verbatim, and takes reply= as a form field', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const parent = await post(app, u, 'parent');
    const form = { ...CURL, ...u.auth, 'content-type': 'application/x-www-form-urlencoded' };
    const link = 'read this: https://example.com/share?u=1&text=oops';
    expect((await call(app, '/post', { method: 'POST', body: link, headers: form })).status).toBe(201);
    const r = await call(app, '/post', { method: 'POST', body: `text=a%20reply&reply=${parent.id}`, headers: form });
    expect(r.status).toBe(201);
    // A text= field first is a form, whatever else comes along; a bare word without = is the text itself.
    for (const body of ['text=hi&via=cli', 'text', 'text&reply=']) expect((await call(app, '/post', { method: 'POST', body, headers: form })).status, body).toBe(201);
    const posts = (await call(app, `/api/accounts/${u.handle}/posts`, { headers: u.auth })).json.items;
    expect(posts.map((p: { text: string }) => p.text)).toEqual(['text&reply=', 'text', 'hi', 'a reply', link, 'parent']);
    expect(posts[3].replyTo).toBe(parent.id);
  });

  it('takes JSON (as HTTPie sends it) and multipart forms (curl -F, a file too), and refuses other types with one line', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const httpie = await call(app, '/post', { method: 'POST', body: { text: 'from httpie' }, headers: { ...u.auth, 'user-agent': 'HTTPie/3.2.2', accept: 'application/json, */*;q=0.5' } });
    expect(httpie.status).toBe(201);
    expect(httpie.json.post.text).toBe('from httpie');
    const badJson = await call(app, '/post', { method: 'POST', body: '{"text": ', headers: { ...CURL, ...u.auth, 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
    expect(badJson.text).toMatch(/^error: .*JSON.*\n$/);
    const noText = await call(app, '/post', { method: 'POST', body: { txt: 'typo' }, headers: { ...CURL, ...u.auth } });
    expect(noText.status).toBe(400);
    // JSON that is not UTF-8, or comes compressed, is refused as the API refuses it; so is an empty reply target.
    const cafe = Uint8Array.from(Buffer.from('{"text":"caf\xe9"}', 'latin1'));
    const notUtf8 = await app.request('/post?format=json', { method: 'POST', body: cafe, headers: { ...u.auth, 'content-type': 'application/json', 'content-length': String(cafe.length) } });
    expect([notUtf8.status, ((await notUtf8.json()) as { error: { code: string } }).error.code]).toEqual([400, 'invalid_encoding']);
    const zipped = await app.request('/post', { method: 'POST', body: gzipSync('{"text":"zipped"}'), headers: { ...CURL, ...u.auth, 'content-type': 'application/json', 'content-encoding': 'gzip' } });
    expect([zipped.status, zipped.headers.get('accept-encoding')]).toEqual([415, 'identity']);
    for (const [path, body] of [['/post?reply=', 'orphan'], ['/post', { text: 'orphan', replyTo: '' }]] as const) {
      const r = await call(app, path, { method: 'POST', body, headers: { ...CURL, ...u.auth, 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' } });
      expect([r.status, r.text], path).toEqual([400, 'error: The reply is empty: give the id of the post you answer, or leave it out.\n']);
    }
    const mine = (await call(app, `/api/accounts/${u.handle}/posts`, { headers: u.auth })).json.items.map((p: { text: string }) => p.text);
    expect(mine).not.toContain('caf\ufffd');
    expect(mine).not.toContain('orphan');
    const multipart = new FormData();
    multipart.set('text', 'from curl -F');
    const f = await app.request('/post', { method: 'POST', body: multipart, headers: { ...CURL, ...u.auth } });
    expect(f.status).toBe(201);
    const file = new FormData();
    file.set('text', new File(['notes\nfrom a file\n'], 'notes.txt', { type: 'text/plain' }));
    expect((await app.request('/post', { method: 'POST', body: file, headers: { ...CURL, ...u.auth } })).status).toBe(201);
    for (const type of ['multipart/form-data; boundary=x', 'multipart/form-data']) {
      const broken = await call(app, '/post', { method: 'POST', body: 'garbage', headers: { ...CURL, ...u.auth, 'content-type': type } });
      expect(broken.status, type).toBe(400);
      expect(broken.text).toMatch(/^error: [^\n]*multipart[^\n]*\n$/);
    }
    const latin1 = await app.request('/post', { method: 'POST', body: new Uint8Array([0x63, 0x61, 0x66, 0xe9]), headers: { ...CURL, ...u.auth, 'content-type': 'text/plain' } });
    expect(latin1.status).toBe(400);
    expect(await latin1.text()).toMatch(/^error: The text is not valid UTF-8/);
    // The same bytes percent-encoded in a form field, while a `%` that starts no escape is kept as typed.
    const form = { ...CURL, ...u.auth, 'content-type': 'application/x-www-form-urlencoded' };
    const escaped = await call(app, '/post', { method: 'POST', body: 'text=caf%E9', headers: form });
    expect([escaped.status, escaped.text]).toEqual([400, 'error: The text is not valid UTF-8. (text: Percent-encode UTF-8 bytes.)\n']);
    expect((await call(app, '/post', { method: 'POST', body: 'text=up%20100%+caf%C3%A9', headers: form })).status).toBe(201);
    const xml = await call(app, '/post', { method: 'POST', body: '<text/>', headers: { ...CURL, ...u.auth, 'content-type': 'application/xml' } });
    expect(xml.status).toBe(415);
    // The whole message, within 80 columns.
    expect(xml.text).toBe('error: Send the text with -d, --data-binary @-, -F text= or as JSON.\n');
    const texts = (await call(app, `/api/accounts/${u.handle}/posts`, { headers: u.auth })).json.items.map((p: { text: string }) => p.text);
    expect(texts).toEqual(['up 100% café', 'notes\nfrom a file', 'from curl -F', 'from httpie']);
  });

  it('tells a signed-out terminal how to get a token wherever one is needed, open reading or not', async () => {
    for (const openRead of [false, true]) {
      const app = makeTestApp({ openRead });
      for (const [method, path] of [['GET', '/home'], ['GET', '/notifications'], ['GET', '/live?timeline=home'], ['POST', '/post']]) {
        const r = await call(app, path, { method, headers: CURL, ...(method === 'POST' ? { body: 'hello' } : {}) });
        expect(r.status, `${openRead} ${path}`).toBe(401);
        expect(r.text, `${openRead} ${path}`).toBe('error: Sign in: curl -u <handle> -X POST http://localhost/token\n');
      }
    }
    // Behind a long host name, or at a narrow width, the command is still whole (alone on the line).
    const far = makeTestApp({ publicUrl: 'https://bluetwit.platform-engineering.corp.example.com' });
    const home = await call(far, '/home', { headers: CURL });
    expect(home.text).toBe('error: curl -u <handle> -X POST https://bluetwit.platform-engineering.corp.example.com/token\n');
    const missing = await call(far, '/nowhere-at-all?width=40', { headers: CURL });
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('error: curl https://bluetwit.platform-engineering.corp.example.com/help\n');
    expect((await call(far, '/nowhere?width=120', { headers: CURL })).text).toBe('error: No such page: /nowhere. Try curl https://bluetwit.platform-engineering.corp.example.com/help\n');
  });

  it('tells a GET (or any method but POST) of /token or /post to use POST, with 405 and Allow', async () => {
    const app = makeTestApp();
    for (const path of ['/token', '/post']) {
      for (const method of ['GET', 'HEAD', 'PUT', 'PATCH', 'DELETE']) {
        const r = await call(app, path, { method, headers: CURL });
        expect(r.status, `${method} ${path}`).toBe(405);
        expect(r.headers.get('allow')).toBe('POST');
        if (method !== 'HEAD') expect(r.text).toMatch(new RegExp(`^error: Use POST: curl .*${path}\n$`));
      }
    }
  });
});

describe('text layout', () => {
  it('renders the exact block layout with wrapping, wide characters and a next: command', async () => {
    const t0 = Date.UTC(2026, 10, 27, 9, 0, 0);
    let now = t0;
    const app = makeTestApp({}, { clock: () => now });
    const u = await signUp(app, { handle: 'emi', displayName: 'Emi Tanaka' });
    const ids = app.deps.newId;
    let n = 0;
    app.deps.newId = () => `id${++n}`;
    await post(app, u, 'first');
    await post(app, u, '日本語のテキストを折り返すテスト、全角文字は二つのセルを使います。絵文字👩‍💻も二つ。');
    app.deps.newId = ids;
    now = t0 + 5 * 60_000;
    const r = await curl(app, '/@emi?width=40&limit=1', u);
    expect(r.text).toBe(
      [
        '@emi (Emi Tanaka)',
        '1 post · 0 followers · 0 following',
        '',
        'posts by @emi',
        '',
        '@emi (Emi Tanaka) · 5m · id2',
        '  日本語のテキストを折り返すテスト、全角',
        '  文字は二つのセルを使います。絵文字👩‍💻も',
        '  二つ。',
        '',
        // Long commands wrap with shell line continuations, so the lines still paste as one command.
        'next: curl -H \\',
        '  "Authorization: Bearer $T" \\',
        "  'http://localhost/@emi?width=40&limi'\\",
        "'t=1&cursor=WyJwIiwyXQ'",
        '',
      ].join('\n').replace('1 post', '2 posts'),
    );
    for (const line of r.text.split('\n')) expect(stringWidth(line)).toBeLessThanOrEqual(40);
  });

  it('keeps every line within 80 columns by default, with long names shortened', async () => {
    const app = makeTestApp();
    const u = await signUp(app, { displayName: 'Ｗｉｄｅ Ｎａｍｅ '.repeat(3).trim() });
    await post(app, u, `${'long-unbroken-url-like-token/'.repeat(5)} and 漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字`);
    for (const path of ['/', `/@${u.handle}`, '/search?q=long']) {
      const r = await curl(app, path, u);
      for (const line of r.text.split('\n')) expect(stringWidth(line), `${path}: ${line}`).toBeLessThanOrEqual(80);
    }
  });

  it('lists colleagues by name in the directory, filtered and paged, and points browser-only pages at /help', async () => {
    const app = makeTestApp();
    const u = await signUp(app, { handle: 'zed', displayName: 'Zed Zimmer' });
    await signUp(app, { handle: 'amy', displayName: 'Amy Adams' });
    await signUp(app, { handle: 'ann', displayName: 'Ann Archer' });
    const all = await curl(app, '/directory?limit=2', u);
    expect(all.status).toBe(200);
    expect(all.text.indexOf('@amy')).toBeLessThan(all.text.indexOf('@ann'));
    expect(all.text).not.toContain('@zed');
    expect(all.text).toMatch(/next: curl .*\/directory\?limit=2&cursor=/s);
    const filtered = await curl(app, '/directory?q=an', u);
    expect(filtered.text).toContain('@ann');
    expect(filtered.text).not.toContain('@amy');
    const settings = await curl(app, '/settings', u);
    expect(settings.headers.get('content-type')).toContain('text/plain');
    expect(settings.text).toContain('/help');
  });

  it('fits help, guidelines, the token notice and pointers to the width, with commands that still paste whole', async () => {
    const app = makeTestApp();
    const host = 'http://bluetwit.internal.example.com';
    const within = (text: string, width: number, label: string) => {
      for (const line of text.split('\n')) expect(stringWidth(line), `${label}: ${line}`).toBeLessThanOrEqual(width);
    };
    // The shell drops a backslash-newline: between words (then the indent is a space), or inside a word, where a
    // quoted word is closed before it and reopened after. Undone, the broken commands read as written.
    const unbroken = (text: string) => text.replace(/'\\\n'/g, '').replace(/ \\\n\s*/g, ' ').replace(/\\\n/g, '');
    const wide = (await call(app, `${host}/help?width=300`, { headers: CURL })).text;
    const commands = wide.split('\n').filter((l) => /^\s+(curl|export) /.test(l)).map((l) => l.trim());
    expect(commands.length).toBeGreaterThan(15);
    for (const width of [80, 40]) {
      const help = (await call(app, `${host}/help?width=${width}`, { headers: CURL })).text;
      within(help, width, `help ${width}`);
      // Every line of a wrapped comment is still a comment, so pasting a block runs only the commands.
      const comments = help.split('\n').filter((l, i, all) => /^ {2}\S/.test(l) && !/^ {2}(curl|export) /.test(l) && !/\\$/.test(all[i - 1]));
      expect(comments.length).toBeGreaterThan(4);
      for (const line of comments) expect(line).toMatch(/^ {2}# /);
      const joined = unbroken(help);
      for (const command of commands) expect(joined, command).toContain(command);
      within((await call(app, `${host}/guidelines?width=${width}`, { headers: CURL })).text, width, `guidelines ${width}`);
      within((await call(app, `${host}/settings?width=${width}`, { headers: CURL })).text, width, `settings ${width}`);
    }
    const handle = 'a_very_long_handle_of_30_chars';
    await signUp(app, { handle, password: 'terminal password' });
    const token = await call(app, `${host}/token`, { method: 'POST', headers: { ...CURL, authorization: `Basic ${Buffer.from(`${handle}:terminal password`).toString('base64')}` } });
    expect(token.status).toBe(201);
    within(token.text, 80, 'token');
    expect(token.text).toMatch(/^bt_\S+\n/);
    // An error stays one line whatever the host; with a host of usual length it fits 80 columns too.
    const anon = await call(app, 'http://bluetwit.corp.example/home', { headers: CURL });
    expect(anon.status).toBe(401);
    within(anon.text, 80, 'sign-in error');
    expect(anon.text).toMatch(/^error: [^\n]*\/token\n$/);
  });

  it('negotiates the guidelines like every public URL', async () => {
    const app = makeTestApp({ guidelines: 'Be kind.' });
    const as = async (accept: string, query = '') => {
      const r = await call(app, `/guidelines${query}`, { headers: { accept } });
      expect(r.headers.get('vary')).toContain('Accept');
      return r.headers.get('content-type')!.split(';')[0];
    };
    expect(await as('text/html;q=0, */*')).toBe('text/plain');
    expect(await as('text/plain, text/html;q=0.1')).toBe('text/plain');
    expect(await as('application/json;q=0.1, text/plain')).toBe('text/plain');
    expect(await as('application/json;q=0, */*')).toBe('text/plain');
    expect(await as('application/json', '?format=text')).toBe('text/plain');
    expect(await as('*/*', '?format=JSON')).toBe('application/json');
    expect(await as('text/html,application/xhtml+xml,*/*;q=0.8')).toBe('text/html');
  });

  it('fits notifications to the width, even with the longest handles', async () => {
    const app = makeTestApp();
    const me = await signUp(app, { handle: 'me_reader' });
    const long = await signUp(app, { handle: 'a_very_long_handle_of_30_chars' });
    await followUser(app, long, me);
    await post(app, long, 'hi @me_reader, a mention with enough words to need wrapping at forty columns');
    const r = await curl(app, '/notifications?width=40', me);
    expect(r.text).toContain('mentioned you');
    for (const line of r.text.split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(40);
  });

  it('adds colour only when asked', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    await post(app, u, 'colourful');
    expect((await curl(app, '/', u)).text).not.toContain('\u001b');
    expect((await curl(app, '/?color=1', u)).text).toContain('\u001b[');
  });
});

describe('terminal safety', () => {
  const evil = [
    'clear \u001b[2J\u001b[H screen',
    'clipboard \u001b]52;c;SGVsbG8=\u0007 write',
    'title \u001b]0;pwned\u0007 set',
    'c1 \u009b31m csi',
    'over\rwrite',
    'rtl \u202e gnp.exe',
    'isolate \u2066 hidden \u2069',
  ];

  it('refuses control characters at write time where the contract says so', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    for (const text of evil.slice(0, 5)) {
      expect((await call(app, '/api/posts', { body: { text }, headers: u.auth })).status, JSON.stringify(text)).toBe(400);
    }
  });

  it('never lets stored control sequences reach the terminal, in any text view', async () => {
    const app = makeTestApp();
    const [reader, author] = [await signUp(app), await signUp(app, { handle: 'mallory' })];
    await followUser(app, reader, author);
    const db = app.deps.db.$client;
    // As if the database were written by something that skipped validation.
    db.prepare('UPDATE accounts SET display_name = ?, bio = ?, title = ? WHERE handle = ?').run('Mal\u001b[31mlory\u202e', 'bio \u001b]52;c;eA==\u0007 \r overwrite', 'T\u009bitle', 'mallory');
    const p = await post(app, author, 'placeholder #evil @' + reader.handle);
    for (const text of evil) {
      db.prepare("INSERT INTO posts (id, author_id, text, created_at, tags, reply_to) SELECT ?, id, ?, 0, '[\"evil\"]', ? FROM accounts WHERE handle = 'mallory'").run(`x${text.length}${Math.random().toString(36).slice(2, 6)}`, text, p.id);
      db.prepare("INSERT INTO post_tags (tag, post_seq) VALUES ('evil', last_insert_rowid())").run();
    }
    db.prepare('UPDATE posts SET text = ? WHERE id = ?').run(`evil ${evil.join(' ')} @${reader.handle}`, p.id);
    const paths = ['/', '/home', '/@mallory', `/@mallory/${p.id}`, '/tag/evil', '/search?q=evil', '/search?q=clear', '/notifications', '/@mallory/twtxt.txt'];
    for (const path of paths) {
      for (const q of ['', path.includes('?') ? '&color=1' : '?color=1']) {
        const r = await curl(app, path + q, reader);
        expect(r.status, path).toBe(200);
        // Our own SGR colours and the twtxt format's one TAB per line are the only controls we emit.
        const withoutOurColours = r.text.replace(/\u001b\[[0-9;]*m/g, '').replace(/^(\S+Z)\t/gm, '$1 ');
        expect(withoutOurColours.match(UNSAFE)?.[0], `${path}${q}: ${JSON.stringify(r.text)}`).toBeUndefined();
      }
    }
  });
  it('prints a new post\'s URL inert, whatever handle is stored', async () => {
    const app = makeTestApp();
    const u = await signUp(app, { handle: 'oscar' });
    app.deps.db.$client.prepare('UPDATE accounts SET handle = ? WHERE handle = ?').run('os\u001b]0;pwned\u0007car', 'oscar');
    const r = await call(app, '/post', { body: 'hello', headers: { ...CURL, ...u.auth, 'content-type': 'application/x-www-form-urlencoded' } });
    expect(r.status).toBe(201);
    expect(r.text.match(UNSAFE)?.[0], JSON.stringify(r.text)).toBeUndefined();
    expect(r.text).toContain('/@os%1B%5D0%3Bpwned%07car/');
    expect(r.headers.get('location')).toContain('/@os%1B%5D0%3Bpwned%07car/');
  });

  it('validates query parameters with the API\'s own schemas: the same 400, as one line', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    for (const path of ['/public?limit=0', '/home?limit=abc', '/public?bots=maybe', `/directory?q=${'x'.repeat(101)}`, `/search?q=${'y'.repeat(501)}`, '/search?q=a&order=sideways']) {
      const terminal = await curl(app, path, u);
      expect(terminal.status, path).toBe(400);
      // The message and its details, or the details alone where both would not fit 80 columns.
      expect(terminal.text, path).toMatch(/^error: (The request has invalid fields\. \()?[a-z]+: [^\n]+\n$/);
      expect(stringWidth(terminal.text.trimEnd()), path).toBeLessThanOrEqual(80);
      const api = path.replace(/^\/(public|home)/, '/api/timelines/$1').replace(/^\/directory/, '/api/accounts').replace(/^\/search/, '/api/search');
      expect((await call(app, api, { headers: u.auth })).status, api).toBe(400);
    }
  });

  it('echoes a directory query back inert, on one line within the width', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    const q = encodeURIComponent('\u001b[2J\u001b]0;pwn\u0007\u202e');
    for (const path of [`/directory?q=${q}`, `/directory?department=${encodeURIComponent('\u001b[31mred\r')}`, `/directory?q=${'x'.repeat(100)}`]) {
      const r = await curl(app, path, u);
      expect(r.status, path).toBe(200);
      expect(r.text.match(UNSAFE)?.[0], `${path}: ${JSON.stringify(r.text)}`).toBeUndefined();
      for (const line of r.text.split('\n')) expect(stringWidth(line), line).toBeLessThanOrEqual(80);
    }
  });
});

describe('conditional GET', () => {
  it('answers If-None-Match with 304 until the timeline changes', async () => {
    const app = makeTestApp();
    const u = await signUp(app);
    await post(app, u, 'first');
    for (const path of ['/home', '/api/timelines/home', `/@${u.handle}`, `/api/accounts/${u.handle}`]) {
      const first = await curl(app, path, u);
      const tag = first.headers.get('etag');
      expect(tag, path).toBeTruthy();
      const again = await curl(app, path, u, { 'if-none-match': tag! });
      expect(again.status, path).toBe(304);
    }
    const before = (await curl(app, '/home', u)).headers.get('etag')!;
    await post(app, u, 'second');
    expect((await curl(app, '/home', u, { 'if-none-match': before })).status).toBe(200);
  });
});

describe('twtxt', () => {
  it('serves an account as a twtxt feed: timestamp, TAB, text, oldest first', async () => {
    const app = makeTestApp();
    const u = await signUp(app, { handle: 'twtxter' });
    await post(app, u, 'one');
    await post(app, u, 'two\nlines');
    const r = await curl(app, '/@twtxter/twtxt.txt', u);
    const lines = r.text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tone$/);
    expect(lines[1]).toMatch(/\ttwo\u2028lines$/);
  });
});

describe('live tail', () => {
  it('refuses a timeline it does not have with one plain line, rather than following another', async () => {
    const app = makeTestApp();
    const me = await signUp(app);
    const r = await curl(app, '/live?timeline=tag', me);
    expect(r.status).toBe(400);
    expect(r.text).toBe('error: There is a home and a public timeline to follow live.\n');
    const wide = await curl(app, '/live?timeline=tag&width=100', me);
    expect(wide.text).toBe('error: There is a home and a public timeline to follow live. (timeline: home or public)\n');
    expect(app.deps.events.listenerCount).toBe(0);
  });

  it('delivers a post written by another client within a second, and frees the listener on disconnect', async () => {
    const app = makeTestApp();
    const [me, friend] = [await signUp(app), await signUp(app)];
    await followUser(app, me, friend);
    const ctrl = new AbortController();
    const res = await app.request('/live?timeline=home', { headers: { ...CURL, ...me.auth }, signal: ctrl.signal });
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const started = Date.now();
    setTimeout(() => void post(app, friend, 'live from another client'), 20);
    let out = '';
    // Pushed as it happens: well under the 15 s heartbeat, with room for a busy CI machine.
    while (!out.includes('live from another client') && Date.now() - started < 3000) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
      if (!chunk || chunk.done) break;
      out += decoder.decode(chunk.value);
    }
    expect(out).toContain('live from another client');
    expect(Date.now() - started).toBeLessThan(3000);
    expect(app.deps.events.listenerCount).toBe(1);
    ctrl.abort();
    await reader.cancel().catch(() => {});
    for (let i = 0; i < 50 && app.deps.events.listenerCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(app.deps.events.listenerCount).toBe(0);
  });

  it('streams JSON lines with ?format=json: posts and deletes, ready for jq', async () => {
    const app = makeTestApp();
    const [me, friend] = [await signUp(app), await signUp(app)];
    const ctrl = new AbortController();
    const res = await app.request('/live?format=json', { headers: { ...CURL, ...me.auth }, signal: ctrl.signal });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const p = await post(app, friend, 'as json');
    await call(app, `/api/posts/${p.id}`, { method: 'DELETE', headers: friend.auth });
    let out = '';
    for (const started = Date.now(); out.split('\n').filter(Boolean).length < 2 && Date.now() - started < 3000; ) {
      const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 3000))]);
      if (!chunk || chunk.done) break;
      out += decoder.decode(chunk.value);
    }
    const events = out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(events).toEqual([{ type: 'post', post: expect.objectContaining({ id: p.id, text: 'as json' }) }, { type: 'delete', id: p.id }]);
    ctrl.abort();
    await reader.cancel().catch(() => {});
  });
});
