import { createRoute, z } from '@hono/zod-openapi';
import { reportJson } from '../../render/json';
import { listReports } from '../../services/moderation';
import { requireAdmin } from '../auth';
import { baseUrl, setNextLink } from '../env';
import { createRouter } from '../router';
import { bearer, errors, json, PageQuery, PostSchema } from '../schemas';

const ReportSchema = z
  .object({
    id: z.string(),
    postId: z.string(),
    post: PostSchema.nullable().openapi({ description: 'null once the post is deleted' }),
    reporter: z.string().openapi({ description: 'The handle of who reported it' }),
    reason: z.string(),
    createdAt: z.string(),
  })
  .openapi('Report');

/** Open reports, for admins. (Reporting a post is under /posts.) */
export const reportRoutes = createRouter()
  .openapi(
    createRoute({ method: 'get', path: '/reports', tags: ['moderation'], summary: 'Open reports (admins)', security: bearer, request: { query: PageQuery }, responses: { 200: json(z.object({ items: z.array(ReportSchema), next: z.string().nullable() }), 'Reports'), 401: errors[401], 403: errors[403] } }),
    (c) => {
      const actor = requireAdmin(c);
      const q = c.req.valid('query');
      const page = listReports(c.get('deps'), actor, q.limit, q.cursor);
      setNextLink(c, page.next);
      const base = baseUrl(c);
      return c.json({ items: page.items.map((r) => reportJson(r, base)), next: page.next }, 200);
    },
  );
