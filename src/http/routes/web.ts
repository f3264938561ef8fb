import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import { stream } from 'hono/streaming';
import { AppError, badRequest, unauthorized } from '../../errors';
import { utf8Body } from '../body';
import type { LiveItem } from '../../live/subscription';
import { accountJson, inertJson, notificationJson, postJson, type PostJson } from '../../render/json';
import { layoutText, renderAccount, renderAccountList, renderPageFooter, renderPost, renderTimeline, sanitizeLine, sanitizeTerminal, truncate } from '../../render/text';
import { getAccount, listDirectory, markFollowed } from '../../services/accounts';
import { listFollows } from '../../services/follows';
import { authenticate, createToken } from '../../services/auth';
import type { Page } from '../../services/cursor';
import type { Actor, Scope } from '../../services/deps';
import { listNotifications } from '../../services/notifications';
import { submitPost } from '../../services/post-batch';
import { getPost, listReplies } from '../../services/posts';
import { search } from '../../services/search';
import { accountTimeline, homeTimeline, publicTimeline, tagTimeline } from '../../services/timelines';
import type { PostRow } from '../../services/types';
import { readerOf, requireScope, stillSignedIn } from '../auth';
import { renderReplies } from '../replies';
import { openLive } from '../rate-limit';
import { baseUrl, formatOf, urlWithCursor, type AppEnv, type Ctx } from '../env';
import { parseWidth } from '../negotiate';
import { DirectoryQuery, SearchQuery, TimelineQuery } from '../schemas';

/** The project's root: the nearest folder above this module with the package.json (the bundle lives in dist/). */
function projectRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) || dir === dirname(dir)) return dir;
  }
}

// Found from the code, not the working directory, so the server serves its client wherever it is started from.
const CLIENT_DIST = join(projectRoot(), 'client', 'dist');
const LIVE_HEARTBEAT_MS = 30_000;


function textOpts(c: Ctx) {
  return { width: parseWidth(c.req.query('width')), color: c.req.query('color') === '1', now: new Date(c.get('deps').clock()) };
}

/** The exact curl command that fetches the next page, keeping the reader's query parameters. */
function nextCommand(c: Ctx, next: string | null): string | null {
  if (!next) return null;
  const auth = c.get('actor')?.via === 'token' ? '-H "Authorization: Bearer $T" ' : '';
  return `curl ${auth}'${urlWithCursor(c, next)}'`;
}

/** What a page shows depends on who asks and how: a browser may keep it but must revalidate, shared caches never. */
function readerDependent(c: Ctx): void {
  c.header('Vary', 'Accept, Authorization, Cookie, Accept-Encoding');
  c.header('Cache-Control', 'private, no-cache');
}

function text(c: Ctx, body: string, status: 200 | 201 = 200) {
  readerDependent(c);
  return c.text(body, status, { 'Content-Type': 'text/plain; charset=utf-8' });
}

function json(c: Ctx, body: unknown) {
  readerDependent(c);
  // Inert, and with an ETag and 304s like the text pages (renderReplies).
  return c.json(body);
}

/** Reads need a reader: token, session, or open reading; a terminal is told how to get a token. */
function terminalReader(c: Ctx): Actor | null {
  return withSignInHint(c, () => readerOf(c));
}

/** The actor with `scope`; a terminal signed out (open reading or not) is told how to get a token. */
function terminalActor(c: Ctx, scope: Scope): Actor {
  return withSignInHint(c, () => requireScope(c, scope));
}

function withSignInHint<T>(c: Ctx, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof AppError && err.status === 401) {
      // One line (so `curl -f` scripts read the reason); within the width, or else the command alone, whole.
      throw AppError.withCommand(401, 'unauthorized', 'Sign in: ', `curl -u <handle> -X POST ${baseUrl(c)}/token`);
    }
    throw err;
  }
}

function renderPage(c: Ctx, title: string, page: Page<PostRow>, extra: Record<string, unknown> = {}) {
  const base = baseUrl(c);
  const items = page.items.map((p) => postJson(p, base));
  if (formatOf(c) === 'json') return json(c, { ...extra, items, next: page.next });
  return text(c, renderTimeline(title, items, { ...textOpts(c), nextCommand: nextCommand(c, page.next) }));
}

