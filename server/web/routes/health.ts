import type { Request, Response } from 'express';
import { ping } from '../../db/health';
import type { AppDeps } from '../deps';

export function healthRoutes(deps: AppDeps) {
  return {
    /** For load balancers, and the benchmark's baseline: one trip to the database, no rendering. */
    async check(_req: Request, res: Response) {
      await ping(deps.db);
      res.type('text/plain').send('ok');
    },
  };
}
