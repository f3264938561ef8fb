import { useSignal } from '@preact/signals';
import { api } from '../api';
import { asApiError, setFollowing } from '../actions';
import { ErrorNote } from '../components/ErrorNote';
import { FeedView } from '../components/FeedView';
import { PageTitle } from '../components/Page';
import { PostText } from '../components/PostText';
import { usePostFeed, useResource } from '../hooks';
import { useAppState } from '../state';
import type { Account } from '../types';

/** Follow / Unfollow for someone else's profile, adjusting the shown follower count. */
function FollowButton({ account, onChange }: { account: Account; onChange: (a: Account) => void }) {
  const state = useAppState();
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const following = Boolean(account.following);

  const toggle = async () => {
    busy.value = true;
    error.value = null;
    try {
      await setFollowing(state, account.handle, !following);
      onChange({ ...account, following: !following, followersCount: account.followersCount + (following ? -1 : 1) });
    } catch (e) {
      error.value = asApiError(e).message;
    } finally {
      busy.value = false;
    }
  };

  return (
    <>
      <button type="button" class={following ? 'secondary' : ''} disabled={busy.value} onClick={toggle}>
        {following ? `Unfollow @${account.handle}` : `Follow @${account.handle}`}
      </button>
      {error.value && (
        <p role="alert" class="note error">
          {error.value}
        </p>
      )}
    </>
  );
}

/** /@handle: who they are, counts, follow/unfollow, and their posts. */
export function ProfilePage({ handle }: { handle: string }) {
  const { me } = useAppState();
  const profile = useResource(() => api.account(handle), [handle]);
  const feed = usePostFeed(`user:${handle}`, (cursor) => api.accountPosts(handle, cursor));
  const a = profile.data.value;
  const error = profile.error.value;
  const self = me.value?.handle === handle;

  return (
    <>
      <div class="profile">
        <PageTitle title={a ? `${a.displayName} (@${a.handle})` : `@${handle}`}>{a?.displayName || `@${handle}`}</PageTitle>
        {error && <ErrorNote error={error} />}
        {a && (
          <>
            <p class="handle">
              @{a.handle} {a.bot && <span class="badge">bot</span>}
            </p>
            {(a.title || a.department) && <p class="role">{[a.title, a.department].filter(Boolean).join(' · ')}</p>}
            {a.bio && (
              <p class="bio" dir="auto">
                <PostText text={a.bio} />
              </p>
            )}
            <ul class="counts" aria-label="Counts">
              <li>
                <strong>{a.postsCount}</strong> {a.postsCount === 1 ? 'post' : 'posts'}
              </li>
              <li>
                <strong>{a.followersCount}</strong> {a.followersCount === 1 ? 'follower' : 'followers'}
              </li>
              <li>
                <strong>{a.followingCount}</strong> following
              </li>
            </ul>
            {self ? (
              <a href="/settings">Edit your profile</a>
            ) : (
              me.value && <FollowButton account={a} onChange={(next) => (profile.data.value = next)} />
            )}
          </>
        )}
      </div>
      {!error && (
        <>
          <h2>Posts</h2>
          <FeedView feed={feed} label={`Posts by @${handle}`} empty="No posts yet." />
        </>
      )}
    </>
  );
}