/** The page a terminal asks for, validated by the API's own query schema (a bad value is the same 400). */
function pageOpts(c: Ctx) {
  const q = TimelineQuery.parse(c.req.query());
  return { limit: q.limit, cursor: q.cursor || undefined, bots: q.bots !== 'false' };
}

/** The help page: every terminal command with a real example for this host, laid out for 80 columns. */
export function helpText(host: string): string {
  return `bluetwit — the company microblog, from your terminal

Get a token (curl asks for your password) and keep it in your shell:
  curl -u alice -X POST ${host}/token
  export T=bt_...
  export H="Authorization: Bearer $T"

Read
  # the public timeline, then your home timeline
  curl ${host}/
  curl -H "$H" ${host}/home
  # a profile with its posts, one post with its replies, who follows alice and whom she follows
  curl -H "$H" ${host}/@alice
  curl -H "$H" ${host}/@alice/<id>
  curl -H "$H" ${host}/@alice/followers
  curl -H "$H" ${host}/@alice/following
  # a tag, a search, your notifications
  curl -H "$H" ${host}/tag/builds
  curl -H "$H" '${host}/search?q=kafka+lag'
  curl -H "$H" ${host}/notifications
  # colleagues by name (q= filters by name or handle, department= by team)
  curl -H "$H" '${host}/directory?q=ann'

Write
  curl -H "$H" -d 'hello from curl' ${host}/post
  curl -H "$H" -d 'agreed!' '${host}/post?reply=<id>'
  # several lines, from a file (or @- for stdin)
  curl -H "$H" -H 'Content-Type: text/plain' \\
    --data-binary @notes.txt ${host}/post

Follow along live (Ctrl-C to stop)
  curl -N -H "$H" ${host}/live
  curl -N -H "$H" '${host}/live?timeline=home'

Every read takes ?width=100 ?color=1 ?limit=50 ?format=json;
timelines, profiles and search also take ?bots=false.
Add -f to make curl fail on errors.

A colleague's twtxt feed, the JSON API's description, the community guidelines
  curl ${host}/@alice/twtxt.txt
  curl ${host}/api/openapi.json
  curl ${host}/guidelines
`;
}

/** The built client's index.html, read once; null when the client is not built. */
function loadIndexHtml(): string | null {
  const file = join(CLIENT_DIST, 'index.html');
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

const FORM_FIELDS = new Set(['text', 'reply']);

/**
 * The text of a terminal post and the post it replies to. A form (`-d text=...`, `--data-urlencode`, `-F text=...`)
 * when the body has a `text=` field, as the contract says; one that only has it after other fields we do not know
 * (`read this: https://…?u=1&text=…`, a pasted link) is posted verbatim. Also JSON (`{"text", "replyTo"}`, as HTTPie
 * sends) and text/plain (`--data-binary @-`). `?reply=` works with all of them.
 */
async function postedText(c: Ctx): Promise<{ text: string; reply: string | undefined }> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const reply = c.req.query('reply');
  if (type.startsWith('multipart/form-data')) {
    const form = await c.req.parseBody().catch(() => {
      throw badRequest('The multipart body could not be read (a boundary missing or wrong?).');
    });
    // -F text=@notes.txt sends the file's contents as the field.
    const field = async (name: string) => {
      const v = form[name];
      return typeof v === 'string' ? v : v instanceof File ? await v.text() : undefined;
    };
    const text = await field('text');
    if (text === undefined) throw badRequest('The form needs a text field: -F text=...', [{ field: 'text', message: 'Required.' }]);
    return { text, reply: (await field('reply')) ?? reply };
  }
  if (/^application\/(?:[\w.+-]+\+)?json\b/.test(type)) {
    const body = await utf8Body(c, 'body');
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      throw badRequest('The request body is not valid JSON.', undefined, 'malformed_json');
    }
    const { text, replyTo } = (input ?? {}) as { text?: unknown; replyTo?: unknown };
    if (typeof text !== 'string') throw badRequest('Send {"text": "..."}.', [{ field: 'text', message: 'Required, a string.' }]);
    if (replyTo !== undefined && replyTo !== null && typeof replyTo !== 'string') {
      throw badRequest('replyTo must be a post id.', [{ field: 'replyTo', message: 'A string.' }]);
    }
    return { text, reply: (replyTo as string | null | undefined) ?? reply };
  }
  const raw = await utf8Body(c, 'text');
  if (type.startsWith('application/x-www-form-urlencoded') && /(?:^|&)text=/.test(raw)) {
    // A text= field makes it a form (curl -d text=… --data-urlencode text=…), whatever else comes along, when it
    // starts with one of our fields; a body that only has `&text=` further on (a pasted link) stays verbatim.
    const form = new URLSearchParams(raw);
    if (/^(?:text|reply)=/.test(raw) || [...form.keys()].every((k) => FORM_FIELDS.has(k))) {
      // URLSearchParams reads %-escapes that are not UTF-8 as U+FFFD: refused like raw bytes that are not UTF-8.
      try {
        // (decodeURIComponent throws on exactly those once a `%` that starts no escape, which forms keep, is escaped.)
        for (const field of raw.split('&')) decodeURIComponent(field.replace(/%(?![0-9A-Fa-f]{2})/g, '%25'));
      } catch {
        throw badRequest('The text is not valid UTF-8.', [{ field: 'text', message: 'Percent-encode UTF-8 bytes.' }], 'invalid_encoding');
      }
      return { text: form.get('text')!, reply: form.get('reply') ?? reply };
    }
  }
  if (type && !type.startsWith('text/plain') && !type.startsWith('application/x-www-form-urlencoded')) {
    throw new AppError(415, 'unsupported_media_type', 'Send the text with -d, --data-binary @-, -F text= or as JSON.');
  }
  return { text: raw, reply };
}

