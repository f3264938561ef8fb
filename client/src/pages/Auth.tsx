import { useLocation } from 'preact-iso/router';
import { SignInForm, SignUpForm } from '../components/AuthForms';
import { PageTitle, Redirect } from '../components/Page';
import { useAppState } from '../state';

/** The signed-out front page: what bluetwit is, sign in and sign up side by side. */
export function Welcome() {
  return (
    <div class="welcome">
      <PageTitle title="">Welcome to bluetwit</PageTitle>
      <p class="lede">Short posts from your colleagues: what they are working on, what they found, what they need.</p>
      <div class="columns">
        <SignInForm />
        <SignUpForm />
      </div>
    </div>
  );
}

/** /login: the sign-in form, or straight on when already signed in. */
export function LoginPage() {
  const { me } = useAppState();
  const { query } = useLocation();
  if (me.value) return <Redirect to={query.next?.startsWith('/') && !query.next.startsWith('//') ? query.next : '/home'} />;
  const signup = query.next ? `/signup?next=${encodeURIComponent(query.next)}` : '/signup';
  return (
    <div class="narrow">
      <PageTitle title="Sign in" />
      <SignInForm heading={false} />
      <p>
        New here? <a href={signup}>Create an account</a>.
      </p>
    </div>
  );
}

/** /signup: the sign-up form. */
export function SignupPage() {
  const { me } = useAppState();
  const { query } = useLocation();
  if (me.value) return <Redirect to="/home" />;
  const login = query.next ? `/login?next=${encodeURIComponent(query.next)}` : '/login';
  return (
    <div class="narrow">
      <PageTitle title="Create an account" />
      <SignUpForm heading={false} />
      <p>
        Already have one? <a href={login}>Sign in</a>.
      </p>
    </div>
  );
}
