// The HTTP baseline: a minimal Hono server answering each reader with the page the real server sent them, recorded,
// so the bench can report the real server's throughput as a fraction of what this stack can do at all.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { recordedPages } from './pages';

const pages = new Map(recordedPages().map((p) => [`Bearer ${p.token}`, p.bytes]));
const app = new Hono();
app.get('/', (c) => c.text('ok'));
// A reader the bench did not record gets a 401, which the bench counts as a failure, rather than someone else's page.
app.get('*', (c) => {
  const page = pages.get(c.req.header('authorization') ?? '');
  return page ? c.body(page, 200, { 'Content-Type': 'application/json' }) : c.body(null, 401);
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
