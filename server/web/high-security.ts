import type { Request } from 'express';
import { ValidationError } from '../errors';
import { verifySecondFactor } from '../users/mfa/mfa';
import { elevateSession } from '../users/sessions';
import { TooManyAttempts } from '../users/throttle';
import type { AppDeps } from './deps';
import { formatDateTime } from './views/dates';

/** The form field a sensitive form carries its code in. */
export const CODE_FIELD = 'mfa_code';

/** The session gave a second factor in the last few minutes, or has none to give. */
export function isHighSecurity(req: Request): boolean {
  const s = req.authSession;
  return !s || !s.hasMfa || (s.elevatedUntil !== null && s.elevatedUntil.getTime() > Date.now());
}

/** What a sensitive form shows: a code field when one is needed, else until when none is. */
export function highSecurityModel(req: Request, timeZone: string): { needed: boolean; until: string | null } {
  const until = req.authSession?.elevatedUntil;
  const now = new Date();
  return { needed: !isHighSecurity(req), until: req.authSession?.hasMfa && until && until > now ? formatDateTime(until, now, timeZone) : null };
}

/**
 * Lets a sensitive action through when the session is in high security mode,
 * or when the form carries a right code, which starts high security mode
 * (as in Phabricator: one code, then a few minutes without asking again).
 */
export async function requireHighSecurity(deps: AppDeps, req: Request): Promise<void> {
  if (isHighSecurity(req)) return;
  const s = req.authSession!;
  const raw = (req.body as Record<string, unknown> | undefined)?.[CODE_FIELD];
  const code = typeof raw === 'string' ? raw.trim() : '';
  if (!code) throw new ValidationError({ [CODE_FIELD]: 'This is a sensitive action: enter a code from your authenticator app.' });
  try {
    await verifySecondFactor(deps, s.user, code);
  } catch (err) {
    if (err instanceof TooManyAttempts) throw new ValidationError({ [CODE_FIELD]: err.message }, 429, err.code);
    if (err instanceof ValidationError) throw new ValidationError({ [CODE_FIELD]: Object.values(err.fields)[0]! });
    throw err;
  }
  s.elevatedUntil = await elevateSession(deps.db, s.id);
}
