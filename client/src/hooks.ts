import { useSignal, type Signal } from '@preact/signals';
import { useLocation } from 'preact-iso/router';
import { useEffect, useMemo } from 'preact/hooks';
import { api, ApiError } from './api';
import { asApiError, catchUp, loadMore, receive, refreshUnread, removePost } from './actions';
import { createFeed, useAppState, type Feed } from './state';
import type { Page, Post } from './types';

/** Sets the document title for the page on screen. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · bluetwit` : 'bluetwit';
  }, [title]);
}

/**
 * A post list registered in AppState under `key` and loaded on mount. A `keep` feed
 * (home, public) survives leaving the page and catches up when shown again.
 */
export function usePostFeed(key: string, fetchPage: (cursor?: string) => Promise<Page<Post>>, keep = false): Feed<Post> {
  const state = useAppState();
  const feed = useMemo(() => {
    const kept = keep ? state.timelines.get(key) : undefined;
    if (kept) return kept;
    const fresh = createFeed(fetchPage, (p: Post) => p.id);
    state.timelines.set(key, fresh);
    return fresh;
  }, [key]);
  useEffect(() => {
    if (!state.timelines.has(key)) state.timelines.set(key, feed);
    if (feed.loaded.value) void catchUp(feed);
    else void loadMore(feed);
    return () => {
      if (!keep && state.timelines.get(key) === feed) state.timelines.delete(key);
    };
  }, [feed]);
  return feed;
}

/** A paginated list that lives as long as the component, reloaded when `key` changes. */
export function useList<T>(key: string, fetchPage: (cursor?: string) => Promise<Page<T>>, idOf: (item: T) => string): Feed<T> {
  const feed = useMemo(() => createFeed(fetchPage, idOf), [key]);
  useEffect(() => {
    void loadMore(feed);
  }, [feed]);
  return feed;
}

export type Resource<T> = { data: Signal<T | undefined>; error: Signal<ApiError | null> };

/** Loads one thing when `deps` change; answers to superseded loads are dropped. */
export function useResource<T>(load: () => Promise<T>, deps: unknown[]): Resource<T> {
  const data = useSignal<T | undefined>(undefined);
  const error = useSignal<ApiError | null>(null);
  useEffect(() => {
    let current = true;
    data.value = undefined;
    error.value = null;
    load().then(
      (value) => current && (data.value = value),
      (e) => current && (error.value = asApiError(e)),
    );
    return () => {
      current = false;
    };
  }, deps);
  return { data, error };
}

/** Keeps the unread badge fresh while signed in and the tab is visible. */
export function useUnreadPolling(every = 20_000): void {
  const state = useAppState();
  const signedIn = Boolean(state.me.value);
  useEffect(() => {
    if (!signedIn) return;
    const tick = () => document.visibilityState === 'visible' && void refreshUnread(state);
    const timer = setInterval(tick, every);
    document.addEventListener('visibilitychange', tick);
    return () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', tick);
    };
  }, [signedIn]);
}

const RECONNECT_MS = 1000;
const MAX_RECONNECT_MS = 60_000;

/** Follows /api/stream for a timeline: new posts wait in `pending`, deletes vanish at once. */
export function useLiveStream(timeline: 'home' | 'public', feed: Feed<Post>, enabled: boolean): void {
  const state = useAppState();
  useEffect(() => {
    if (!enabled || typeof EventSource === 'undefined') return;
    let source: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let delay = RECONNECT_MS;
    let ended = false;
    const connect = () => {
      if (ended) return;
      const s = (source = new EventSource(`/api/stream?timeline=${timeline}`));
      s.addEventListener('post', (e) => {
        const post = parse<Post>(e);
        if (post?.id) receive(feed, post);
      });
      s.addEventListener('delete', (e) => {
        const gone = parse<{ id: string }>(e);
        if (gone?.id) removePost(state, gone.id);
      });
      // Every (re)connection catches up: what was posted before it opened comes from the timeline itself.
      s.onopen = () => {
        delay = RECONNECT_MS;
        void catchUp(feed);
      };
      s.onerror = () => {
        // Every error starts over with a new EventSource, more slowly each time. Not EventSource's own retry: it
        // sends Last-Event-ID, and the posts the server replays for it would arrive after the first page the
        // reconnection fetches (onopen), older than it, as if new; the page alone catches up, deletes included.
        // EventSource also gives up for good after an answer other than 200 (a 401 once the session ended, a 429,
        // a proxy's 502 during a restart). A signed-out client ends this effect (the 401 from /api/me signs it out).
        s.close();
        const again = () => {
          if (ended) return;
          retry = setTimeout(connect, delay);
          delay = Math.min(delay * 2, MAX_RECONNECT_MS);
        };
        // The home stream needs a session: once /api/me says it is gone (which also signs the client out), stop.
        // The public one may be open to readers who are signed out, so it keeps trying, more slowly each time.
        api.me().then(again, (e) => {
          if (!(timeline === 'home' && e instanceof ApiError && e.status === 401)) again();
        });
      };
    };
    connect();
    return () => {
      ended = true;
      clearTimeout(retry);
      source?.close();
    };
  }, [timeline, feed, enabled]);
}

function parse<T>(e: Event): T | undefined {
  try {
    return JSON.parse((e as MessageEvent<string>).data) as T;
  } catch {
    return undefined;
  }
}

const TYPING = 'input, textarea, select, [contenteditable]:not([contenteditable="false"])';

/** Moves focus to the next (+1) or previous (-1) post on the page. */
export function movePostFocus(step: 1 | -1): void {
  const posts = [...document.querySelectorAll<HTMLElement>('article[data-post-id]')];
  if (posts.length === 0) return;
  const current = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>('article[data-post-id]');
  let i = current ? posts.indexOf(current) + step : -1;
  if (!current) {
    // Start from the first post in view rather than the top of the page.
    i = posts.findIndex((p) => p.getBoundingClientRect().bottom > 0);
    if (i === -1) i = 0;
  }
  const target = posts[Math.max(0, Math.min(posts.length - 1, i))];
  target.focus();
  target.scrollIntoView({ block: 'nearest' });
}

/** The global shortcuts: j/k between posts, o or Enter opens one, n composes, ? toggles help. */
export function useShortcuts(): void {
  const state = useAppState();
  const { route } = useLocation();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest(TYPING)) return;
      // While a dialog is open only "?" (to close help) is ours; the signal may lag the DOM's close.
      const dialog = document.querySelector('dialog[open]');
      if (dialog && !(e.key === '?' && dialog.classList.contains('help'))) return;
      const article = target?.closest<HTMLElement>('article[data-post-id]');
      switch (e.key) {
        case 'j':
          movePostFocus(1);
          break;
        case 'k':
          movePostFocus(-1);
          break;
        case 'n': {
          const composer = document.getElementById('composer-text');
          if (composer) composer.focus();
          else if (state.me.value) {
            state.composeRequested.value = true;
            route('/home');
          } else return;
          break;
        }
        case '?':
          state.helpOpen.value = !state.helpOpen.value;
          break;
        case 'o':
        case 'Enter':
          // Enter on a link or button inside the post keeps its own meaning.
          if (!article || (e.key === 'Enter' && target !== article)) return;
          route(article.dataset.permalink ?? '/');
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [state, route]);
}
