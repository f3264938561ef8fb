import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

describe('config', () => {
  it('has defaults that run out of the box', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, host: '0.0.0.0', dbPath: './data/bluetwit.db', openRead: false, rateLimits: true, postMax: 280 });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('parses values and names each bad variable', () => {
    expect(loadConfig({ PORT: '8080', BLUETWIT_OPEN_READ: 'true', BLUETWIT_RATE_LIMITS: 'off' })).toMatchObject({ port: 8080, openRead: true, rateLimits: false });
    // Operators write On, TRUE, No as often as on, true, no.
    expect(loadConfig({ BLUETWIT_OPEN_READ: 'TRUE', BLUETWIT_RATE_LIMITS: 'Off' })).toMatchObject({ openRead: true, rateLimits: false });
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '70000', BLUETWIT_OPEN_READ: 'maybe' })).toThrow(/PORT[\s\S]*BLUETWIT_OPEN_READ/);
    // scrypt takes only powers of two: anything else would fail every sign-up, so it fails at start instead.
    expect(() => loadConfig({ BLUETWIT_SCRYPT_COST: '20000' })).toThrow(/BLUETWIT_SCRYPT_COST: must be a power of two/);
    expect(loadConfig({ BLUETWIT_SCRYPT_COST: '32768' }).scryptCost).toBe(32768);
    // Plain decimals only, and links only on http(s) URLs.
    for (const env of [{ PORT: '0x10' }, { BLUETWIT_RATE_WINDOW_S: '1e3' }, { PORT: ' 7' }, { BLUETWIT_PUBLIC_URL: 'javascript:alert(1)' }, { BLUETWIT_PUBLIC_URL: 'ftp://x.example' }, { BLUETWIT_PUBLIC_URL: 'https://x.example/?a=1' }]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(new RegExp(Object.keys(env)[0]));
    }
    expect(loadConfig({ BLUETWIT_PUBLIC_URL: 'https://bluetwit.example.com/' }).publicUrl).toBe('https://bluetwit.example.com');
  });

  it('makes the server exit non-zero with the variable named when config is wrong', () => {
    const r = spawnSync(process.execPath, ['dist/server.mjs'], { env: { ...process.env, PORT: 'not-a-port' }, encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('PORT');
  });
});
