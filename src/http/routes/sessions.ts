import { createRoute, z } from '@hono/zod-openapi';
import { deleteCookie, getCookie } from 'hono/cookie';
import { accountJson } from '../../render/json';
import { getAccountById } from '../../services/accounts';
import { authenticate, createToken, deleteSession, listTokens, revokeToken } from '../../services/auth';
import { badRequest } from '../../errors';
import { requireSession, SESSION_COOKIE, startSession } from '../auth';
import { createRouter } from '../router';
import { AccountSchema, bearer, errors, IdParam, json, jsonBody, TokenSchema, errorResponse } from '../schemas';

const Credentials = z.object({ handle: z.string().max(64), password: z.string().max(1024) });
const Scopes = z.array(z.enum(['read', 'write'])).min(1).max(2);
const NewToken = z.object({
  name: z.string().trim().min(1).max(100).refine((s) => !/\p{Cs}/u.test(s), 'A lone UTF-16 surrogate is not a character.'),
  scopes: Scopes.default(['read']),
  handle: z.string().max(64).optional(),
  password: z.string().max(1024).optional(),
});

export const sessionRoutes = createRouter()
  .openapi(
    createRoute({ method: 'post', path: '/sessions', tags: ['auth'], summary: 'Sign in', request: jsonBody(Credentials), responses: { 200: json(z.object({ account: AccountSchema }), 'Signed in; session cookie set'), 401: errors[401] } }),
    async (c) => {
      const { handle, password } = c.req.valid('json');
      const row = await authenticate(c.get('deps'), handle, password);
      startSession(c, row.id);
      return c.json({ account: accountJson(getAccountById(c.get('deps'), row.id)) }, 200);
    },
  )
  .openapi(
    createRoute({ method: 'delete', path: '/sessions', tags: ['auth'], summary: 'Sign out', security: bearer, responses: { 204: { description: 'Signed out' }, 401: errors[401] } }),
    (c) => {
      // A cookie whose session has already ended (signed out in another tab, expired, ended by an admin) is
      // cleared with the 401, so the browser does not go on sending it.
      if (!c.get('actor') && getCookie(c, SESSION_COOKIE) !== undefined) deleteCookie(c, SESSION_COOKIE, { path: '/' });
      requireSession(c);
      deleteSession(c.get('deps'), getCookie(c, SESSION_COOKIE)!);
      deleteCookie(c, SESSION_COOKIE, { path: '/' });
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'post', path: '/tokens', tags: ['auth'], summary: 'Create an API token (the secret is shown only here)',
      description: 'With a session cookie, or with `handle` and `password` in the body (for bots and scripts).',
      request: jsonBody(NewToken),
      responses: {
        201: json(TokenSchema.extend({ token: z.string() }), 'Created'), 400: errors[400], 401: errors[401],
        403: errorResponse('Signed in with a token: a token is made with a browser session or a password'), 409: errorResponse('The account holds the most tokens it may; revoke one first'),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      let accountId: number;
      if (body.handle !== undefined || body.password !== undefined) {
        if (!body.handle || !body.password) {
          const missing = body.handle ? 'password' : 'handle';
          throw badRequest('Send both handle and password.', [{ field: missing, message: 'Required with the other.' }]);
        }
        accountId = (await authenticate(c.get('deps'), body.handle, body.password)).id;
      } else {
        accountId = requireSession(c).id;
      }
      return c.json(createToken(c.get('deps'), accountId, body.name, body.scopes), 201);
    },
  )
  .openapi(
    createRoute({ method: 'get', path: '/tokens', tags: ['auth'], summary: 'List own tokens (no secrets)', security: bearer, responses: { 200: json(z.object({ items: z.array(TokenSchema) }), 'Tokens'), 401: errors[401], 403: errors[403] } }),
    (c) => c.json({ items: listTokens(c.get('deps'), requireSession(c).id) }, 200),
  )
  .openapi(
    createRoute({ method: 'delete', path: '/tokens/{id}', tags: ['auth'], summary: 'Revoke a token', security: bearer, request: { params: IdParam }, responses: { 204: { description: 'Revoked' }, 401: errors[401], 403: errors[403], 404: errors[404] } }),
    (c) => {
      revokeToken(c.get('deps'), requireSession(c).id, c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
