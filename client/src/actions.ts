import { batch } from '@preact/signals';
import { api, ApiError, type ProfilePatch } from './api';
import type { AppState, Feed } from './state';
import type { Account, Page, Post, Scope } from './types';
import { forgetDrafts } from './drafts';

/** Asks the server who is signed in: sets `me` to the account, or null on 401. */
export async function loadMe(state: AppState): Promise<void> {
  state.bootError.value = null;
  try {
    const { account, role } = await api.me();
    batch(() => {
      state.role.value = role;
      state.me.value = account;
    });
    void refreshUnread(state);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      state.role.value = null;
      state.me.value = null;
    } else state.bootError.value = e instanceof Error ? e.message : String(e);
  }
}

/** Signs in with a handle and password; the server sets the session cookie. */
export async function signIn(state: AppState, handle: string, password: string): Promise<Account> {
  const account = await api.signIn(handle.trim(), password);
  batch(() => {
    state.timelines.clear();
    state.role.value = undefined;
    state.me.value = account;
  });
  void refreshUnread(state);
  void refreshRole(state);
  return account;
}

/** Creates an account and signs it in. */
export async function signUp(state: AppState, handle: string, displayName: string, password: string): Promise<Account> {
  const account = await api.signUp(handle.trim(), displayName.trim(), password);
  batch(() => {
    state.timelines.clear();
    state.role.value = null;
    state.me.value = account;
    state.unread.value = 0;
  });
  return account;
}

/** Forgets everything the signed-in account could see (signing out, or the server saying the session is gone). */
export function forgetAccount(state: AppState): void {
  batch(() => {
    state.timelines.clear();
    state.role.value = null;
    state.me.value = null;
    state.unread.value = 0;
  });
}

/**
 * Ends the session and forgets everything the account could see, even when the session had already ended, and
 * the drafts it left in this tab (kept when a session merely expires, for signing back in).
 */
export async function signOut(state: AppState): Promise<void> {
  try {
    await api.signOut();
  } catch (e) {
    // Not signed out (the network, the server): the session may still be alive, so the account stays on
    // screen with its Sign out button, rather than looking signed out on a shared machine.
    if (!(e instanceof ApiError && e.status === 401)) throw e;
  }
  forgetDrafts();
  forgetAccount(state);
}

/** Learns the signed-in account's role (sign-in answers with the account alone). */
async function refreshRole(state: AppState): Promise<void> {
  try {
    state.role.value = (await api.me()).role;
  } catch {
    state.role.value = null;
  }
}

/** Saves profile fields and updates `me`. */
export async function saveProfile(state: AppState, patch: ProfilePatch): Promise<Account> {
  const account = await api.updateMe(patch);
  state.me.value = { ...state.me.value, ...account };
  return account;
}

/** Fetches the next page of a feed (the first when nothing is loaded) and appends what is new. */
export async function loadMore<T>(feed: Feed<T>): Promise<void> {
  if (feed.loading.value || (feed.loaded.value && !feed.next.value)) return;
  return fetchInto(feed, feed.next.value ?? undefined, (page) => {
    const seen = new Set(feed.items.value.map(feed.idOf));
    feed.items.value = [...feed.items.value, ...page.items.filter((i) => !seen.has(feed.idOf(i)))];
    const shown = new Set(feed.items.value.map(feed.idOf));
    feed.pending.value = feed.pending.value.filter((i) => !shown.has(feed.idOf(i)));
    feed.next.value = page.next;
    feed.loaded.value = true;
  });
}

/** Fetches a page of a feed and applies it, showing that it loads and why it failed. */
async function fetchInto<T>(feed: Feed<T>, cursor: string | undefined, apply: (page: Page<T>) => void): Promise<void> {
  feed.loading.value = true;
  feed.error.value = null;
  try {
    const page = await feed.fetchPage(cursor);
    batch(() => apply(page));
  } catch (e) {
    feed.error.value = asApiError(e);
  } finally {
    feed.loading.value = false;
  }
}

/**
 * Brings a feed shown before up to date without moving it (after a reconnection, or coming back to a kept
 * timeline): the first page is the server's word on everything down to its last post. What it has above the
 * first post shown waits in `pending`, newest first; what it has below that but not shown (posted before a post
 * of the reader's own that went straight to the top) takes its place among the posts shown; arrivals that were
 * waiting but are no longer on it were deleted meanwhile, and so were posts shown within its span that it no
 * longer has. What arrived or was shown after the page was asked for is kept. If the gap is longer than a page,
 * the feed starts over.
 */
