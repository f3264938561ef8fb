import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/** Accounts. `id` is internal; the public key is `handle`. Counts are kept in step by the services. */
export const accounts = sqliteTable(
  'accounts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    handle: text('handle').notNull(),
    displayName: text('display_name').notNull(),
    bio: text('bio').notNull().default(''),
    department: text('department').notNull().default(''),
    title: text('title').notNull().default(''),
    bot: integer('bot', { mode: 'boolean' }).notNull().default(false),
    role: text('role', { enum: ['user', 'admin'] }).notNull().default('user'),
    passwordHash: text('password_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    followersCount: integer('followers_count').notNull().default(0),
    followingCount: integer('following_count').notNull().default(0),
    postsCount: integer('posts_count').notNull().default(0),
    /** foldKey(displayName) and foldKey(department): what the directory and account search match and sort on. */
    nameKey: text('name_key').notNull().default(''),
    departmentKey: text('department_key').notNull().default(''),
  },
  (t) => [
    uniqueIndex('accounts_handle_uq').on(t.handle),
    index('accounts_name_idx').on(t.nameKey, t.handle),
    index('accounts_department_name_idx').on(t.departmentKey, t.nameKey, t.handle),
    // Account search ranks matches by followers: with many matches it walks this until it has a page of them.
    index('accounts_followers_idx').on(sql`${t.followersCount} DESC`, t.handle),
  ],
);

export const sessions = sqliteTable(
  'sessions',
  {
    hash: text('hash').primaryKey(),
    accountId: integer('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('sessions_account_idx').on(t.accountId)],
);

export const tokens = sqliteTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    accountId: integer('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    scopes: text('scopes').notNull(),
    hash: text('hash').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
  },
  (t) => [uniqueIndex('tokens_hash_uq').on(t.hash), index('tokens_account_idx').on(t.accountId)],
);

/**
 * Posts. `seq` is the monotonic order key behind cursors (AUTOINCREMENT: never reused after a delete);
 * `id` is the public nanoid. `mentions`/`tags` are JSON copies for rendering; lookups use the side tables.
 */
export const posts = sqliteTable(
  'posts',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    id: text('id').notNull(),
    authorId: integer('author_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    authorBot: integer('author_bot', { mode: 'boolean' }).notNull().default(false),
    text: text('text').notNull(),
    replyTo: text('reply_to'),
    replyToAuthorId: integer('reply_to_author_id'),
    mentions: text('mentions').notNull().default('[]'),
    tags: text('tags').notNull().default('[]'),
    likeCount: integer('like_count').notNull().default(0),
    replyCount: integer('reply_count').notNull().default(0),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('posts_id_uq').on(t.id),
    index('posts_author_seq_idx').on(t.authorId, t.seq),
    index('posts_reply_idx').on(t.replyTo, t.seq).where(sql`${t.replyTo} IS NOT NULL`),
  ],
);

export const postTags = sqliteTable(
  'post_tags',
  {
    tag: text('tag').notNull(),
    postSeq: integer('post_seq').notNull().references(() => posts.seq, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.tag, t.postSeq] }), index('post_tags_post_idx').on(t.postSeq)],
);

export const postMentions = sqliteTable(
  'post_mentions',
  {
    accountId: integer('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    postSeq: integer('post_seq').notNull().references(() => posts.seq, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.postSeq] }), index('post_mentions_post_idx').on(t.postSeq)],
);

export const follows = sqliteTable(
  'follows',
  {
    followerId: integer('follower_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    followeeId: integer('followee_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.followerId, t.followeeId] }),
    index('follows_followee_idx').on(t.followeeId, t.followerId),
    // Followers and followees are listed most recent follow first, by rowid: an index on the one column keeps its
    // entries in rowid order, so a page is a range read instead of a sort of every follower (10 ms for 18,000).
    // Partial on a condition only the listing states (every row meets it), so no other query trades the covering
    // indexes above for these (reading a reader's followees through one took a third longer).
    index('follows_followee_recent_idx').on(t.followeeId).where(sql`created_at >= 0`),
    index('follows_follower_recent_idx').on(t.followerId).where(sql`created_at >= 0`),
  ],
);

export const likes = sqliteTable(
  'likes',
  {
    accountId: integer('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    postSeq: integer('post_seq').notNull().references(() => posts.seq, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.postSeq] }), index('likes_post_idx').on(t.postSeq)],
);

/** Mutes and blocks: `kind` says which; both hide the target from the owner's reading. */
export const hides = sqliteTable(
  'hides',
  {
    accountId: integer('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    targetId: integer('target_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['mute', 'block'] }).notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.accountId, t.targetId, t.kind] }),
    index('hides_target_idx').on(t.targetId, t.kind),
  ],
);

export const notifications = sqliteTable(
  'notifications',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    recipientId: integer('recipient_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    type: text('type', { enum: ['mention', 'reply', 'like', 'follow'] }).notNull(),
    actorId: integer('actor_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    postSeq: integer('post_seq').references(() => posts.seq, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    read: integer('read', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [
    index('notifications_recipient_idx').on(t.recipientId, t.id),
    index('notifications_unread_idx').on(t.recipientId).where(sql`${t.read} = 0`),
    index('notifications_post_idx').on(t.postSeq),
    // An unfollow withdraws its notification; a popular account has many others to look past.
    index('notifications_follow_idx').on(t.recipientId, t.actorId).where(sql`${t.type} = 'follow'`),
  ],
);

export const reports = sqliteTable(
  'reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    postId: text('post_id').notNull(),
    postSeq: integer('post_seq').references(() => posts.seq, { onDelete: 'set null' }),
    reporterId: integer('reporter_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    reason: text('reason').notNull(),
    createdAt: integer('created_at').notNull(),
    status: text('status', { enum: ['open', 'resolved'] }).notNull().default('open'),
  },
  (t) => [index('reports_status_idx').on(t.status, t.id), index('reports_post_idx').on(t.postSeq)],
);

/** Stored first responses of POST /api/posts keyed by (account, Idempotency-Key). */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    accountId: integer('account_id').notNull().references(() => accounts.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status').notNull(),
    body: text('body').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.key] }), index('idempotency_created_idx').on(t.createdAt)],
);
