import crypto from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { AppError } from '../../errors';
import { ANON_COOKIE, cookieOptions } from '../cookies';

export const CSRF_FIELD = '__csrf__';

/** Marks a request whose anonymous cookie was made for its own response. */
const MINTED = Symbol('anonymous cookie minted');

/** A visitor's anonymous cookie, which their tokens bind to; given to them with their first token. */
function anonymousId(req: Request): string {
  const known = req.cookies?.[ANON_COOKIE];
  if (typeof known === 'string') return known;
  const anon = crypto.randomBytes(18).toString('base64url');
  req.cookies[ANON_COOKIE] = anon;
  (req as Request & { [MINTED]?: true })[MINTED] = true;
  req.res!.cookie(ANON_COOKIE, anon, cookieOptions(req));
  return anon;
}

/**
 * Synchronizer tokens without server state: an HMAC of the session (or the
 * visitor's anonymous cookie) under a secret kept in the database, so every
 * app process issues and accepts the same tokens.
 */
function csrfTokenFor(secret: string, req: Request): string {
  const binding = req.sessionId ? `session:${req.sessionId}` : `anon:${anonymousId(req)}`;
  return crypto.createHmac('sha256', secret).update(binding).digest('base64url');
}

const TOKEN = Symbol('csrf token');
/** A request past the CSRF middleware whose token nobody has asked for yet. */
const DUE = Symbol('csrf token due');

type WithToken = Request & { [TOKEN]?: string | typeof DUE };

/**
 * Makes `req.csrfToken` a getter of the app's requests, computed the first time
 * a request past the CSRF middleware needs it (a page with a form, the check of
 * a POST) and kept for the rest of the request: most responses (redirects,
 * health checks, feeds, files) carry no form and so cost no HMAC, and give a
 * visitor no anonymous cookie. A request refused before that middleware (a body
 * too large) has no token, as its error page has no form.
 */
export function issueCsrfTokens(requests: Request, secret: string): void {
  Object.defineProperty(requests, 'csrfToken', {
    configurable: true,
    get(this: WithToken): string | undefined {
      const token = this[TOKEN];
      return token === DUE ? (this[TOKEN] = csrfTokenFor(secret, this)) : token;
    },
  });
}

/**
 * Whether a later request can carry the same CSRF token as this one: it is bound to a session, or
 * to an anonymous cookie the client sent. A token bound to a cookie made for this response (a first
 * visit, or every visit of a client that keeps no cookies, as crawlers do) may never be seen again.
 */
export function csrfTokenReturns(req: Request): boolean {
  return req.csrfToken !== undefined && (req.sessionId !== null || !(req as Request & { [MINTED]?: true })[MINTED]);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

class CsrfError extends AppError {
  constructor() {
    super(403, 'csrf', 'This form has expired or did not come from this site. Reload the page and submit it again.');
  }
}

/** Whether `path` is under the folder `mount` as express mounts it: `/api/` covers `/api` and `/api/…`, in the same case. */
function under(path: string, mount: string): boolean {
  const folder = mount.replace(/\/+$/, '');
  return path === folder || path.startsWith(`${folder}/`);
}

/**
 * `exempt`: folders whose requests authenticate otherwise (the Conduit API's
 * tokens), so no cookie can act there. They are matched exactly as the app's
 * router mounts them, so a request is exempt exactly when the API answers it.
 */
export function csrf(exempt: string[] = []): RequestHandler {
  return (req, _res, next) => {
    (req as WithToken)[TOKEN] = DUE;
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return next();
    if (exempt.some((mount) => under(req.path, mount))) return next();
    // A script's upload sends it as a header, checked here before its body is read; no other site can set one.
    const sent = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD] ?? req.get('X-CSRF-Token');
    if (typeof sent !== 'string' || !same(sent, req.csrfToken)) return next(new CsrfError());
    next();
  };
}
