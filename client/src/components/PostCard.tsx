import { useSignal } from '@preact/signals';
import { useLocation } from 'preact-iso/router';
import { useEffect, useRef } from 'preact/hooks';
import { asApiError, deletePost, setLiked } from '../actions';
import { useAppState } from '../state';
import type { Post } from '../types';
import { PostText } from './PostText';
import { RelTime } from './RelTime';
import { ReportDialog } from './ReportDialog';

type Props = {
  post: Post;
  /** Position in a feed (1-based) and the feed's size, -1 while more can load. */
  pos?: number;
  size?: number;
  onDeleted?: () => void;
  /** Keeps element ids unique where one post is shown more than once (the reports list). */
  idScope?: string;
};

/** One post as a focusable article: author, time, linked text, replies, like, delete and report. */
export function PostCard({ post, pos, size, onDeleted, idScope = '' }: Props) {
  const state = useAppState();
  const { path } = useLocation();
  const reporting = useSignal(false);
  const reportButton = useRef<HTMLButtonElement>(null);
  const liked = useSignal(post.liked ?? false);
  const likes = useSignal(post.likeCount);
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  useEffect(() => {
    liked.value = post.liked ?? false;
    likes.value = post.likeCount;
  }, [post]);

  const me = state.me.value;
  const { handle, displayName, bot } = post.author;
  const permalink = `/@${handle}/${post.id}`;
  // The parent's author is not in the post; the thread page corrects the handle in the URL.
  const parentLink = post.replyTo && `/@${handle}/${post.replyTo}`;
  const nameId = `post-${idScope}${post.id}-author`;

  const toggleLike = async () => {
    const on = !liked.value;
    liked.value = on;
    likes.value += on ? 1 : -1;
    error.value = null;
    try {
      await setLiked(state, post.id, on);
    } catch (e) {
      liked.value = !on;
      likes.value += on ? -1 : 1;
      error.value = asApiError(e).message;
    }
  };

  const remove = async () => {
    if (!confirm('Delete this post? This cannot be undone.')) return;
    busy.value = true;
    try {
      await deletePost(state, post.id);
      onDeleted?.();
    } catch (e) {
      error.value = asApiError(e).message;
      busy.value = false;
    }
  };

  return (
    <article
      class="post"
      tabIndex={0}
      data-post-id={post.id}
      data-permalink={permalink}
      aria-labelledby={nameId}
      aria-posinset={pos}
      aria-setsize={size}
    >
      <header class="post-head">
        <a href={`/@${handle}`} class="author" id={nameId}>
          <strong>{displayName || handle}</strong> <span class="handle">@{handle}</span>
        </a>
        {bot && <span class="badge">bot</span>}
        {parentLink && !path.endsWith(`/${post.replyTo}`) && (
          <a href={parentLink} class="reply-to">
            <span aria-hidden="true">↪ </span>in reply to
          </a>
        )}
        <a href={permalink} class="when">
          <RelTime iso={post.createdAt} />
        </a>
      </header>
      <p class="text" dir="auto">
        <PostText text={post.text} />
      </p>
      <footer class="post-actions">
        <a href={permalink} aria-label={`${post.replyCount} ${post.replyCount === 1 ? 'reply' : 'replies'}, open thread`}>
          Reply · {post.replyCount}
        </a>
        {me ? (
          <button type="button" class="link" aria-pressed={liked.value} onClick={toggleLike}>
            {liked.value ? 'Liked' : 'Like'} · {likes.value}
          </button>
        ) : (
          <span>Likes · {likes.value}</span>
        )}
        {me?.handle === handle && (
          <button type="button" class="link danger" disabled={busy.value} onClick={remove}>
            Delete
          </button>
        )}
        {me && me.handle !== handle && (
          <button type="button" class="link" ref={reportButton} aria-haspopup="dialog" onClick={() => (reporting.value = true)}>
            Report
          </button>
        )}
      </footer>
      {reporting.value && (
        <ReportDialog
          post={post}
          onClose={() => {
            reporting.value = false;
            reportButton.current?.focus();
          }}
        />
      )}
      {error.value && (
        <p role="alert" class="note error">
          {error.value}
        </p>
      )}
    </article>
  );
}
