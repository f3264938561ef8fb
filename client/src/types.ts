// The API entities the client reads, as /work/shared/API.md defines them.

export type AccountSummary = { handle: string; displayName: string; bot: boolean };

export type Account = AccountSummary & {
  bio: string;
  department: string;
  title: string;
  createdAt: string;
  followersCount: number;
  followingCount: number;
  postsCount: number;
  following?: boolean;
  /** Viewer-relative: the viewer muted / blocked this account. */
  muted?: boolean;
  blocked?: boolean;
};

export type Post = {
  id: string;
  author: AccountSummary;
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
