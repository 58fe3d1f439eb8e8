import type { RequestHandler } from 'express';

/** Paths a session that still owes a step may reach whatever it owes. */
const ALWAYS_OPEN = ['/static/', '/api/', '/healthz', '/logout'];

/**
 * A session that owes a step may only take that step: every other page leads
 * to it. Owed, in order: the second factor of a two-step login (so a password
 * or a reset mail alone shows nothing but the MFA prompt), the new password of
 * a reset, and, when the install requires MFA, enrolling a second factor.
 */
export function sessionGate(requireMfa: boolean): RequestHandler {
  return (req, res, next) => {
    const s = req.authSession;
    if (!s || ALWAYS_OPEN.some((p) => req.path === p || (p.endsWith('/') && req.path.startsWith(p)))) return next();
    const owed = s.mfaPending ? '/auth/finish/' : s.passwordPending ? '/auth/password/' : requireMfa && !s.hasMfa ? '/settings/mfa/' : null;
    if (!owed || req.path.startsWith(owed)) return next();
    res.redirect(303, owed);
  };
}
