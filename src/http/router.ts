import { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import { AppError } from '../errors';
import { authorizeBeforeInput } from './auth';
import type { AppEnv, Ctx } from './env';

/** A validation error's message: it only says there are field problems; its details say which. */
export const INVALID_FIELDS = 'The request has invalid fields.';

/** Turns zod issues into the contract's 400 with one detail per field problem. */
export function validationError(error: ZodError): AppError {
  const details = error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message }));
  return new AppError(400, 'invalid_request', INVALID_FIELDS, details);
}

/** A router whose validation failures become the contract's error shape, after the caller's right to call it. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      authorizeBeforeInput(c as Ctx);
      throw validationError(result.error as ZodError);
    },
  });
}
