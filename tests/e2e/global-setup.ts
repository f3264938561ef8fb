import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The running server's origin, e.g. http://127.0.0.1:41234 */
    baseUrl: string;
    /** The server's SQLite file, for the admin CLI (`src/cli.ts create-admin`). */
    dbPath: string;
  }
}

/**
 * Builds and starts the real server (`dist/server.mjs`, as `npm start` does) on a fresh database in a temporary
 * folder, on a free port, and stops it (SIGTERM) after the last test file.
 */
export default async function setup(project: TestProject) {
  if (!existsSync(join(process.cwd(), 'client', 'dist', 'index.html'))) {
    throw new Error('client/dist is missing: run `npm run build:client` before the browser tests (npm run test does).');
  }
  const dir = mkdtempSync(join(tmpdir(), 'bluetwit-e2e-'));
  const dbPath = join(dir, 'bluetwit.db');
  execFileSync(process.execPath, ['scripts/build-server.mjs'], { stdio: 'inherit' });
  const proc = spawn(process.execPath, ['--enable-source-maps', 'dist/server.mjs'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      BLUETWIT_DB: dbPath,
      BLUETWIT_RATE_LIMITS: 'off',
      BLUETWIT_SCRYPT_COST: '1024',
      BLUETWIT_SHUTDOWN_MS: '2000',
      BLUETWIT_SEED_DEMO: 'false',
      BLUETWIT_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));

  const baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in 30 s:\n${output}`)), 30_000);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before listening:\n${output}`));
    });
    let buffered = '';
    proc.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      buffered += d.toString();
      // pino writes one JSON object per line; the start-up line says where it listens.
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        let msg = line;
        try {
          msg = String((JSON.parse(line) as { msg?: unknown }).msg ?? '');
        } catch {
          // not JSON: match the raw line
        }
        const m = /listening on http:\/\/[^\s]+:(\d+)/.exec(msg);
        if (m) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${m[1]}`);
        }
      }
    });
  });
  project.provide('baseUrl', baseUrl);
  project.provide('dbPath', dbPath);

  return async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGTERM');
      const killed = setTimeout(() => proc.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killed);
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
