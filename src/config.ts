import { z } from 'zod';

const bool = z
  .string()
  .transform((v) => v.toLowerCase())
  .pipe(z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off']))
  .transform((v) => v === 'true' || v === '1' || v === 'yes' || v === 'on');

// Plain decimal only: Number() would also take 0x10, 1e3 or '  7 '.
const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const schema = z.object({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  BLUETWIT_DB: z.string().min(1).default('./data/bluetwit.db'),
  BLUETWIT_OPEN_READ: bool.default(false),
  BLUETWIT_RATE_LIMITS: bool.default(true),
  BLUETWIT_POST_MAX: int(1, 10_000).default(280),
  // What links are built on: http(s) only (a prefix path behind a proxy is fine), no query or fragment to glue paths onto.
  BLUETWIT_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .refine((u) => !/[?#]/.test(u), 'must be like https://bluetwit.example.com, without ? or #')
    .optional(),
  BLUETWIT_COOKIE_SECURE: z.enum(['auto', 'true', 'false']).default('auto'),
  BLUETWIT_TRUST_PROXY: bool.default(false),
  BLUETWIT_RATE_READ: int(1, 1_000_000).default(600),
  BLUETWIT_RATE_WRITE: int(1, 1_000_000).default(120),
  BLUETWIT_RATE_AUTH: int(1, 1_000_000).default(10),
  BLUETWIT_RATE_SEARCH: int(1, 1_000_000).default(60),
  BLUETWIT_RATE_WINDOW_S: int(1, 86_400).default(60),
  BLUETWIT_BODY_LIMIT: int(1024, 10_000_000).default(64 * 1024),
  BLUETWIT_SESSION_DAYS: int(1, 3650).default(30),
  BLUETWIT_GUIDELINES: z.string().optional(),
  BLUETWIT_SEED_DEMO: bool.default(false),
  BLUETWIT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  BLUETWIT_SCRYPT_COST: int(1024, 1 << 20).refine((n) => (n & (n - 1)) === 0, 'must be a power of two').default(16384),
  BLUETWIT_SHUTDOWN_MS: int(100, 600_000).default(10_000),
});

export type Config = Readonly<{
  port: number;
  host: string;
  dbPath: string;
  openRead: boolean;
  rateLimits: boolean;
  postMax: number;
  publicUrl?: string;
  cookieSecure: 'auto' | boolean;
  trustProxy: boolean;
  rate: Readonly<{ read: number; write: number; auth: number; search: number; windowMs: number }>;
  bodyLimit: number;
  sessionDays: number;
  guidelines?: string;
  seedDemo: boolean;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  scryptCost: number;
  shutdownMs: number;
}>;

export class ConfigError extends Error {}

/** Parses the environment once into a frozen Config; throws ConfigError naming each bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const parsed = schema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dbPath: e.BLUETWIT_DB,
    openRead: e.BLUETWIT_OPEN_READ,
    rateLimits: e.BLUETWIT_RATE_LIMITS,
    postMax: e.BLUETWIT_POST_MAX,
    publicUrl: e.BLUETWIT_PUBLIC_URL?.replace(/\/+$/, ''),
    cookieSecure: e.BLUETWIT_COOKIE_SECURE === 'auto' ? 'auto' : e.BLUETWIT_COOKIE_SECURE === 'true',
    trustProxy: e.BLUETWIT_TRUST_PROXY,
    rate: Object.freeze({
      read: e.BLUETWIT_RATE_READ,
      write: e.BLUETWIT_RATE_WRITE,
      auth: e.BLUETWIT_RATE_AUTH,
      search: e.BLUETWIT_RATE_SEARCH,
      windowMs: e.BLUETWIT_RATE_WINDOW_S * 1000,
    }),
    bodyLimit: e.BLUETWIT_BODY_LIMIT,
    sessionDays: e.BLUETWIT_SESSION_DAYS,
    guidelines: e.BLUETWIT_GUIDELINES,
    seedDemo: e.BLUETWIT_SEED_DEMO,
    logLevel: e.BLUETWIT_LOG_LEVEL,
    scryptCost: e.BLUETWIT_SCRYPT_COST,
    shutdownMs: e.BLUETWIT_SHUTDOWN_MS,
  });
}

/** A config for tests: defaults, fast hashing, rate limits off, overridable. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return Object.freeze({
    ...loadConfig({ BLUETWIT_DB: ':memory:', BLUETWIT_RATE_LIMITS: 'off', BLUETWIT_SCRYPT_COST: '1024' }),
    ...overrides,
  });
}
