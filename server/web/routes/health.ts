import type { Request, Response } from 'express';
import { ping } from '../../db/health';
import { isDatabaseUnavailable, RETRY_AFTER_SECONDS } from '../../db/unavailable';
import type { AppDeps } from '../deps';
import { logUnavailable } from '../middleware/errors';

/** Resolves true when `work` settles within `ms`, false when it is still running then. */
async function settlesWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(deps: AppDeps) {
  return {
    /**
     * For load balancers, and the benchmark's baseline: one trip to the
     * database, no rendering. A database that does not answer within the
     * connect timeout is reported at once, not after a statement's timeout.
     */
    async check(req: Request, res: Response) {
      res.setHeader('Cache-Control', 'no-store');
      const trip = ping(deps.db);
      let answered = false;
      let failed = false;
      try {
        answered = await settlesWithin(trip, deps.config.database.connectMs);
      } catch (err) {
        if (!isDatabaseUnavailable(err)) throw err;
        logUnavailable(deps.log, req, err);
        failed = true;
      }
      if (answered) return void res.type('text/plain').send('ok');
      if (!failed) {
        logUnavailable(deps.log, req, `no answer within ${deps.config.database.connectMs} ms`);
        // The trip goes on and fails or succeeds on its own; nobody waits for it any more.
        trip.catch(() => undefined);
      }
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(503).type('text/plain').send('database unreachable: Trellis can not reach its database\n');
    },
  };
}
