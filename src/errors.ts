import type { ContentfulStatusCode } from 'hono/utils/http-status';

export type ErrorDetail = { field: string; message: string };

/** The one error type: a status, a stable snake_case code, a message safe to show, and an internal cause. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly safeMessage: string,
    readonly details?: ErrorDetail[],
    cause?: unknown,
  ) {
    super(safeMessage, { cause });
  }

  /** A command the message tells a terminal user to run: never cut short to fit a width. */
  command?: string;

  /** This error, telling the reader to run `command` (after `lead`). */
  static withCommand(status: ContentfulStatusCode, code: string, lead: string, command: string): AppError {
    return Object.assign(new AppError(status, code, `${lead}${command}`), { command });
  }
}

export const badRequest = (message: string, details?: ErrorDetail[], code = 'invalid_request') =>
  new AppError(400, code, message, details);
export const unauthorized = (message = 'Sign in or send a bearer token.') =>
  new AppError(401, 'unauthorized', message);
export const forbidden = (message = 'You are not allowed to do that.', code = 'forbidden') =>
  new AppError(403, code, message);
export const notFound = (what = 'Resource') => new AppError(404, 'not_found', `${what} not found.`);
export const conflict = (message: string, code = 'conflict') => new AppError(409, code, message);
export const unprocessable = (message: string, code = 'unprocessable') => new AppError(422, code, message);
