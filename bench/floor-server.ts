// The contract's floor: what any server on this stack must do to answer a cached home page as the contract asks,
// and nothing else. Hono's request id and the API's security headers (the service's own settings), a bearer token
// looked up in memory, the reader's recorded page with its ETag and Link. No database, cache checks, metrics,
// logging or validation. The bench reports it beside the static baseline, so the share of the gap that the
// contract itself costs on this stack and machine is measured, not argued.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { API_SECURITY_HEADERS } from '../src/http/security';
import { recordedPages } from './pages';

const pages = new Map(recordedPages().map((p) => [p.token, p]));
const app = new Hono();
app.use(requestId());
app.use(secureHeaders(API_SECURITY_HEADERS));
app.get('/api/timelines/home', (c) => {
  const authz = c.req.header('authorization');
  const page = authz && /^bearer\s/i.test(authz) ? pages.get(authz.slice(7).trim()) : undefined;
  if (!page) return c.json({ error: { code: 'unauthorized', message: 'Sign in or send a bearer token.' } }, 401);
  if (page.link) c.header('Link', page.link);
  c.header('ETag', page.etag);
  return c.body(page.bytes, 200, { 'Content-Type': 'application/json' });
});
app.get('/', (c) => c.text('ok'));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
