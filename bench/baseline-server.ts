// The HTTP baseline: a minimal Hono server answering each reader with the page the real server sent them, recorded,
// so the bench can report the real server's throughput as a fraction of what this stack can do at all.
import { readFileSync } from 'node:fs';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

type Recorded = { token: string; body: string };
const utf8 = new TextEncoder();
// The pages as bytes, as the real server keeps its cached pages: no per-request encoding on either side.
const recorded = JSON.parse(readFileSync(process.env.BENCH_PAGES!, 'utf8')).pages as Recorded[];
const pages = new Map(recorded.map((p) => [`Bearer ${p.token}`, utf8.encode(p.body)]));
const anyPage = pages.values().next().value!;
const app = new Hono();
app.get('*', (c) => c.body(pages.get(c.req.header('authorization') ?? '') ?? anyPage, 200, { 'Content-Type': 'application/json' }));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
