import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { countUsers } from '../../users/repository';

/**
 * Until the first account exists every page leads to /setup. Accounts are
 * never deleted, so once one exists this process stops asking, and requests
 * go on at once, without a promise for the router to wait on.
 */
export function setupGate(db: Knex): RequestHandler {
  let done = false;
  return (req, res, next) => {
    if (done || req.path === '/setup' || req.path === '/healthz' || req.path.startsWith('/static/')) return next();
    countUsers(db)
      .then((n) => {
        done = n > 0;
        if (done) return next();
        res.redirect(303, '/setup');
      })
      .catch(next);
  };
}
