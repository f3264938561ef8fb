import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso/router';
import { useEffect } from 'preact/hooks';
import { useTitle } from '../hooks';

/** The page's h1, also its document title; focusable so navigation can move focus to it. */
export function PageTitle({ title, children }: { title: string; children?: ComponentChildren }) {
  useTitle(title);
  return (
    <h1 tabIndex={-1} class="page-title">
      {children ?? title}
    </h1>
  );
}

/** Replaces the current URL with `to` once rendered. */
export function Redirect({ to }: { to: string }) {
  const { route } = useLocation();
  useEffect(() => route(to, true), [to]);
  return null;
}

/** Sends a signed-out visitor to sign in, then back here. */
export function SignInFirst() {
  const { url } = useLocation();
  return <Redirect to={`/login?next=${encodeURIComponent(url)}`} />;
}
