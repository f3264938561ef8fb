import { render } from 'preact';
import { forgetAccount, loadMe } from './actions';
import { whenSignedOut } from './api';
import { App } from './app';
import { createAppState } from './state';
import './styles.css';

const state = createAppState();
// An expired or revoked session signs the client out wherever it is noticed, so signing in again is possible.
whenSignedOut(() => {
  if (state.me.value) forgetAccount(state);
});
void loadMe(state);
setInterval(() => (state.now.value = Date.now()), 60_000);

render(<App state={state} />, document.getElementById('app')!);
