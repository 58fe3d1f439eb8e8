import type { Request, RequestHandler, Response } from 'express';
import type { Knex } from 'knex';
import { resumeSession } from '../../users/sessions';
import { SESSION_COOKIE, cookieOptions } from '../cookies';

/**
 * Loads the session from its cookie. Only a complete login makes a viewer: a
 * session that still owes a second factor or a new password is known
 * (`authSession`) but acts as nobody.
 */
export function session(db: Knex, sessionDays: number): RequestHandler {
  async function resume(req: Request, res: Response, token: string): Promise<void> {
    const found = await resumeSession(db, token, sessionDays, () => req.ip ?? null);
    if (found) {
      req.authSession = found;
      req.sessionId = found.id;
      if (!found.mfaPending && !found.passwordPending) req.viewer = found.user;
    } else {
      res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    }
  }

  // A request without a session cookie goes on at once, without a promise for the router to wait on.
  return (req, res, next) => {
    req.viewer = null;
    req.sessionId = null;
    req.authSession = null;
    const token = req.cookies?.[SESSION_COOKIE];
    if (typeof token !== 'string' || token.length === 0 || token.length >= 200) return next();
    resume(req, res, token).then(() => next(), next);
  };
}
