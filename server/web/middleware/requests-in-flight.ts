import type { RequestHandler } from 'express';
import type { RequestsInFlight } from '../../jobs/give-way';

/** Counts each request from its arrival until its response is done (or the client went away), for the job runner to give way to. */
export function countRequests(inFlight: RequestsInFlight): RequestHandler {
  return (_req, res, next) => {
    inFlight.started();
    res.once('close', () => inFlight.ended());
    next();
  };
}