export async function catchUp<T>(feed: Feed<T>): Promise<void> {
  if (!feed.loaded.value || feed.loading.value) return;
  const id = feed.idOf;
  const waitingBefore = new Set(feed.pending.value.map(id));
  const shownBefore = new Set(feed.items.value.map(id));
  try {
    const fetched = await feed.fetchPage();
    // Removed while the page was on its way (a delete event, or the reader's own): the page is older than that.
    const present = new Set([...feed.items.value, ...feed.pending.value].map(id));
    const page = { ...fetched, items: fetched.items.filter((i) => present.has(id(i)) || !(shownBefore.has(id(i)) || waitingBefore.has(id(i)))) };
    const onPage = new Set(page.items.map(id));
    const shown = new Set(feed.items.value.map(id));
    const gap = page.items.findIndex((i) => shown.has(id(i)));
    // Arrived while the page was on its way: newer than all of it.
    const later = feed.pending.value.filter((p) => !waitingBefore.has(id(p)) && !onPage.has(id(p)) && !shown.has(id(p)));
    batch(() => {
      if (gap === -1) {
        feed.items.value = page.items;
        feed.next.value = page.next;
        feed.pending.value = later;
        feed.overflowed.value = false;
        return;
      }
      let last = -1;
      feed.items.value.forEach((item, i) => {
        if (onPage.has(id(item))) last = i;
      });
      const items = feed.items.value;
      // Within the page's span the page's order stands, with what was shown after it was asked for on top.
      feed.items.value = [
        ...items.slice(0, last + 1).filter((item) => !onPage.has(id(item)) && !shownBefore.has(id(item))),
        ...page.items.slice(gap),
        ...items.slice(last + 1),
      ];
      feed.pending.value = [...later, ...page.items.slice(0, gap)];
    });
  } catch {
    // A failed catch-up leaves the feed as it was; the next one retries.
  }
}

/**
 * At most this many live arrivals wait behind the "new posts" bar: a tab left open on a busy timeline would
 * otherwise hold every post of the day. Past it the oldest waiting ones are let go and the feed is marked to start
 * over from the newest page when they are asked for.
 */
export const MAX_PENDING = 200;

/** Holds a live arrival behind the "new posts" bar unless the feed already has it. */
export function receive<T>(feed: Feed<T>, item: T): void {
  const id = feed.idOf(item);
  if (feed.pending.value.some((i) => feed.idOf(i) === id) || feed.items.value.some((i) => feed.idOf(i) === id)) return;
  const pending = [item, ...feed.pending.value];
  if (pending.length > MAX_PENDING) {
    pending.length = MAX_PENDING;
    feed.overflowed.value = true;
  }
  feed.pending.value = pending;
}

/**
 * Moves held arrivals to the top of the feed; returns how many were shown. When some were let go, the feed
 * starts over with them (its first page) rather than show a hole between the arrivals and the posts below.
 */
export function showPending<T>(feed: Feed<T>): number {
  const n = feed.pending.value.length;
  batch(() => {
    if (feed.overflowed.value) {
      feed.items.value = [...feed.pending.value];
      feed.next.value = null;
      feed.loaded.value = false;
      feed.overflowed.value = false;
    } else {
      feed.items.value = [...feed.pending.value, ...feed.items.value];
    }
    feed.pending.value = [];
  });
  if (!feed.loaded.value) void reloadFirstPage(feed);
  return n;
}

/** Loads a feed's first page afresh, keeping what is shown until it arrives. */
function reloadFirstPage<T>(feed: Feed<T>): Promise<void> {
  return fetchInto(feed, undefined, (page) => {
    const onPage = new Set(page.items.map(feed.idOf));
    feed.items.value = page.items;
    // What arrived meanwhile waits, unless the page has it already.
    feed.pending.value = feed.pending.value.filter((i) => !onPage.has(feed.idOf(i)));
    feed.next.value = page.next;
    feed.loaded.value = true;
  });
}