/** HTML, JSON and plain text on the same public URLs, plus /token, /post, /live and twtxt feeds. */
export function webRoutes() {
  const app = new Hono<AppEnv>();
  let indexHtml: string | null | undefined;
  const appShell = (c: Ctx, status: 200 | 404 = 200) => {
    c.header('Vary', 'Accept, Authorization, Cookie, Accept-Encoding');
    // The shell names this deploy's hashed assets: always revalidated, so a new deploy is picked up at once.
    c.header('Cache-Control', 'no-cache');
    if (indexHtml === undefined) {
      const max = c.get('deps').config.postMax;
      // The client counts against 280 unless told otherwise.
      indexHtml = loadIndexHtml()?.replace('</head>', max === 280 ? '</head>' : `<meta name="bluetwit-post-max" content="${max}"></head>`) ?? null;
    }
    if (indexHtml) return c.html(indexHtml, status);
    return c.text('The web client is not built yet: run `npm run build:client` (npm start does it for you).\n', 503);
  };

  app.use('/assets/*', serveStatic({ root: CLIENT_DIST, onFound: (_p, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable') }));

  app.use('*', renderReplies);

  app.get('/help', (c) => {
    if (formatOf(c) === 'html') return appShell(c);
    if (formatOf(c) === 'json') return json(c, { help: helpText(baseUrl(c)) });
    return text(c, layoutText(helpText(baseUrl(c)), textOpts(c).width));
  });

  app.get('/', (c) => {
    const format = formatOf(c);
    if (format === 'html') return appShell(c);
    if (!c.get('actor') && !c.get('deps').config.openRead) {
      if (format === 'json') throw unauthorized();
      return text(c, layoutText(helpText(baseUrl(c)), textOpts(c).width));
    }
    const viewer = terminalReader(c);
    const page = publicTimeline(c.get('deps'), viewer?.id ?? null, pageOpts(c));
    if (format === 'json') return renderPage(c, '', page);
    const hint = `(curl ${baseUrl(c)}/help for every command)`;
    const base = baseUrl(c);
    return text(c, renderTimeline('bluetwit · public timeline', page.items.map((p) => postJson(p, base)), { ...textOpts(c), nextCommand: nextCommand(c, page.next), hint }));
  });

  app.get('/public', (c) => {
    if (formatOf(c) === 'html') return appShell(c);
    const viewer = terminalReader(c);
    return renderPage(c, 'bluetwit · public timeline', publicTimeline(c.get('deps'), viewer?.id ?? null, pageOpts(c)));
  });

  app.get('/home', (c) => {
    if (formatOf(c) === 'html') return appShell(c);
    const actor = terminalActor(c, 'read');
    return renderPage(c, `home · @${actor.handle}`, homeTimeline(c.get('deps'), actor.id, pageOpts(c)));
  });

  app.get('/tag/:tag', (c) => {
    if (formatOf(c) === 'html') return appShell(c);
    const viewer = terminalReader(c);
    const tag = c.req.param('tag');
    return renderPage(c, `#${tag.toLowerCase()}`, tagTimeline(c.get('deps'), viewer?.id ?? null, tag, pageOpts(c)));
  });

  app.get('/search', async (c) => {
    if (formatOf(c) === 'html') return appShell(c);
    const viewer = terminalReader(c);
    const { q, order } = SearchQuery.parse(c.req.query());
    const result = await search(c.get('deps'), viewer?.id ?? null, q, { ...pageOpts(c), order });
    const accounts = markFollowed(c.get('deps'), viewer?.id, result.accounts).map(accountJson);
    if (formatOf(c) === 'json') return renderPage(c, '', result, { accounts });
    const o = textOpts(c);
    const people = accounts.length ? `${renderAccountList(accounts, o)}\n` : '';
    const base = baseUrl(c);
    return text(c, people + renderTimeline(`search: ${q}`, result.items.map((p) => postJson(p, base)), { ...o, nextCommand: nextCommand(c, result.next) }));
  });

  app.get('/notifications', (c) => {
    if (formatOf(c) === 'html') return appShell(c);
    const actor = terminalActor(c, 'read');
    const { limit, cursor } = pageOpts(c);
    const page = listNotifications(c.get('deps'), actor.id, limit, cursor);
    const base = baseUrl(c);
    if (formatOf(c) === 'json') {
      return json(c, { items: page.items.map((n) => notificationJson(n, base)), next: page.next, unreadCount: page.unreadCount });
    }
    const o = textOpts(c);
    const verbs = { mention: 'mentioned you', reply: 'replied to you', like: 'liked your post', follow: 'followed you' };
    const lines = page.items.map((n) => {
      // What happened first, then who: a long handle is shortened before the news is.
      const head = truncate(sanitizeLine(`${n.read ? ' ' : '•'} ${verbs[n.type]} · @${n.account.handle}`), o.width);
      return n.post ? `${head}\n${renderPost(postJson(n.post, base), { ...o, indent: 2 })}` : `${head}\n`;
    });
    const footer = renderPageFooter({ ...o, nextCommand: nextCommand(c, page.next) });
    return text(c, `notifications · ${page.unreadCount} unread\n\n${lines.join('\n') || '(none)\n'}${footer ? `\n${footer}` : ''}`);
  });

  app.get('/directory', (c) => {
    if (formatOf(c) === 'html') return appShell(c);
    const viewer = terminalReader(c);
    const { limit, cursor, q, department } = DirectoryQuery.parse(c.req.query());
    const page = listDirectory(c.get('deps'), { q, department, limit, cursor });
    const items = markFollowed(c.get('deps'), viewer?.id, page.items).map(accountJson);
    if (formatOf(c) === 'json') return json(c, { items, next: page.next });
    const o = textOpts(c);
    // The query is echoed back: inert and on one line, like everything else a user typed.
    const title = truncate(sanitizeLine(`colleagues${q ? ` matching "${q}"` : ''}${department ? ` in ${department}` : ''}`), o.width);
    return text(c, `${title}\n\n${renderAccountList(items, { ...o, nextCommand: nextCommand(c, page.next) })}`);
  });
  // Pages only a browser can use; a terminal is pointed at its own commands.
  for (const path of ['/login', '/signup', '/settings', '/reports']) {
    app.get(path, (c) =>
      formatOf(c) === 'html'
        ? appShell(c)
        : text(c, layoutText(`${c.req.path.slice(1)} is a page for the web client; curl ${baseUrl(c)}/help lists the terminal commands.\n`, textOpts(c).width)),
    );
  }

  app.get('/:at{@[A-Za-z0-9_]+}/twtxt.txt', (c) => {
    const viewer = terminalReader(c);
    const handle = c.req.param('at').slice(1);
    const account = getAccount(c.get('deps'), handle);
    const page = accountTimeline(c.get('deps'), viewer?.id ?? null, handle, { limit: 100 });
    // twtxt: oldest first, one post per line; line breaks inside a post become U+2028 as the format suggests.
    const lines = page.items
      .reverse()
      .map((p) => `${new Date(p.createdAt).toISOString()}\t${sanitizeTerminal(p.text).replace(/\n/g, '\u2028')}`);
    const head = `# nick = ${account.handle}\n# url = ${baseUrl(c)}/@${account.handle}/twtxt.txt\n`;
    return text(c, `${head}${lines.join('\n')}${lines.length ? '\n' : ''}`);
  });

  app.get('/:at{@[A-Za-z0-9_]+}', (c) => {
    if (formatOf(c) === 'html') return appShell(c);
    const viewer = terminalReader(c);
    const handle = c.req.param('at').slice(1);
    const account = accountJson(getAccount(c.get('deps'), handle, viewer?.id));
    const page = accountTimeline(c.get('deps'), viewer?.id ?? null, handle, pageOpts(c));
    const base = baseUrl(c);
    const items = page.items.map((p) => postJson(p, base));
    if (formatOf(c) === 'json') return json(c, { account, items, next: page.next });
    const o = textOpts(c);
    return text(c, `${renderAccount(account, o)}\n${renderTimeline(`posts by @${account.handle}`, items, { ...o, nextCommand: nextCommand(c, page.next) })}`);
  });

  // Who follows them, and whom they follow: before /@handle/:id, which takes any word for a post id.
  app.get('/:at{@[A-Za-z0-9_]+}/:direction{followers|following}', (c) => {
    if (formatOf(c) === 'html') return appShell(c);
    const viewer = terminalReader(c);
    const handle = c.req.param('at').slice(1);
    const direction = c.req.param('direction') as 'followers' | 'following';
    const { limit, cursor } = pageOpts(c);
    const page = listFollows(c.get('deps'), handle, direction, limit, cursor);
    const items = markFollowed(c.get('deps'), viewer?.id, page.items).map(accountJson);
    if (formatOf(c) === 'json') return json(c, { items, next: page.next });
    const o = textOpts(c);
    const title = truncate(sanitizeLine(direction === 'followers' ? `following @${handle.toLowerCase()}` : `@${handle.toLowerCase()} follows`), o.width);
    return text(c, `${title}\n\n${renderAccountList(items, { ...o, nextCommand: nextCommand(c, page.next) })}`);
  });

  app.get('/:at{@[A-Za-z0-9_]+}/:id', (c) => {
    if (formatOf(c) === 'html') return appShell(c);
    const viewer = terminalReader(c);
    const post = getPost(c.get('deps'), viewer?.id ?? null, c.req.param('id'));
    // The URL names the author: another's post under it would put words in their mouth.
    if (post.authorHandle !== c.req.param('at').slice(1).toLowerCase()) throw new AppError(404, 'not_found', `@${post.authorHandle} wrote that post, not ${c.req.param('at')}.`);
    const { limit, cursor } = pageOpts(c);
    const replies = listReplies(c.get('deps'), viewer?.id ?? null, post.id, limit, cursor);
    const base = baseUrl(c);
    const items = replies.items.map((p) => postJson(p, base));
    if (formatOf(c) === 'json') return json(c, { post: postJson(post, base), replies: { items, next: replies.next } });
    const o = textOpts(c);
    const thread = items.map((p) => renderPost(p, { ...o, indent: 4 })).join('\n');
    const footer = renderPageFooter({ ...o, nextCommand: nextCommand(c, replies.next) });
    return text(c, `${renderPost(postJson(post, base), o)}${thread ? `\n${thread}` : ''}${footer ? `\n${footer}` : ''}`);
  });

  app.post('/token', async (c) => {
    const header = c.req.header('authorization') ?? '';
    const m = /^basic\s+([A-Za-z0-9+/=]+)$/i.exec(header.trim());
    if (!m) {
      throw AppError.withCommand(401, 'unauthorized', 'Use: ', `curl -u <handle> -X POST ${baseUrl(c)}/token`);
    }
    const decoded = Buffer.from(m[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const account = await authenticate(c.get('deps'), decoded.slice(0, colon), decoded.slice(colon + 1));
    const token = createToken(c.get('deps'), account.id, `terminal ${new Date(c.get('deps').clock()).toISOString().slice(0, 10)}`, ['read', 'write']);
    if (formatOf(c) === 'json') return c.json(token, 201);
    const host = baseUrl(c);
    const notice = `A read+write token for @${account.handle}, shown only now. Keep it in your shell:\n  export T=${token.token}\n  curl -H "Authorization: Bearer $T" ${host}/home\nRevoke it in the web client, under Settings → API tokens.\n`;
    // The token alone on the first line, so `| head -1` captures it.
    return text(c, `${token.token}\n\n${layoutText(notice, textOpts(c).width)}`, 201);
  });

  app.post('/post', async (c) => {
    const actor = terminalActor(c, 'write');
    const { text: body, reply } = await postedText(c);
    // An empty one is a mistake (an unset $ID), not a wish for a new post: that is no reply at all.
    if (reply === '') throw badRequest('The reply is empty: give the id of the post you answer, or leave it out.', [{ field: 'reply', message: 'A post id.' }]);
    const post = postJson(await submitPost(c.get('deps'), actor, { text: body, replyTo: reply ?? undefined }), baseUrl(c));
    c.header('Location', post.url);
    if (formatOf(c) === 'json') return c.json({ post }, 201);
    // The URL stays on one line so it can be copied; it is ours, not user content.
    return text(c, `${renderPost(post, textOpts(c))}${post.url}\n`, 201);
  });

  // The two commands that only take POST: any other method (curl without -X POST or -d, say) is told how to call them.
  const postOnly = (usage: (host: string) => string) => (c: Ctx) => {
    c.header('Allow', 'POST');
    throw new AppError(405, 'method_not_allowed', `Use POST: ${usage(baseUrl(c))}`);
  };
  const NOT_POST = ['GET', 'PUT', 'PATCH', 'DELETE'];
  app.on(NOT_POST, '/token', postOnly((host) => `curl -u <handle> -X POST ${host}/token`));
  app.on(NOT_POST, '/post', postOnly((host) => `curl -H "$H" -d 'hello' ${host}/post`));

  app.get('/live', (c) => {
    const format = formatOf(c);
    if (format === 'html') return appShell(c);
    const asked = c.req.query('timeline') ?? 'public';
    if (asked !== 'home' && asked !== 'public') throw badRequest('There is a home and a public timeline to follow live.', [{ field: 'timeline', message: 'home or public' }]);
    const timeline: 'home' | 'public' = asked;
    const viewer = timeline === 'home' ? terminalActor(c, 'read') : terminalReader(c);
    const deps = c.get('deps');
    const base = baseUrl(c);
    const opts = textOpts(c);
    // ?format=json streams JSON lines (`curl -N ... | jq`): {"type":"post","post":{...}} and {"type":"delete","id":...}.
    c.header('Content-Type', format === 'json' ? 'application/x-ndjson' : 'text/plain; charset=utf-8');
    // no-transform: neither our compression nor a proxy's may hold lines back.
    c.header('Cache-Control', 'no-cache, no-transform');
    c.header('X-Accel-Buffering', 'no');
    c.header('Vary', 'Accept, Authorization, Cookie, Accept-Encoding');
    // HEAD (`curl -I`) runs this handler too, and nobody reads or cancels the stream it returns: answer it without one.
    if (c.req.method === 'HEAD') return c.body(null, 200);
    const live = openLive(c, viewer, timeline, c.req.query('bots') !== 'false');
    const line = (item: LiveItem): string | null => {
      if (format === 'json') return `${inertJson(item.type === 'post' ? { type: 'post', post: postJson(item.post, base) } : item)}\n`;
      return item.type === 'post' ? `${renderPost(postJson(item.post, base) as PostJson, { ...opts, now: new Date(deps.clock()) })}\n` : null;
    };
    return stream(c, async (s) => {
      s.onAbort(() => live.close());
      try {
        if (format === 'text') await s.write(`live · ${timeline} timeline · Ctrl-C to stop\n\n`);
        for (let items = await live.next(LIVE_HEARTBEAT_MS); items && !s.aborted; items = await live.next(LIVE_HEARTBEAT_MS)) {
          // A revoked token or ended session ends the tail before anything more is printed.
          if (!stillSignedIn(c)) {
            if (format === 'text') await s.write('(signed out: the token was revoked or the session ended)\n');
            break;
          }
          // A bare newline keeps proxies from timing out an idle stream (JSON-lines readers skip it too).
          if (items.length === 0) await s.write('\n');
          for (const item of items) {
            const out = line(item);
            if (out) await s.write(out);
          }
        }
      } finally {
        live.close();
      }
    });
  });

  // Client-side routes the server does not know by name still get the app; everything else is a 404.
  app.all('*', (c) => {
    if (formatOf(c) === 'html' && c.req.method === 'GET') return appShell(c, 404);
    throw AppError.withCommand(404, 'not_found', `No such page: ${c.req.path}. Try `, `curl ${baseUrl(c)}/help`);
  });

  return app;
}
