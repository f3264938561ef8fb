import { api } from '../api';
import { ListFooter } from '../components/ListFooter';
import { PageTitle } from '../components/Page';
import { useList } from '../hooks';
import type { Account } from '../types';
import { PeopleList } from './Directory';

export type Direction = 'followers' | 'following';

const TITLES: Record<Direction, (h: string) => string> = {
  followers: (h) => `Following @${h}`,
  following: (h) => `@${h} follows`,
};

/** /@handle/followers and /@handle/following: the people, newest follow first, each with a follow toggle. */
export function FollowsPage({ handle, direction }: { handle: string; direction: Direction }) {
  const list = useList(`${handle} ${direction}`, (cursor) => api.follows(handle, direction, cursor), (a: Account) => a.handle);
  const items = list.items.value;
  return (
    <>
      <PageTitle title={TITLES[direction](handle)} />
      <p>
        <a href={`/@${handle}`}>Back to @{handle}</a>
      </p>
      <div aria-busy={list.loading.value}>
        <PeopleList people={items} />
        {list.loaded.value && items.length === 0 && !list.error.value && (
          <p class="empty">{direction === 'followers' ? `Nobody follows @${handle} yet.` : `@${handle} follows nobody yet.`}</p>
        )}
      </div>
      <ListFooter list={list} />
    </>
  );
}