/** Removes a post from every list on screen and every kept timeline. */
export function removePost(state: AppState, id: string): void {
  // The post being removed may hold the keyboard focus: it moves to the post after it (or before), not to the page.
  const gone = typeof document === 'undefined' ? null : document.activeElement?.closest(`article[data-post-id="${CSS.escape(id)}"]`);
  if (gone) {
    const posts = [...document.querySelectorAll<HTMLElement>('article[data-post-id]')];
    const at = posts.indexOf(gone as HTMLElement);
    const next = posts.slice(at + 1).find((p) => p.dataset.postId !== id) ?? posts.slice(0, at).reverse().find((p) => p.dataset.postId !== id);
    setTimeout(() => (next ?? document.querySelector<HTMLElement>('main h1'))?.focus());
  }
  batch(() => {
    for (const feed of state.timelines.values()) {
      if (feed.items.value.some((p) => p.id === id)) feed.items.value = feed.items.value.filter((p) => p.id !== id);
      if (feed.pending.value.some((p) => p.id === id)) feed.pending.value = feed.pending.value.filter((p) => p.id !== id);
    }
  });
}

/** Publishes a post (retried safely under the same idempotency key) and puts it atop the viewer's timelines. */
export async function publish(state: AppState, text: string, replyTo: string | undefined, idempotencyKey: string): Promise<Post> {
  const post = await api.createPost(text, replyTo, idempotencyKey);
  batch(() => {
    for (const key of ['home', 'public']) {
      const feed = state.timelines.get(key);
      if (!feed?.loaded.value || feed.items.value.some((p) => p.id === post.id)) continue;
      feed.pending.value = feed.pending.value.filter((p) => p.id !== post.id);
      // Replies too: the server's timelines have them, so a catch-up would offer them as new posts otherwise.
      feed.items.value = [post, ...feed.items.value];
    }
  });
  return post;
}

/** Deletes one of the viewer's posts and removes it from view. */
export async function deletePost(state: AppState, id: string): Promise<void> {
  await api.deletePost(id);
  removePost(state, id);
}

/** Likes or unlikes a post, and shows it so in every kept timeline (coming back to one must not undo it). */
export async function setLiked(state: AppState, id: string, liked: boolean): Promise<void> {
  await api.like(id, liked);
  const update = (p: Post) => (p.id === id && (p.liked ?? false) !== liked ? { ...p, liked, likeCount: Math.max(0, p.likeCount + (liked ? 1 : -1)) } : p);
  batch(() => {
    for (const feed of state.timelines.values()) {
      if (feed.items.value.some((p) => p.id === id)) feed.items.value = feed.items.value.map(update);
      if (feed.pending.value.some((p) => p.id === id)) feed.pending.value = feed.pending.value.map(update);
    }
  });
}

/** Follows or unfollows an account; the home timeline is rebuilt on its next visit. */
export async function setFollowing(state: AppState, handle: string, following: boolean): Promise<void> {
  await api.follow(handle, following);
  state.timelines.delete('home');
}

/**
 * Mutes or unmutes an account. Their posts leave (or return to) the home and public
 * timelines, so those are rebuilt on their next visit.
 */
export async function setMuted(state: AppState, handle: string, muted: boolean): Promise<void> {
  await api.mute(handle, muted);
  state.timelines.delete('home');
  state.timelines.delete('public');
}

/** Blocks or unblocks an account: a mute that also ends follows both ways (done by the server). */
export async function setBlocked(state: AppState, handle: string, blocked: boolean): Promise<void> {
  await api.block(handle, blocked);
  state.timelines.delete('home');
  state.timelines.delete('public');
}

/** Reports a post to the admins with the reporter's reason. */
export async function reportPost(id: string, reason: string): Promise<void> {
  await api.report(id, reason.trim());
}

/** Refreshes the unread notification count. */
export async function refreshUnread(state: AppState): Promise<void> {
  try {
    state.unread.value = (await api.notifications(undefined, 1)).unreadCount;
  } catch {
    // The badge keeps its last value; the next poll retries.
  }
}

/** Marks notifications read up to `upTo` (all when absent) and clears the badge. */
export async function markNotificationsRead(state: AppState, upTo?: string): Promise<void> {
  await api.markRead(upTo);
  state.unread.value = 0;
}

/** Creates an API token; its secret is in the answer and nowhere else. */
export function createToken(name: string, scopes: Scope[]) {
  return api.createToken(name.trim(), scopes);
}

/** Revokes an API token. */
export function revokeToken(id: string): Promise<void> {
  return api.revokeToken(id);
}

/** Any thrown value as an ApiError, for showing. */
export function asApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'client_error', e instanceof Error ? e.message : String(e));
}
