import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import { logLine } from '../../log';

/** Path parameters that are secrets (a feed's, a login link's): the logged path shows their place, not them. */
const SECRET_PARAMS = ['secret', 'token'];

function loggedPath(req: Parameters<RequestHandler>[0]): string {
  let path = req.path;
  for (const name of SECRET_PARAMS) {
    const value = req.params?.[name];
    if (typeof value === 'string' && value) path = path.replace(value, `:${name}`);
  }
  return path;
}

/** One JSON line per request; never bodies, cookies, passwords or tokens. */
export function requestLog(enabled: boolean, write: (line: string) => void = (l) => process.stdout.write(l + '\n')): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    req.requestId = crypto.randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    if (enabled) {
      res.on('finish', () => {
        write(
          logLine({
            id: req.requestId,
            method: req.method,
            route: req.route?.path ?? null,
            path: loggedPath(req),
            status: res.statusCode,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
            user: req.viewer?.id ?? null,
          }),
        );
      });
    }
    next();
  };
}
