// The contract's floor: what any server on this stack must do to answer a cached home page as the contract asks,
// and nothing else. A request id and the API's security headers (the service's own settings), a bearer token
// looked up in memory, the reader's recorded page with its ETag and Link. No database, cache checks, metrics,
// logging or validation. The bench reports it beside the static baseline, so the share of the gap that the
// contract itself costs on this stack and machine is measured, not argued. Its headers are written as the real
// server writes a cached page's, in one object (src/http/frame.ts), node-server's cheapest way.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import { API_SECURITY_HEADERS } from '../src/http/security';
import { Frame, requestIdFor } from '../src/http/frame';
import type { Ctx } from '../src/http/env';
import { recordedPages } from './pages';

const pages = new Map(recordedPages().map((p) => [p.token, p]));
const frame = new Frame(secureHeaders(API_SECURITY_HEADERS));
await frame.ready();
const app = new Hono();
app.get('/api/timelines/home', (c) => {
  c.set('requestId' as never, requestIdFor(c.req.header('x-request-id')) as never);
  const authz = c.req.header('authorization');
  const page = authz && /^bearer\s/i.test(authz) ? pages.get(authz.slice(7).trim()) : undefined;
  if (!page) return c.json({ error: { code: 'unauthorized', message: 'Sign in or send a bearer token.' } }, 401);
  const headers: Record<string, string> = { 'content-type': 'application/json', etag: page.etag };
  if (page.link) headers.link = page.link;
  return frame.reply(c as unknown as Ctx, page.bytes, 200, headers);
});
app.get('/', (c) => c.text('ok'));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
