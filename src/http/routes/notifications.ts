import { createRoute, z } from '@hono/zod-openapi';
import { notificationJson } from '../../render/json';
import { listNotifications, markRead } from '../../services/notifications';
import { requireScope } from '../auth';
import { baseUrl, setNextLink } from '../env';
import { createRouter } from '../router';
import { bearer, errors, json, NotificationSchema, PageQuery } from '../schemas';

/** The viewer's notifications, and marking them read. */
export const notificationRoutes = createRouter()
  .openapi(
    createRoute({ method: 'get', path: '/notifications', tags: ['notifications'], summary: 'Notifications, newest first', security: bearer, request: { query: PageQuery }, responses: { 200: json(z.object({ items: z.array(NotificationSchema), next: z.string().nullable(), unreadCount: z.number().int() }), 'Notifications'), 400: errors[400], 401: errors[401] } }),
    (c) => {
      const actor = requireScope(c, 'read');
      const q = c.req.valid('query');
      const page = listNotifications(c.get('deps'), actor.id, q.limit, q.cursor);
      setNextLink(c, page.next);
      const base = baseUrl(c);
      return c.json({ items: page.items.map((n) => notificationJson(n, base)), next: page.next, unreadCount: page.unreadCount }, 200);
    },
  )
  .openapi(
    createRoute({ method: 'post', path: '/notifications/read', tags: ['notifications'], summary: 'Mark all (or up to an id) read', security: bearer, request: { body: { content: { 'application/json': { schema: z.object({ upTo: z.string().max(20).optional() }) } }, required: false } }, responses: { 200: json(z.object({ marked: z.number().int() }), 'Marked'), 400: errors[400], 401: errors[401] } }),
    (c) => {
      const actor = requireScope(c, 'write');
      const body = (c.req.valid('json') ?? {}) as { upTo?: string };
      return c.json({ marked: markRead(c.get('deps'), actor.id, body.upTo) }, 200);
    },
  );
