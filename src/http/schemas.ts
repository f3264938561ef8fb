import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

export const AccountSchema = z
  .object({
    handle: z.string(),
    displayName: z.string(),
    bio: z.string(),
    department: z.string(),
    title: z.string(),
    bot: z.boolean(),
    createdAt: z.string(),
    followersCount: z.number().int(),
    followingCount: z.number().int(),
    postsCount: z.number().int(),
    following: z.boolean().optional(),
    muted: z.boolean().optional(),
    blocked: z.boolean().optional(),
  })
  .openapi('Account');

export const PostSchema = z
  .object({
    id: z.string(),
    author: z.object({ handle: z.string(), displayName: z.string(), bot: z.boolean() }),
    text: z.string(),
    createdAt: z.string(),
    replyTo: z.string().nullable(),
    mentions: z.array(z.string()),
    tags: z.array(z.string()),
    likeCount: z.number().int(),
    replyCount: z.number().int(),
    liked: z.boolean().optional(),
    url: z.string(),
  })
  .openapi('Post');

export const NotificationSchema = z
  .object({
    id: z.string(),
    type: z.enum(['mention', 'reply', 'like', 'follow']),
    account: AccountSchema,
    post: PostSchema.optional(),
    createdAt: z.string(),
    read: z.boolean(),
  })
  .openapi('Notification');

export const TokenSchema = z
  .object({ id: z.string(), name: z.string(), scopes: z.array(z.enum(['read', 'write'])), createdAt: z.string() })
  .openapi('Token');

/** `{ items, next }` of the given entity. */
export const pageOf = <T extends z.ZodTypeAny>(item: T, name: string) =>
  z.object({ items: z.array(item), next: z.string().nullable() }).openapi(name);

export const PostPage = pageOf(PostSchema, 'PostPage');
export const AccountPage = pageOf(AccountSchema, 'AccountPage');

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: 'Page size (1–100).' }),
  // Room for the directory's cursor, which carries a folded name (a 50-character name can fold to ~900).
  cursor: z.string().max(4096).optional().openapi({ description: 'Opaque cursor from a previous page.' }),
});

export const TimelineQuery = PageQuery.extend({
  bots: z.enum(['true', 'false']).optional().openapi({ description: '`false` leaves out posts by bot accounts.' }),
});

export const SearchQuery = TimelineQuery.extend({
  q: z.string().max(500).default(''),
  order: z.enum(['new', 'relevance']).default('new'),
});

export const DirectoryQuery = PageQuery.extend({ q: z.string().max(100).optional(), department: z.string().max(200).optional() });

export const HandleParam = z.object({ handle: z.string().min(1).max(64).openapi({ param: { name: 'handle', in: 'path' } }) });
export const IdParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) });

/** An error response of the contract's shape, described (a route's own 409 or 422, say). */
export const errorResponse = (description: string) => ({ content: { 'application/json': { schema: ErrorSchema } }, description });

/** Standard error responses for the document. */
export const errors = {
  400: errorResponse('Invalid input'),
  401: errorResponse('Not signed in'),
  403: errorResponse('Not allowed'),
  404: errorResponse('Not found'),
} as const;

type OpenApiOperation = {
  security?: unknown[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, { content?: Record<string, unknown> } | unknown>;
};

/**
 * Adds to every operation of a generated OpenAPI document the answers the app's middleware and validation can
 * give whatever the route: 429 (rate limits, open streams) everywhere, 401 and 403 where a credential is needed,
 * 400 where there is input to validate, 413 and 415 where a body is taken, and 304 for a GET of JSON (every one
 * answers If-None-Match from its ETag). Routes list only the errors their own handlers give.
 */
export function documentMiddlewareErrors(doc: { paths?: Record<string, Record<string, OpenApiOperation>> }): void {
  const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  for (const ops of Object.values(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(ops)) {
      const responses = (op.responses ??= {});
      if (op.parameters?.length || op.requestBody) responses['400'] ??= error('Invalid input; `details` names each field problem');
      const ok = responses['200'] as { content?: Record<string, unknown> } | undefined;
      if (method === 'get' && ok?.content?.['application/json']) responses['304'] ??= { description: 'Not modified: the ETag sent in If-None-Match still holds' };
      if (op.security?.length) {
        responses['401'] ??= error('Not signed in, or the bearer token is not valid');
        responses['403'] ??= error('The credential lacks the scope or role this needs');
      }
      if (op.requestBody) {
        responses['413'] ??= error('The body is over the size limit');
        responses['415'] ??= error('The body is not sent as application/json');
      }
      responses['429'] ??= error('Too many requests: wait as long as Retry-After says');
      if (method !== 'get') responses['503'] ??= error('The database file is gone or was replaced: nothing can be saved until a restart');
    }
  }
}

/**
 * The OpenAPI document as JSON naming any server URL, from `generate` called once, the first time, with a stand-in
 * URL that each answer then replaces.
 */
export function openApiJson(generate: (server: string) => object): (server: string) => string {
  const STAND_IN = '\u0000server\u0000';
  let parts: string[] | undefined;
  return (server) => {
    parts ??= JSON.stringify(generate(STAND_IN)).split(JSON.stringify(STAND_IN));
    return parts.join(JSON.stringify(server));
  };
}

/** A JSON response entry for createRoute. */
export const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/** A required JSON request body for createRoute. */
export const jsonBody = <T extends z.ZodTypeAny>(schema: T) => ({
  body: { content: { 'application/json': { schema } }, required: true },
});

export const bearer: Record<string, string[]>[] = [{ bearerAuth: [] }, { cookieAuth: [] }];
