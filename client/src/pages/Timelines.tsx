import { api } from '../api';
import { Composer } from '../components/Composer';
import { FeedView } from '../components/FeedView';
import { PageTitle, SignInFirst } from '../components/Page';
import { useLiveStream, usePostFeed } from '../hooks';
import { useAppState } from '../state';

const TITLES = { home: 'Home', public: 'Public timeline' } as const;
const EMPTY = {
  home: 'Nothing here yet. Follow colleagues from the directory, or write the first post.',
  public: 'No posts yet. Say hello!',
} as const;

/** A live timeline (home or public): composer, new-post bar, posts, "Load more". */
function LiveTimeline({ name }: { name: 'home' | 'public' }) {
  const { me } = useAppState();
  const feed = usePostFeed(name, (cursor) => api.timeline(name, cursor), true);
  useLiveStream(name, feed, feed.loaded.value);
  return (
    <>
      <PageTitle title={TITLES[name]} />
      {me.value && <Composer />}
      <FeedView feed={feed} label={TITLES[name]} empty={EMPTY[name]} />
    </>
  );
}

/** /home: the viewer's own posts and those of everyone they follow. */
export function HomePage() {
  return useAppState().me.value ? <LiveTimeline name="home" /> : <SignInFirst />;
}

/**
 * /public: every post. Signing in or out starts it over (its posts say what the viewer liked, and signed out it
 * may not be readable at all), rather than keep the previous account's list and stream on screen.
 */
export function PublicPage() {
  const me = useAppState().me.value;
  return <LiveTimeline key={me ? `@${me.handle}` : 'signed out'} name="public" />;
}
