import { useSignal } from '@preact/signals';
import { api } from '../api';
import { asApiError, setBlocked, setFollowing, setMuted } from '../actions';
import { ErrorNote } from '../components/ErrorNote';
import { FeedView } from '../components/FeedView';
import { PageTitle } from '../components/Page';
import { PostText } from '../components/PostText';
import { usePostFeed, useResource } from '../hooks';
import { useAppState } from '../state';
import type { Account } from '../types';

type Relation = 'following' | 'muted' | 'blocked';

const BLOCK_CONFIRM = (h: string) =>
  `Block @${h}? They will no longer be able to follow you, reply to you or notify you, you stop following each other, and their posts are hidden from you.`;

/**
 * Follow, mute and block for someone else's profile. Each button says what it will do; the
 * profile is updated once the server agrees (a block also ends following, on the server too).
 */
function Relations({ account: a, onChange }: { account: Account; onChange: (a: Account) => void }) {
  const state = useAppState();
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const h = a.handle;

  const toggle = async (rel: Relation) => {
    if (busy.value) return;
    const on = !a[rel];
    if (rel === 'blocked' && on && !confirm(BLOCK_CONFIRM(h))) return;
    busy.value = true;
    error.value = null;
    try {
      if (rel === 'following') {
        await setFollowing(state, h, on);
        onChange({ ...a, following: on, followersCount: a.followersCount + (on ? 1 : -1) });
      } else if (rel === 'muted') {
        await setMuted(state, h, on);
        onChange({ ...a, muted: on });
      } else {
        await setBlocked(state, h, on);
        const unfollowed = on && a.following;
        onChange({ ...a, blocked: on, following: on ? false : a.following, followersCount: a.followersCount - (unfollowed ? 1 : 0) });
      }
    } catch (e) {
      error.value = asApiError(e).message;
    } finally {
      busy.value = false;
    }
  };

  const button = (rel: Relation, off: string, onText: string, cls = '') => (
    // aria-disabled while busy: a disabled button would drop keyboard focus to the page.
    <button type="button" class={a[rel] ? `secondary ${cls}` : cls} aria-disabled={busy.value || undefined} onClick={() => toggle(rel)}>
      {a[rel] ? `${onText} @${h}` : `${off} @${h}`}
    </button>
  );

  return (
    <>
      <div class="row wrap relations">
        {/* Someone you blocked cannot be followed until unblocked. */}
        {!a.blocked && button('following', 'Follow', 'Unfollow')}
        {button('muted', 'Mute', 'Unmute', 'quiet')}
        {button('blocked', 'Block', 'Unblock', 'quiet danger')}
      </div>
      <div aria-live="polite">
        {a.blocked ? (
          <p class="note hidden-note">
            You blocked @{h}: they cannot follow you, reply to you or notify you, and their posts are hidden from your timelines, search and
            notifications.
          </p>
        ) : (
          a.muted && <p class="note hidden-note">You muted @{h}: their posts are hidden from your timelines, search and notifications.</p>
        )}
      </div>
      {error.value && (
        <p role="alert" class="note error">
          {error.value}
        </p>
      )}
    </>
  );
}

/** /@handle: who they are, counts, follow, mute and block, and their posts. */
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
                <a href={`/@${a.handle}/followers`}>
                  <strong>{a.followersCount}</strong> {a.followersCount === 1 ? 'follower' : 'followers'}
                </a>
              </li>
              <li>
                <a href={`/@${a.handle}/following`}>
                  <strong>{a.followingCount}</strong> following
                </a>
              </li>
            </ul>
            {self ? (
              <a href="/settings">Edit your profile</a>
            ) : (
              me.value && <Relations account={a} onChange={(next) => (profile.data.value = next)} />
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
