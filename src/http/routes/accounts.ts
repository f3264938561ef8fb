import { createRoute, z } from '@hono/zod-openapi';
import { accountJson, postJson } from '../../render/json';
import { createAccount, getAccount, getAccountById, listDirectory, markFollowed, updateProfile } from '../../services/accounts';
import { follow, listFollows, unfollow } from '../../services/follows';
import { hide, unhide } from '../../services/moderation';
import { accountTimeline } from '../../services/timelines';
import { readerOf, requireCredential, requireScope, startSession } from '../auth';
import { baseUrl, setNextLink } from '../env';
import { createRouter } from '../router';
import {
  AccountPage, AccountSchema, bearer, DirectoryQuery, errors, HandleParam, json, jsonBody, PageQuery, PostPage, TimelineQuery, errorResponse } from '../schemas';

const SignUpBody = z.object({
  handle: z.string().max(64),
  displayName: z.string().max(200),
  password: z.string().max(1024),
  bot: z.boolean().optional(),
});

const ProfileBody = z.object({
  displayName: z.string().max(200).optional(),
  bio: z.string().max(2000).optional(),
  department: z.string().max(200).optional(),
  title: z.string().max(200).optional(),
});


export const accountRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post', path: '/accounts', tags: ['accounts'], summary: 'Sign up',
      request: jsonBody(SignUpBody),
      responses: { 201: json(z.object({ account: AccountSchema }), 'Created; a session cookie is set'), 400: errors[400], 409: errorResponse('The handle is taken') },
    }),
    async (c) => {
      const account = await createAccount(c.get('deps'), c.req.valid('json'));
      startSession(c, account.id);
      c.header('Location', `${baseUrl(c)}/api/accounts/${account.handle}`);
      return c.json({ account: accountJson(account) }, 201);
    },
  )
  .openapi(
    createRoute({ method: 'get', path: '/me', tags: ['accounts'], summary: 'Own account', security: bearer, responses: { 200: json(z.object({ account: AccountSchema, role: z.string() }), 'Own account'), 401: errors[401] } }),
    (c) => {
      const actor = requireCredential(c);
      return c.json({ account: accountJson(getAccountById(c.get('deps'), actor.id)), role: actor.role }, 200);
    },
  )
  .openapi(
    createRoute({ method: 'patch', path: '/me', tags: ['accounts'], summary: 'Edit own profile', security: bearer, request: jsonBody(ProfileBody), responses: { 200: json(z.object({ account: AccountSchema }), 'Updated'), 400: errors[400], 401: errors[401], 403: errors[403] } }),
    (c) => {
      const actor = requireScope(c, 'write');
      return c.json({ account: accountJson(updateProfile(c.get('deps'), actor.id, c.req.valid('json'))) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get', path: '/accounts', tags: ['accounts'], summary: 'Colleague directory, by display name', security: bearer,
      request: { query: DirectoryQuery },
      responses: { 200: json(AccountPage, 'Accounts'), 400: errors[400], 401: errors[401] },
    }),
    (c) => {
      const viewer = readerOf(c);
      const q = c.req.valid('query');
      const page = listDirectory(c.get('deps'), q);
      setNextLink(c, page.next);
      return c.json({ items: markFollowed(c.get('deps'), viewer?.id, page.items).map(accountJson), next: page.next }, 200);
    },
  )
  .openapi(
    createRoute({ method: 'get', path: '/accounts/{handle}', tags: ['accounts'], summary: 'Profile', security: bearer, request: { params: HandleParam }, responses: { 200: json(z.object({ account: AccountSchema }), 'Profile'), 404: errors[404] } }),
    (c) => {
      const viewer = readerOf(c);
      return c.json({ account: accountJson(getAccount(c.get('deps'), c.req.valid('param').handle, viewer?.id)) }, 200);
    },
  )
  .openapi(
    createRoute({ method: 'get', path: '/accounts/{handle}/posts', tags: ['timelines'], summary: "An account's posts", security: bearer, request: { params: HandleParam, query: TimelineQuery }, responses: { 200: json(PostPage, 'Posts'), 400: errors[400], 404: errors[404] } }),
    (c) => {
      const viewer = readerOf(c);
      const q = c.req.valid('query');
      const page = accountTimeline(c.get('deps'), viewer?.id ?? null, c.req.valid('param').handle, { ...q, bots: q.bots !== 'false' });
      setNextLink(c, page.next);
      const base = baseUrl(c);
      return c.json({ items: page.items.map((p) => postJson(p, base)), next: page.next }, 200);
    },
  );

for (const direction of ['followers', 'following'] as const) {
  accountRoutes.openapi(
    createRoute({ method: 'get', path: `/accounts/{handle}/${direction}`, tags: ['follows'], summary: direction === 'followers' ? 'Followers' : 'Followed accounts', security: bearer, request: { params: HandleParam, query: PageQuery }, responses: { 200: json(AccountPage, 'Accounts'), 404: errors[404] } }),
    (c) => {
      const viewer = readerOf(c);
      const q = c.req.valid('query');
      const page = listFollows(c.get('deps'), c.req.valid('param').handle, direction, q.limit, q.cursor);
      setNextLink(c, page.next);
      return c.json({ items: markFollowed(c.get('deps'), viewer?.id, page.items).map(accountJson), next: page.next }, 200);
    },
  );
}

const relations = {
  follow: { on: follow, off: unfollow, summary: 'follow' },
  mute: { on: (d, a, h) => hide(d, a, h, 'mute'), off: (d, a, h) => unhide(d, a, h, 'mute'), summary: 'mute' },
  block: { on: (d, a, h) => hide(d, a, h, 'block'), off: (d, a, h) => unhide(d, a, h, 'block'), summary: 'block' },
} satisfies Record<string, { on: typeof follow; off: typeof follow; summary: string }>;

for (const [name, rel] of Object.entries(relations)) {
  for (const method of ['put', 'delete'] as const) {
    accountRoutes.openapi(
      createRoute({
        method, path: `/accounts/{handle}/${name}`, tags: ['follows'], security: bearer,
        summary: `${method === 'put' ? '' : 'un'}${rel.summary} (idempotent)`,
        request: { params: HandleParam },
        responses: { 204: { description: 'Done' }, 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404] },
      }),
      (c) => {
        const actor = requireScope(c, 'write');
        (method === 'put' ? rel.on : rel.off)(c.get('deps'), actor, c.req.valid('param').handle);
        return c.body(null, 204);
      },
    );
  }
}

