import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { countUsers } from '../../users/repository';

/**
 * Until the first account exists every page leads to /setup. Accounts are
 * never deleted, so once one exists this process stops asking.
 */
export function setupGate(db: Knex): RequestHandler {
  let done = false;
  return async (req, res, next) => {
    if (done || req.path === '/setup' || req.path === '/healthz' || req.path.startsWith('/static/')) return next();
    done = (await countUsers(db)) > 0;
    if (done) return next();
    res.redirect(303, '/setup');
  };
}
