import { nanoid } from 'nanoid';
import type { Config } from '../config';
import type { Db } from '../db/client';
import { EventHub } from '../live/hub';
import { inlineSearchIndex, type SearchIndex } from './search-worker';

/** Everything a service needs, passed explicitly so tests can build it in one line. */
export type Deps = {
  db: Db;
  config: Config;
  clock: () => number;
  newId: () => string;
  events: EventHub;
  /** Keeps the search index up to date; searches wait on it. */
  searchIndex: SearchIndex;
};

/**
 * The usual dependencies around a database and config: the wall clock, 12-character nanoids, a fresh event hub,
 * search indexing on this thread (the server indexes on a worker: startSearchWorker).
 */
export function createDeps(
  db: Db,
  config: Config,
  overrides: { clock?: () => number; newId?: () => string; events?: EventHub; searchIndex?: SearchIndex } = {},
): Deps {
  return {
    db, config, clock: overrides.clock ?? Date.now, newId: overrides.newId ?? (() => nanoid(12)), events: overrides.events ?? new EventHub(),
    searchIndex: overrides.searchIndex ?? inlineSearchIndex(db),
  };
}

export type Scope = 'read' | 'write';

/** Who is acting: a signed-in account (by session or token) or nobody. */
export type Actor = {
  id: number;
  handle: string;
  role: 'user' | 'admin';
  scopes: ReadonlySet<Scope>;
  via: 'session' | 'token';
  /** Identifies the credential (token id or session) for per-credential rate limits. */
  credential: string;
};
