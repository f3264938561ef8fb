import { render } from 'preact';
import { loadMe } from './actions';
import { App } from './app';
import { createAppState } from './state';
import './styles.css';

const state = createAppState();
void loadMe(state);
setInterval(() => (state.now.value = Date.now()), 60_000);

render(<App state={state} />, document.getElementById('app')!);
