import type { Account, Notification, Page, Post, Report, Scope, Token } from './types';

export type ErrorDetail = { field?: string; message: string };

/** A failed API call, carrying the contract's `{error: {code, message, details}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type ProfilePatch = Partial<Pick<Account, 'displayName' | 'bio' | 'department' | 'title'>>;

type Query = Record<string, string | number | boolean | null | undefined>;

/** A path with its query string; empty and missing values are left out. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function toError(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  if (res.status === 429) {
    // The server's sentence says what was too many; the wait is in the header, so say it in seconds.
    const what = e && typeof e.message === 'string' ? e.message.split(';')[0] : 'Too many requests';
    const wait = Number(res.headers.get('Retry-After'));
    return new ApiError(429, 'rate_limited', `${what}; try again in ${Number.isFinite(wait) && wait > 0 ? `${Math.ceil(wait)} s` : 'a minute'}.`);
  }
  if (e && typeof e.code === 'string' && typeof e.message === 'string') {
    return new ApiError(res.status, e.code, e.message, Array.isArray(e.details) ? (e.details as ErrorDetail[]) : []);
  }
  return new ApiError(res.status, `http_${res.status}`, `The server answered ${res.status} ${res.statusText}.`.trim());
}

let onSignedOut: (() => void) | null = null;

/**
 * Called when the server says the session is gone (expired, signed out elsewhere, revoked): a 401 other than
 * wrong credentials, which only means the password just typed was wrong.
 */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

/** Calls the JSON API on this origin with the session cookie; resolves to the body (undefined for 204). */
export async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const init: RequestInit = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network_error', 'Could not reach the server. Check your connection and try again.');
  }
  if (!res.ok) {
    const err = await toError(res);
    if (err.status === 401 && err.code !== 'invalid_credentials') onSignedOut?.();
    throw err;
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

const get = <T>(path: string, query?: Query) => request<T>('GET', withQuery(path, query));
const seg = encodeURIComponent;

/** Accepts an entity either bare or wrapped as `{[key]: entity}`, as create responses are. */
async function entity<T extends object>(key: string, body: Promise<unknown>): Promise<T> {
  const b = (await body) as Record<string, unknown>;
  return (b && typeof b[key] === 'object' && b[key] !== null ? b[key] : b) as T;
}

/** Every endpoint the client uses, named after what it does. */
export const api = {
  /** The signed-in account and its role ("admin" or not). */
  me: async () => {
    const body = await get<{ account?: Account; role?: string } & Partial<Account>>('/api/me');
    return { account: (body.account ?? body) as Account, role: body.role ?? null };
  },
  updateMe: (patch: ProfilePatch) => entity<Account>('account', request('PATCH', '/api/me', patch)),
  signIn: (handle: string, password: string) =>
    entity<Account>('account', request('POST', '/api/sessions', { handle, password })),
  signUp: (handle: string, displayName: string, password: string) =>
    entity<Account>('account', request('POST', '/api/accounts', { handle, displayName, password })),
  signOut: () => request<void>('DELETE', '/api/sessions'),

  tokens: async () => {
    const body = await get<Token[] | Page<Token>>('/api/tokens');
    return Array.isArray(body) ? body : body.items;
  },
  createToken: (name: string, scopes: Scope[]) => request<Token & { token: string }>('POST', '/api/tokens', { name, scopes }),
  revokeToken: (id: string) => request<void>('DELETE', `/api/tokens/${seg(id)}`),

  directory: (q: string, department: string, cursor?: string) =>
    get<Page<Account>>('/api/accounts', { q, department, cursor }),
  account: (handle: string) => entity<Account>('account', get(`/api/accounts/${seg(handle)}`)),
  accountPosts: (handle: string, cursor?: string) => get<Page<Post>>(`/api/accounts/${seg(handle)}/posts`, { cursor }),
  follows: (handle: string, direction: 'followers' | 'following', cursor?: string) =>
    get<Page<Account>>(`/api/accounts/${seg(handle)}/${direction}`, { cursor }),
  follow: (handle: string, on: boolean) => request<void>(on ? 'PUT' : 'DELETE', `/api/accounts/${seg(handle)}/follow`),
  mute: (handle: string, on: boolean) => request<void>(on ? 'PUT' : 'DELETE', `/api/accounts/${seg(handle)}/mute`),
  block: (handle: string, on: boolean) => request<void>(on ? 'PUT' : 'DELETE', `/api/accounts/${seg(handle)}/block`),

  post: (id: string) => entity<Post>('post', get(`/api/posts/${seg(id)}`)),
  replies: (id: string, cursor?: string) => get<Page<Post>>(`/api/posts/${seg(id)}/replies`, { cursor }),
  createPost: (text: string, replyTo: string | undefined, idempotencyKey: string) =>
    entity<Post>('post', request('POST', '/api/posts', replyTo ? { text, replyTo } : { text }, { 'Idempotency-Key': idempotencyKey })),
  deletePost: (id: string) => request<void>('DELETE', `/api/posts/${seg(id)}`),
  like: (id: string, on: boolean) => request<void>(on ? 'PUT' : 'DELETE', `/api/posts/${seg(id)}/like`),
  report: (id: string, reason: string) => request<unknown>('POST', `/api/posts/${seg(id)}/report`, { reason }),
  reports: (cursor?: string) => get<Page<Report>>('/api/reports', { cursor }),

  timeline: (name: 'home' | 'public', cursor?: string) => get<Page<Post>>(`/api/timelines/${name}`, { cursor }),
  tag: (tag: string, cursor?: string) => get<Page<Post>>(`/api/timelines/tag/${seg(tag)}`, { cursor }),
  /** Every terminal command with examples for this host, as `curl HOST/help` prints them. */
  terminalHelp: async () => (await get<{ help: string }>('/help', { format: 'json' })).help,
  search: (q: string, cursor?: string) => get<Page<Post> & { accounts?: Account[] }>('/api/search', { q, cursor }),

  notifications: (cursor?: string, limit?: number) =>
    get<Page<Notification> & { unreadCount: number }>('/api/notifications', { cursor, limit }),
  markRead: (upTo?: string) => request<unknown>('POST', '/api/notifications/read', upTo ? { upTo } : {}),
};
