import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { DatabaseUnavailableError, isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../../db/unavailable';
import { AppError, NOT_FOUND_MESSAGE } from '../../errors';
import { TooManyAttempts } from '../../users/throttle';
import { renderPage } from '../render';
import { errorText, logLine } from '../../log';

/** Text a person typed into a form that failed as a whole, shown so nothing typed is lost. */
const KEPT_FIELDS = ['title', 'description', 'comment'];

export const notFound: RequestHandler = (req, res) => {
  renderPage(req, res, 'pages/errors/error', 'Not Found', { message: NOT_FOUND_MESSAGE, loginUrl: loginUrlFor(req) }, 404);
};

/**
 * For a visitor who is not logged in, a link to log in and come back: a page that is hidden
 * from them, or refused until they log in, may well be one they can see once they have.
 */
function loginUrlFor(req: Request): string | null {
  return req.viewer || req.authSession || req.method !== 'GET' ? null : `/login?next=${encodeURIComponent(req.originalUrl)}`;
}

function asAppError(err: unknown): AppError | null {
  if (isDatabaseUnavailable(err)) return new DatabaseUnavailableError();
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number };
  if (e?.type === 'entity.too.large') return new AppError(413, 'too-large', 'That submission is too large: the limit is 1 MB.');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new AppError(e.status, 'bad-request', 'The request could not be understood.');
  }
  return null;
}

/** An outage is the operator's to see, in one line per request: what failed, never a stack. */
export function logUnavailable(log: (line: string) => void, req: Request, err: unknown): void {
  log(logLine({ id: req.requestId, level: 'warn', msg: 'database unreachable', error: String((err as Error)?.message ?? err) }));
}

export function errorHandler(log: (line: string) => void): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const known = asAppError(err);
    if (!known) {
      log(logLine({ id: req.requestId, level: 'error', error: errorText(err) }));
    } else if (known instanceof DatabaseUnavailableError) {
      logUnavailable(log, req, err);
    }
    if (res.headersSent) return;
    if (known instanceof DatabaseUnavailableError) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    if (err instanceof TooManyAttempts) res.setHeader('Retry-After', String(err.retryAfter));
    const status = known?.status ?? 500;
    const body = (req.body ?? {}) as Record<string, unknown>;
    const kept = KEPT_FIELDS.filter((f) => typeof body[f] === 'string' && (body[f] as string).trim() !== '').map((f) => ({
      name: f,
      value: body[f],
    }));
    const message = known?.message ?? 'Something went wrong on our side. The error has been logged; please try again.';
    const title = status === 500 ? 'Error' : status === 503 ? 'Temporarily Unavailable' : status === 404 ? 'Not Found' : 'Request Refused';
    const loginUrl = status === 404 || status === 403 ? loginUrlFor(req) : null;
    renderPage(req, res, 'pages/errors/error', title, { message, kept, loginUrl, requestId: req.requestId }, status);
  };
}
