import crypto from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Knex } from 'knex';
import { resumeSession } from '../../users/sessions';
import { ANON_COOKIE, SESSION_COOKIE, cookieOptions } from '../cookies';

/**
 * Loads the session from its cookie. Only a complete login makes a viewer: a
 * session that still owes a second factor or a new password is known
 * (`authSession`) but acts as nobody. Visitors get an anonymous cookie their
 * CSRF tokens bind to.
 */
export function session(db: Knex, sessionDays: number): RequestHandler {
  return async (req, res, next) => {
    req.viewer = null;
    req.sessionId = null;
    req.authSession = null;
    const token = req.cookies?.[SESSION_COOKIE];
    if (typeof token === 'string' && token.length > 0 && token.length < 200) {
      const found = await resumeSession(db, token, sessionDays, req.ip ?? null);
      if (found) {
        req.authSession = found;
        req.sessionId = found.id;
        if (!found.mfaPending && !found.passwordPending) req.viewer = found.user;
      } else {
        res.clearCookie(SESSION_COOKIE, cookieOptions(req));
      }
    }
    if (!req.viewer && typeof req.cookies?.[ANON_COOKIE] !== 'string') {
      const anon = crypto.randomBytes(18).toString('base64url');
      req.cookies[ANON_COOKIE] = anon;
      res.cookie(ANON_COOKIE, anon, cookieOptions(req));
    }
    next();
  };
}
