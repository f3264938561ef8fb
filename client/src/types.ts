// The API entities the client reads: the server's own JSON types (type-only, erased from the bundle),
// so the two cannot drift apart.
import type { AccountJson, PostJson } from '../../src/render/json';

export type AccountSummary = PostJson['author'];
export type Account = AccountJson;
export type Post = PostJson;

export type Notification = {
  id: string;
  type: 'mention' | 'reply' | 'like' | 'follow';
  account: AccountSummary;
  post?: Post;
  createdAt: string;
  read: boolean;
};

/** An open report, as GET /api/reports lists it (admins only); `post` is null once deleted. */
export type Report = { id: string; postId: string; post: Post | null; reporter: string; reason: string; createdAt: string };

export type Scope = 'read' | 'write';

export type Token = { id: string; name: string; scopes: Scope[]; createdAt?: string; lastUsedAt?: string | null };

export type Page<T> = { items: T[]; next: string | null };
