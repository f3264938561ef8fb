import { execFileSync } from 'node:child_process';

/** Builds the server bundle once, so the tests that start real server processes start what `npm start` runs. */
export default function setup() {
  execFileSync(process.execPath, ['scripts/build-server.mjs'], { stdio: 'inherit' });
}
