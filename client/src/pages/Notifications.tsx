import { useEffect } from 'preact/hooks';
import { api } from '../api';
import { markNotificationsRead } from '../actions';
import { ListFooter } from '../components/ListFooter';
import { PageTitle, SignInFirst } from '../components/Page';
import { PostText } from '../components/PostText';
import { RelTime } from '../components/RelTime';
import { useList } from '../hooks';
import { useAppState } from '../state';
import type { Notification } from '../types';

const VERBS: Record<Notification['type'], string> = {
  mention: 'mentioned you',
  reply: 'replied to you',
  like: 'liked your post',
  follow: 'followed you',
};

function Item({ n }: { n: Notification }) {
  const who = n.account;
  const permalink = n.post && `/@${n.post.author.handle}/${n.post.id}`;
  return (
    <li class={n.read ? 'notification' : 'notification unread'}>
      <p>
        {!n.read && <span class="sr-only">New: </span>}
        <a href={`/@${who.handle}`}>
          <strong>{who.displayName || who.handle}</strong>
        </a>{' '}
        {VERBS[n.type] ?? n.type} ·{' '}
        {permalink ? (
          <a href={permalink}>
            <RelTime iso={n.createdAt} />
          </a>
        ) : (
          <RelTime iso={n.createdAt} />
        )}
      </p>
      {n.post && (
        <blockquote class="quote" dir="auto">
          <PostText text={n.post.text} />
        </blockquote>
      )}
    </li>
  );
}

/** /notifications: mentions, replies, likes and follows, newest first; viewing marks them read. */
export function NotificationsPage() {
  const state = useAppState();
  if (!state.me.value) return <SignInFirst />;
  return <NotificationList />;
}

function NotificationList() {
  const state = useAppState();
  const list = useList('notifications', (cursor) => api.notifications(cursor), (n: Notification) => n.id);
  const items = list.items.value;
  const error = list.error.value;
  const newest = items[0];

  useEffect(() => {
    if (newest && items.some((n) => !n.read)) void markNotificationsRead(state, newest.id).catch(() => undefined);
  }, [newest?.id]);

  return (
    <>
      <PageTitle title="Notifications" />
      <ol class="notifications" aria-busy={list.loading.value}>
        {items.map((n) => (
          <Item key={n.id} n={n} />
        ))}
      </ol>
      {list.loaded.value && items.length === 0 && !error && <p class="empty">Nothing yet. Mentions, replies, likes and follows show up here.</p>}
      <ListFooter list={list} />
    </>
  );
}
