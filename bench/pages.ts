// The readers' pages the bench recorded from the real server (the file named by BENCH_PAGES), as the baseline and
// floor servers load them at startup: each body as bytes, as the real server keeps its cached pages, so neither side
// encodes per request.
import { readFileSync } from 'node:fs';

export type Recorded = { token: string; body: string; etag: string; link: string };

export function recordedPages(): (Recorded & { bytes: Uint8Array<ArrayBuffer> })[] {
  const file = process.env.BENCH_PAGES;
  if (!file) throw new Error('BENCH_PAGES names no file of recorded pages');
  const utf8 = new TextEncoder();
  const pages = (JSON.parse(readFileSync(file, 'utf8')) as { pages: Recorded[] }).pages;
  return pages.map((p) => ({ ...p, bytes: utf8.encode(p.body) }));
}
