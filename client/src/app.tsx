import type { ComponentChildren } from 'preact';
import { useEffect, useErrorBoundary } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso/router';
import { loadMe } from './actions';
import { Header } from './components/Header';
import { HelpDialog } from './components/HelpDialog';
import { useShortcuts, useUnreadPolling } from './hooks';
import { SignupPage, LoginPage } from './pages/Auth';
import { DirectoryPage } from './pages/Directory';
import { FollowsPage } from './pages/Follows';
import { HelpPage } from './pages/Help';
import { NotFoundPage } from './pages/NotFound';
import { NotificationsPage } from './pages/Notifications';
import { ProfilePage } from './pages/Profile';
import { ReportsPage } from './pages/Reports';
import { RootPage } from './pages/Root';
import { SearchPage } from './pages/Search';
import { SettingsPage } from './pages/Settings';
import { TagPage } from './pages/Tag';
import { ThreadPage } from './pages/Thread';
import { HomePage, PublicPage } from './pages/Timelines';
import { AppContext, useAppState, type AppState } from './state';

// preact-iso matches whole segments only, so "/@:handle" is a "/:at" segment checked here.
const handleOf = (at: string) => (at.startsWith('@') && at.length > 1 ? at.slice(1).toLowerCase() : null);

function ProfileRoute({ at }: { at: string }) {
  const handle = handleOf(at);
  return handle ? <ProfilePage handle={handle} /> : <NotFoundPage />;
}

function ThreadRoute({ at, postId }: { at: string; postId: string }) {
  const handle = handleOf(at);
  if (!handle) return <NotFoundPage />;
  // Post ids are 12 characters, so these two words are never one.
  if (postId === 'followers' || postId === 'following') return <FollowsPage handle={handle} direction={postId} />;
  return <ThreadPage handle={handle} id={postId} />;
}

/**
 * A page that fails to render shows why instead of blanking the app; an address the router cannot decode
 * (`/tag/%E0`) is one that leads nowhere. Moving to another address tries again.
 */
function RouteErrors({ children }: { children: ComponentChildren }) {
  const { url } = useLocation();
  const [error, retry] = useErrorBoundary();
  // Not keyed by the URL: that would remount the router and its page on every change of the query too.
  useEffect(() => {
    if (error) retry();
  }, [url]);
  if (!error) return <>{children}</>;
  if (error instanceof URIError) return <NotFoundPage />;
  return <p role="alert">This page could not be shown: {error instanceof Error ? error.message : String(error)}</p>;
}

/** After client-side navigation, focus goes to the new page's heading, as a page load would. */
function focusHeading() {
  document.querySelector<HTMLElement>('main h1')?.focus({ preventScroll: true });
}

function Shell() {
  const state = useAppState();
  useShortcuts();
  useUnreadPolling();

  if (state.me.value === undefined) {
    return state.bootError.value ? (
      <main id="main" class="boot">
        <p role="alert">bluetwit could not start: {state.bootError.value}</p>
        <button type="button" onClick={() => loadMe(state)}>
          Try again
        </button>
      </main>
    ) : (
      <main id="main" class="boot">
        <p role="status">Loading…</p>
      </main>
    );
  }

  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" tabIndex={-1}>
        <RouteErrors>
          <Router onRouteChange={focusHeading}>
            <Route path="/" component={RootPage} />
            <Route path="/home" component={HomePage} />
            <Route path="/public" component={PublicPage} />
            <Route path="/tag/:tag" component={TagPage} />
            <Route path="/search" component={SearchPage} />
            <Route path="/directory" component={DirectoryPage} />
            <Route path="/help" component={HelpPage} />
            <Route path="/notifications" component={NotificationsPage} />
            <Route path="/settings" component={SettingsPage} />
            <Route path="/reports" component={ReportsPage} />
            <Route path="/login" component={LoginPage} />
            <Route path="/signup" component={SignupPage} />
            <Route path="/:at" component={ProfileRoute} />
            <Route path="/:at/:postId" component={ThreadRoute} />
            <Route default component={NotFoundPage} />
          </Router>
        </RouteErrors>
      </main>
      <HelpDialog />
    </>
  );
}

/** The whole client: state context, routing on real URLs, header, pages and the help dialog. */
export function App({ state }: { state: AppState }) {
  return (
    <AppContext.Provider value={state}>
      <LocationProvider>
        <Shell />
      </LocationProvider>
    </AppContext.Provider>
  );
}
