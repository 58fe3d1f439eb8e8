import type { CookieOptions, Request } from 'express';

export const SESSION_COOKIE = 'trellis_session';
export const ANON_COOKIE = 'trellis_anon';

/** HttpOnly, SameSite=Lax, and Secure whenever the request came over https. */
export function cookieOptions(req: Request, maxAgeMs?: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/', ...(maxAgeMs ? { maxAge: maxAgeMs } : {}) };
}
