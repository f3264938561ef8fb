import { signal, type Signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { ApiError } from './api';
import type { Account, Page, Post } from './types';

/** A paginated list: what is shown, the next cursor, and live arrivals not yet shown. */
export type Feed<T> = {
  items: Signal<T[]>;
  next: Signal<string | null>;
  /** Live arrivals held behind the "N new posts" bar so the list does not move under the reader. */
  pending: Signal<T[]>;
  /** Arrivals were let go past MAX_PENDING: showing the waiting ones starts the feed over. */
  overflowed: Signal<boolean>;
  loading: Signal<boolean>;
  loaded: Signal<boolean>;
  error: Signal<ApiError | null>;
  fetchPage: (cursor?: string) => Promise<Page<T>>;
  idOf: (item: T) => string;
};

export type AppState = {
  /** The signed-in account; null when signed out, undefined until GET /api/me answers. */
  me: Signal<Account | null | undefined>;
  /** The signed-in account's role from GET /api/me ("admin" sees reports); undefined until known. */
  role: Signal<string | null | undefined>;
  /** Why GET /api/me failed for a reason other than being signed out. */
  bootError: Signal<string | null>;
  unread: Signal<number>;
  /** Post lists on screen (and home/public, kept between visits), by key, so deletes reach them all. */
  timelines: Map<string, Feed<Post>>;
  helpOpen: Signal<boolean>;
  /** Set by the "n" shortcut on a page without a composer; the next composer to mount takes focus. */
  composeRequested: Signal<boolean>;
  /** A clock for relative times, ticking once a minute. */
  now: Signal<number>;
};

/** A fresh, empty feed over `fetchPage`. */
export function createFeed<T>(fetchPage: (cursor?: string) => Promise<Page<T>>, idOf: (item: T) => string): Feed<T> {
  return {
    items: signal([]),
    next: signal(null),
    pending: signal([]),
    overflowed: signal(false),
    loading: signal(false),
    loaded: signal(false),
    error: signal(null),
    fetchPage,
    idOf,
  };
}

/** The whole client state as signals; created once in main.tsx and provided through AppContext. */
export function createAppState(): AppState {
  return {
    me: signal(undefined),
    role: signal(undefined),
    bootError: signal(null),
    unread: signal(0),
    timelines: new Map(),
    helpOpen: signal(false),
    composeRequested: signal(false),
    now: signal(Date.now()),
  };
}

export const AppContext = createContext<AppState | null>(null);

/** The AppState provided by <App>. */
export function useAppState(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useAppState() outside <AppContext.Provider>');
  return state;
}
