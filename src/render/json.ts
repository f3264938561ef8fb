import type { ReportRow } from '../services/moderation';
import type { NotificationRow } from '../services/notifications';
import type { AccountRow, PostRow } from '../services/types';

// C1 controls and what reorders or breaks the lines a terminal shows (bidi marks, embeddings, overrides and
// isolates, NEL, line and paragraph separators). JSON.stringify escapes only C0.
const TERMINAL_UNSAFE = /[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON.stringify, with the characters above written as \u escapes: the same strings to any JSON parser, and
 * inert in a terminal showing the raw JSON (`curl .../api/timelines/public` without jq). They can only occur
 * inside strings, where an escape means the same character.
 */
export function inertJson(value: unknown): string {
  return JSON.stringify(value).replace(TERMINAL_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The API's Account entity: the row without its internal id and role, with an ISO timestamp. */
export type AccountJson = Omit<AccountRow, 'id' | 'role' | 'createdAt'> & { createdAt: string };

export type PostJson = {
  id: string;
  author: { handle: string; displayName: string; bot: boolean };
  text: string;
  createdAt: string;
  replyTo: string | null;
  mentions: string[];
  tags: string[];
  likeCount: number;
  replyCount: number;
  liked?: boolean;
  url: string;
};

/** An account row as the API's Account entity. */
export function accountJson(a: AccountRow): AccountJson {
  const out: AccountJson = {
    handle: a.handle,
    displayName: a.displayName,
    bio: a.bio,
    department: a.department,
    title: a.title,
    bot: a.bot,
    createdAt: new Date(a.createdAt).toISOString(),
    followersCount: a.followersCount,
    followingCount: a.followingCount,
    postsCount: a.postsCount,
  };
  if (a.following !== undefined) out.following = a.following;
  if (a.muted !== undefined) out.muted = a.muted;
  if (a.blocked !== undefined) out.blocked = a.blocked;
  return out;
}

/** A hydrated post row as the API's Post entity, with its absolute URL. */
export function postJson(p: PostRow, baseUrl: string): PostJson {
  const out: PostJson = {
    id: p.id,
    author: { handle: p.authorHandle, displayName: p.authorName, bot: p.authorBot },
    text: p.text,
    createdAt: new Date(p.createdAt).toISOString(),
    replyTo: p.replyTo,
    mentions: p.mentions,
    tags: p.tags,
    likeCount: p.likeCount,
    replyCount: p.replyCount,
    // Encoded, so a handle or id stored by something that skipped validation cannot break a header or a terminal.
    url: `${baseUrl}/@${encodeURIComponent(p.authorHandle)}/${encodeURIComponent(p.id)}`,
  };
  if (p.liked !== undefined) out.liked = p.liked;
  return out;
}

/** A notification row as the API's Notification entity. */
export function notificationJson(n: NotificationRow, baseUrl: string) {
  return {
    id: String(n.id),
    type: n.type,
    account: accountJson(n.account),
    ...(n.post ? { post: postJson(n.post, baseUrl) } : {}),
    createdAt: new Date(n.createdAt).toISOString(),
    read: n.read,
  };
}

/** An open report as admins see it. */
export function reportJson(r: ReportRow, baseUrl: string) {
  return {
    id: String(r.id), postId: r.postId, post: r.post ? postJson(r.post, baseUrl) : null, reporter: r.reporter, reason: r.reason,
    createdAt: new Date(r.createdAt).toISOString(),
  };
}
