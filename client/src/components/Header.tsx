import { useLocation } from 'preact-iso/router';
import { asApiError, signOut } from '../actions';
import { useAppState } from '../state';

/** The site header: brand, main navigation with the unread badge, and the session control. */
export function Header() {
  const state = useAppState();
  const { path, url, route } = useLocation();
  // Signing in (or up) from a page comes back to it.
  const back = path === '/' || path === '/login' || path === '/signup' ? '' : `?next=${encodeURIComponent(url)}`;
  const me = state.me.value;
  const unread = state.unread.value;
  const current = (href: string) => (path === href.split('?')[0] ? 'page' : undefined);

  const links: [string, string][] = me
    ? [
        ['/home', 'Home'],
        ['/public', 'Public'],
        ['/notifications', 'Notifications'],
        ['/directory', 'Directory'],
        ['/search', 'Search'],
        [`/@${me.handle}`, 'Profile'],
        ['/settings', 'Settings'],
        ...(state.role.value === 'admin' ? ([['/reports', 'Reports']] as [string, string][]) : []),
      ]
    : [
        ['/public', 'Public'],
        [`/login${back}`, 'Sign in'],
        [`/signup${back}`, 'Sign up'],
      ];

  return (
    <header class="site">
      <a href="/" class="brand">
        bluetwit
      </a>
      <nav aria-label="Main">
        <ul>
          {links.map(([href, text]) => (
            <li key={text}>
              <a href={href} aria-current={current(href)}>
                {text}
                {href === '/notifications' && unread > 0 && (
                  <span class="badge count-badge">
                    {unread}
                    <span class="sr-only"> unread</span>
                  </span>
                )}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {me && (
        <button
          type="button"
          class="link"
          onClick={() =>
            signOut(state).then(
              () => route('/'),
              (e) => alert(asApiError(e).message),
            )
          }
        >
          Sign out
        </button>
      )}
      <button type="button" class="link help-button" aria-keyshortcuts="?" onClick={() => (state.helpOpen.value = true)}>
        <span aria-hidden="true">?</span>
        <span class="sr-only">Keyboard shortcuts</span>
      </button>
    </header>
  );
}
