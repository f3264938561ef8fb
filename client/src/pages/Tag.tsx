import { api } from '../api';
import { FeedView } from '../components/FeedView';
import { PageTitle } from '../components/Page';
import { usePostFeed } from '../hooks';

/** /tag/:tag: posts carrying #tag. */
export function TagPage({ tag }: { tag: string }) {
  const name = tag.replace(/^#/, '').toLowerCase();
  const feed = usePostFeed(`tag:${name}`, (cursor) => api.tag(name, cursor));
  return (
    <>
      <PageTitle title={`#${name}`} />
      <FeedView feed={feed} label={`Posts tagged #${name}`} empty={`No posts tagged #${name} yet.`} />
    </>
  );
}
