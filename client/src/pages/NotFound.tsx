import { PageTitle } from '../components/Page';

/** Anything the router does not know. */
export function NotFoundPage() {
  return (
    <>
      <PageTitle title="Not found" />
      <p>
        There is nothing at this address. Try the <a href="/">front page</a> or the <a href="/directory">directory</a>.
      </p>
    </>
  );
}
