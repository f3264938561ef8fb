import type { Config } from '../config';
import type { Db } from '../db/client';
import type { EventHub } from '../live/hub';

/** Everything a service needs, passed explicitly so tests can build it in one line. */
export type Deps = {
  db: Db;
  config: Config;
  clock: () => number;
  newId: () => string;
  events: EventHub;
};

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
