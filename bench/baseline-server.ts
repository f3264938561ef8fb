// The HTTP baseline: a minimal Hono server on @hono/node-server answering every request with one recorded
// timeline page, so the bench can report the real server's throughput as a fraction of what this stack can do at all.
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

// The page as bytes, as the real server keeps its cached pages: no per-request encoding on either side.
const body = new Uint8Array(readFileSync(process.env.BASELINE_BODY!));
const app = new Hono();
app.get('*', (c) => c.body(body, 200, { 'Content-Type': 'application/json' }));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
