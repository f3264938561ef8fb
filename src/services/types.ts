/** An account as services return it; the viewer-relative flags are present when a viewer asked. */
export type AccountRow = {
  id: number;
  handle: string;
  displayName: string;
  bio: string;
  department: string;
  title: string;
  bot: boolean;
  role: 'user' | 'admin';
  createdAt: number;
  followersCount: number;
  followingCount: number;
  postsCount: number;
  following?: boolean;
  muted?: boolean;
  blocked?: boolean;
};

/** A post joined with its author's summary and, when a viewer asked, whether they liked it. */
export type PostRow = {
  seq: number;
  id: string;
  authorId: number;
  authorHandle: string;
  authorName: string;
  authorBot: boolean;
  text: string;
  replyTo: string | null;
  mentions: string[];
  tags: string[];
  likeCount: number;
  replyCount: number;
  createdAt: number;
  liked?: boolean;
};
