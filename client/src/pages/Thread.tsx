import { useLocation } from 'preact-iso/router';
import { useEffect } from 'preact/hooks';
import { api } from '../api';
import { Composer } from '../components/Composer';
import { ErrorNote } from '../components/ErrorNote';
import { FeedView } from '../components/FeedView';
import { PageTitle } from '../components/Page';
import { PostCard } from '../components/PostCard';
import { usePostFeed, useResource } from '../hooks';
import { useAppState } from '../state';
import type { Post } from '../types';

/** The post and the one it answers, if that still exists. */
async function loadWithParent(id: string): Promise<{ post: Post; parent: Post | null }> {
  const post = await api.post(id);
  const parent = post.replyTo ? await api.post(post.replyTo).catch(() => null) : null;
  return { post, parent };
}

/** /@handle/postId: a post, what it replies to, its replies (oldest first) and a reply composer. */
export function ThreadPage({ handle, id }: { handle: string; id: string }) {
  const { me } = useAppState();
  const { route, url } = useLocation();
  const thread = useResource(() => loadWithParent(id), [id]);
  const replies = usePostFeed(`replies:${id}`, (cursor) => api.replies(id, cursor));
  const t = thread.data.value;
  const author = t?.post.author.handle;

  // The handle in the URL is decoration; keep it truthful.
  useEffect(() => {
    if (author && author !== handle) route(`/@${author}/${id}`, true);
  }, [author, handle, id]);

  const onReply = (reply: Post) => {
    if (!t) return;
    thread.data.value = { ...t, post: { ...t.post, replyCount: t.post.replyCount + 1 } };
    // Replies read oldest first: the new one belongs at the end, once the end is loaded.
    if (!replies.next.value && !replies.items.value.some((p) => p.id === reply.id)) {
      replies.items.value = [...replies.items.value, reply];
    }
  };

  return (
    <>
      <PageTitle title={t ? `Post by ${t.post.author.displayName || t.post.author.handle}` : 'Post'} />
      {thread.error.value && <ErrorNote error={thread.error.value} />}
      {t && (
        <>
          {t.parent ? (
            <div class="parent">
              <p class="context">In reply to</p>
              <PostCard post={t.parent} onDeleted={() => (thread.data.value = { ...t, parent: null })} />
            </div>
          ) : (
            t.post.replyTo && <p class="context">In reply to a post that is no longer available.</p>
          )}
          <div class="focal">
            <PostCard post={t.post} onDeleted={() => route(t.parent ? `/@${t.parent.author.handle}/${t.parent.id}` : '/home')} />
          </div>
          {me.value ? (
            <Composer
              key={id}
              replyTo={t.post}
              initial={me.value.handle === author ? '' : `@${author} `}
              onPosted={onReply}
            />
          ) : (
            // Signed out (or the session just ended under a half-written reply, which is kept as a draft).
            <p class="context">
              <a href={`/login?next=${encodeURIComponent(url)}`}>Sign in</a> to reply.
            </p>
          )}
          <h2>Replies</h2>
          <FeedView feed={replies} label="Replies" empty="No replies yet." />
        </>
      )}
    </>
  );
}
