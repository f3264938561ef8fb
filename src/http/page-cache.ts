import { gzipSync } from 'node:zlib';
import type { Db } from '../db/client';
import { changes } from '../services/changes';
import type { HomePage } from '../services/timelines';

/** Rendered bytes kept across all cached pages. */
const BUDGET_BYTES = 16 * 1024 * 1024;

/** A rendered page and what it depends on. */
export type CachedPage = {
  key: string;
  body: Uint8Array<ArrayBuffer>;
  /** The body gzipped, made the first time a client asks for it. */
  gzip?: Uint8Array<ArrayBuffer>;
  etag: string;
  link: string | null;
  epoch: number;
  viewer: number;
  readerVersion: number;
  seqs: number[];
  versions: number[];
  /** For a first page: the newest post when it was built, and whose new posts would change it. */
  newest: number;
  authors: Int32Array | null;
  bytes: number;
};

/**
 * Rendered home-timeline pages, kept exactly as long as they are right. A page goes stale when the change
 * tracker's epoch moves (anything it cannot account for precisely), when the reader follows or unfollows
 * someone, when a post on it (or the one after it) is liked, unliked, replied to or deleted, or, for a first
 * page, when one of the accounts it shows publishes. Later pages are bounded by their cursor, so new posts
 * never change them (a cursor above the newest post, which the server never hands out, is open like a first
 * page). Least recently used pages go first past a byte budget.
 */
export class PageCache {
  private readonly pages = new Map<string, CachedPage>();
  private bytes = 0;

  constructor(private readonly db: Db) {}

  /** What the cached pages hold, as counted against the budget. */
  get heldBytes(): number {
    return this.bytes;
  }

  get(key: string): CachedPage | null {
    const page = this.pages.get(key);
    if (!page) return null;
    const tracker = changes(this.db);
    let fresh = page.epoch === tracker.epoch() && page.readerVersion === tracker.readerVersion(page.viewer);
    for (let i = 0; fresh && i < page.seqs.length; i++) fresh = tracker.postVersion(page.seqs[i]) === page.versions[i];
    if (fresh && page.authors) fresh = tracker.quietSince(page.authors, page.newest);
    this.pages.delete(key);
    if (!fresh) {
      this.bytes -= page.bytes;
      return null;
    }
    this.pages.set(key, page);
    return page;
  }

  /** The page's body gzipped: made once per page (browsers always ask), counted against the byte budget. */
  gzipped(page: CachedPage): Uint8Array<ArrayBuffer> {
    if (!page.gzip) {
      // A copy of exactly its size: zlib hands small results out of a 16 KB buffer, which a view would keep alive.
      page.gzip = new Uint8Array(gzipSync(page.body)) as Uint8Array<ArrayBuffer>;
      page.bytes += page.gzip.byteLength;
      if (this.pages.get(page.key) === page) {
        this.bytes += page.gzip.byteLength;
        this.evict(page.key);
      }
    }
    return page.gzip;
  }

  /** Drops least recently used pages (never `keep`) until the cache is within its byte budget. */
  private evict(keep: string): void {
    for (const [k, p] of this.pages) {
      if (this.bytes <= BUDGET_BYTES) break;
      if (k === keep) continue;
      this.pages.delete(k);
      this.bytes -= p.bytes;
    }
  }

  /** Keeps a page just built from `home` (call it in the same synchronous step that built it) and returns it. */
  put(key: string, viewer: number, home: HomePage, rendered: { body: Uint8Array<ArrayBuffer>; etag: string; link: string | null }): CachedPage {
    const tracker = changes(this.db);
    // The post after the page counts too: deleting it can turn `next` into null.
    const seqs = home.items.map((p) => p.seq);
    if (home.lookahead !== null) seqs.push(home.lookahead);
    const page: CachedPage = {
      ...rendered,
      key,
      epoch: tracker.epoch(),
      viewer,
      readerVersion: tracker.readerVersion(viewer),
      seqs,
      versions: seqs.map((s) => tracker.postVersion(s)),
      newest: home.newest,
      authors: home.open ? home.authors : null,
      // The key (its cursor may be up to 4 KB) and the Link count too: a budget of bodies alone could be
      // exceeded many times over by small pages with long keys.
      bytes: rendered.body.byteLength + (home.open ? home.authors.length * 4 : 0) + 2 * key.length + 2 * (rendered.link?.length ?? 0) + 256,
    };
    const old = this.pages.get(key);
    if (old) {
      this.pages.delete(key);
      this.bytes -= old.bytes;
    }
    this.pages.set(key, page);
    this.bytes += page.bytes;
    this.evict(key);
    return page;
  }
}

const caches = new WeakMap<Db, PageCache>();

/** The page cache of this database connection. */
export function pageCache(db: Db): PageCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new PageCache(db)));
  return cache;
}
