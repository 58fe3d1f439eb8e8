import type { Request, Response } from 'express';
import type { SessionFlags } from '../users/session-repository';
import { endSession, startSession, type SessionOrigin } from '../users/sessions';
import { SESSION_COOKIE, cookieOptions } from './cookies';
import type { AppDeps } from './deps';

const DAY = 24 * 60 * 60 * 1000;

export function originOf(req: Request): SessionOrigin {
  return { address: req.ip ?? null, userAgent: req.get('user-agent') ?? null };
}

/**
 * Gives the browser a new session, ending the one it had: every step up (password,
 * second factor, reset link) gets a new cookie, so a token seen before the step is worthless after it.
 */
export async function startBrowserSession(deps: AppDeps, req: Request, res: Response, userId: number, flags: Partial<SessionFlags> = {}): Promise<void> {
  if (req.sessionId) await endSession(deps.db, req.sessionId);
  const { token, id } = await startSession(deps.db, userId, deps.config.sessionDays, originOf(req), flags);
  req.sessionId = id;
  res.cookie(SESSION_COOKIE, token, cookieOptions(req, deps.config.sessionDays * DAY));
}
