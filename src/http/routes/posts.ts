import { createRoute, z } from '@hono/zod-openapi';
import { inertJson, postJson } from '../../render/json';
import { publishPost } from '../../services/post-batch';
import { reportPost } from '../../services/moderation';
import { deletePost, getPost, likePost, listReplies, unlikePost } from '../../services/posts';
import { readerOf, requireScope } from '../auth';
import { baseUrl, setNextLink } from '../env';
import { createRouter } from '../router';
import { bearer, errors, IdParam, json, jsonBody, PageQuery, PostPage, PostSchema, errorResponse } from '../schemas';

const NewPost = z.object({
  text: z.string().max(20_000),
  // An empty id is a mistake (an unset variable), not a wish for a top-level post: that is null or no field.
  replyTo: z.string().min(1).max(64).nullable().optional(),
});

export const postRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post', path: '/posts', tags: ['posts'], summary: 'Publish a post', security: bearer,
      description: 'Send an `Idempotency-Key` header to make retries safe: the same key and body return the first response for 24 hours; the same key with another body is a 422.',
      request: { ...jsonBody(NewPost), headers: z.object({ 'idempotency-key': z.string().optional() }) },
      responses: { 201: json(z.object({ post: PostSchema }), 'Created'), 400: errors[400], 401: errors[401], 403: errors[403], 404: errors[404], 422: errorResponse('The Idempotency-Key was first used with another body') },
    }),
    async (c) => {
      const actor = requireScope(c, 'write');
      const base = baseUrl(c);
      const res = await publishPost(c.get('deps'), actor, c.req.valid('json'), {
        idempotencyKey: c.req.header('idempotency-key'),
        render: (post) => inertJson({ post: postJson(post, base) }),
      });
      if (res.replayed) c.header('Idempotent-Replayed', 'true');
      // Where the new post lives (RFC 9110: without it, a 201 names the request's own URL).
      c.header('Location', `${base}/api/posts/${res.id}`);
      return c.body(res.body, 201, { 'Content-Type': 'application/json' }) as never;
    },
  )
  .openapi(
    createRoute({ method: 'get', path: '/posts/{id}', tags: ['posts'], summary: 'One post', security: bearer, request: { params: IdParam }, responses: { 200: json(z.object({ post: PostSchema }), 'The post'), 404: errors[404] } }),
    (c) => {
      const viewer = readerOf(c);
      return c.json({ post: postJson(getPost(c.get('deps'), viewer?.id ?? null, c.req.valid('param').id), baseUrl(c)) }, 200);
    },
  )
  .openapi(
    createRoute({ method: 'delete', path: '/posts/{id}', tags: ['posts'], summary: 'Delete a post (author or admin)', security: bearer, request: { params: IdParam }, responses: { 204: { description: 'Deleted' }, 401: errors[401], 403: errors[403], 404: errors[404] } }),
    (c) => {
      deletePost(c.get('deps'), requireScope(c, 'write'), c.req.valid('param').id);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({ method: 'get', path: '/posts/{id}/replies', tags: ['posts'], summary: 'Replies, oldest first', security: bearer, request: { params: IdParam, query: PageQuery }, responses: { 200: json(PostPage, 'Replies'), 400: errors[400], 404: errors[404] } }),
    (c) => {
      const viewer = readerOf(c);
      const q = c.req.valid('query');
      const page = listReplies(c.get('deps'), viewer?.id ?? null, c.req.valid('param').id, q.limit, q.cursor);
      setNextLink(c, page.next);
      const base = baseUrl(c);
      return c.json({ items: page.items.map((p) => postJson(p, base)), next: page.next }, 200);
    },
  )
  .openapi(
    createRoute({ method: 'post', path: '/posts/{id}/report', tags: ['moderation'], summary: 'Report a post to the admins', security: bearer, request: { params: IdParam, ...jsonBody(z.object({ reason: z.string().max(5000) })) }, responses: { 201: json(z.object({ id: z.string() }), 'Reported'), 400: errors[400], 404: errors[404] } }),
    (c) => {
      const { id } = reportPost(c.get('deps'), requireScope(c, 'write'), c.req.valid('param').id, c.req.valid('json').reason);
      return c.json({ id: String(id) }, 201);
    },
  );

for (const method of ['put', 'delete'] as const) {
  postRoutes.openapi(
    createRoute({ method, path: '/posts/{id}/like', tags: ['posts'], summary: method === 'put' ? 'Like (idempotent)' : 'Unlike (idempotent)', security: bearer, request: { params: IdParam }, responses: { 204: { description: 'Done' }, 401: errors[401], 403: errors[403], 404: errors[404] } }),
    (c) => {
      (method === 'put' ? likePost : unlikePost)(c.get('deps'), requireScope(c, 'write'), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
}
