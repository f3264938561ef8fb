import { createRoute, z } from '@hono/zod-openapi';
import { accountJson } from '../../render/json';
import { markFollowed } from '../../services/accounts';
import { search } from '../../services/search';
import { readerOf } from '../auth';
import { postPage } from '../env';
import { createRouter } from '../router';
import { AccountSchema, bearer, errors, json, PostPage, SearchQuery } from '../schemas';

/** Full-text search over posts, and accounts by name. */
export const searchRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get', path: '/search', tags: ['search'], summary: 'Full-text search over posts, and accounts by name', security: bearer,
      request: { query: SearchQuery },
      responses: { 200: json(PostPage.extend({ accounts: z.array(AccountSchema) }), 'Matching posts and accounts'), 400: errors[400], 401: errors[401] },
    }),
    async (c) => {
      const viewer = readerOf(c);
      const q = c.req.valid('query');
      const result = await search(c.get('deps'), viewer?.id ?? null, q.q, { ...q, bots: q.bots !== 'false' });
      return c.json({ ...postPage(c, result), accounts: markFollowed(c.get('deps'), viewer?.id, result.accounts).map(accountJson) }, 200);
    },
  );
