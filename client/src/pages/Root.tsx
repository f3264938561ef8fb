import { useAppState } from '../state';
import { Welcome } from './Auth';
import { PublicPage } from './Timelines';

/** /: the public timeline when signed in, else the sign-in and sign-up screen. */
export function RootPage() {
  return useAppState().me.value ? <PublicPage /> : <Welcome />;
}
