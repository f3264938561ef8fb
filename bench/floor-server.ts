// The contract's floor: what any server on this stack must do to answer a cached home page as the contract asks,
// and nothing else. Hono's request id and the API's security headers (the service's own settings), a bearer token
// looked up in memory, the page's ETag and Link, and the recorded bytes. No database, cache checks, metrics,
// logging or validation. The bench reports it beside the static baseline, so the share of the gap that the
// contract itself costs on this stack and machine is measured, not argued.
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { API_SECURITY_HEADERS } from '../src/http/security';

const body = new Uint8Array(readFileSync(process.env.BASELINE_BODY!));
const etag = process.env.BASELINE_ETAG!;
const link = process.env.BASELINE_LINK ?? '';
const tokens = JSON.parse(readFileSync(process.env.FLOOR_TOKENS!, 'utf8')).tokens as { token: string; handle: string }[];
const actors = new Map(tokens.map((t) => [t.token, { handle: t.handle }]));
const app = new Hono();
app.use(requestId());
app.use(secureHeaders(API_SECURITY_HEADERS));
app.get('/api/timelines/home', (c) => {
  const authz = c.req.header('authorization');
  const actor = authz && /^bearer\s/i.test(authz) ? actors.get(authz.slice(7).trim()) : undefined;
  if (!actor) return c.json({ error: { code: 'unauthorized', message: 'Sign in or send a bearer token.' } }, 401);
  if (link) c.header('Link', link);
  c.header('ETag', etag);
  return c.body(body, 200, { 'Content-Type': 'application/json' });
});
app.get('/', (c) => c.text('ok'));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
