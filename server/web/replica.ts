import type { Request, RequestHandler } from 'express';
import type { Knex } from 'knex';
import { cookieOptions } from './cookies';
import type { AppDeps } from './deps';

/**
 * Read-your-writes with a read replica. Whoever sends a state-changing
 * request gets this cookie for DATABASE_REPLICA_STICKY_SECONDS, and while
 * their browser has it their lists and searches read from the primary, so
 * they see what they just did however far the replica lags. Everyone else
 * reads from the replica, which shows others' changes a moment late. The
 * state is in the browser, so every app process on every machine agrees;
 * it says only where to read from, so it needs no signature: someone who
 * forges it only moves their own reads to the primary.
 */
export const WROTE_COOKIE = 'trellis_wrote';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function markWriters(stickySeconds: number): RequestHandler {
  return (req, res, next) => {
    if (!SAFE.has(req.method)) res.cookie(WROTE_COOKIE, '1', cookieOptions(req, stickySeconds * 1000));
    next();
  };
}

/** The pool a list or search for this request reads from: the replica, unless the requester has just written. */
export function readsFor(deps: AppDeps, req: Request): Knex {
  if (!deps.reads || deps.reads === deps.db) return deps.db;
  if (!SAFE.has(req.method) || req.cookies?.[WROTE_COOKIE]) return deps.db;
  return deps.reads;
}
