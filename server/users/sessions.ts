import crypto from 'node:crypto';
import type { Knex } from 'knex';
import * as repo from './session-repository';
import type { User } from './user';

const DAY = 24 * 60 * 60 * 1000;
/** Sliding expiry is written at most this often, not on every request. */
const TOUCH_EVERY = 10 * 60 * 1000;
/** How long a fresh MFA code keeps a session in high security mode, as in Phabricator. */
export const ELEVATION_MS = 15 * 60 * 1000;

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** Where a session was started from, for its owner's session list. */
export interface SessionOrigin {
  address: string | null;
  userAgent: string | null;
}

export interface Session extends repo.SessionFlags {
  id: string;
  ref: number;
  user: User;
  hasMfa: boolean;
}

const FULL: repo.SessionFlags = { mfaPending: false, passwordPending: false, elevatedUntil: null };

export async function startSession(
  db: Knex,
  userId: number,
  days: number,
  origin: SessionOrigin,
  flags: Partial<repo.SessionFlags> = {},
): Promise<{ token: string; id: string }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const id = hashToken(token);
  await repo.insertSession(db, {
    id,
    userId,
    expiresAt: new Date(Date.now() + days * DAY),
    ...FULL,
    ...flags,
    address: origin.address?.slice(0, 64) ?? null,
    userAgent: origin.userAgent?.slice(0, 255) ?? null,
  });
  // Logins are rare enough to sweep expired sessions on, and frequent enough to keep the table small.
  await repo.deleteExpiredSessions(db);
  return { token, id };
}

/** `address` is where the request came from, read only when the sliding expiry is written. */
export async function resumeSession(db: Knex, token: string, days: number, address: () => string | null): Promise<Session | null> {
  const id = hashToken(token);
  const found = await repo.findSession(db, id);
  if (!found) return null;
  if (Date.now() - found.seenAt.getTime() > TOUCH_EVERY) {
    await repo.touchSession(db, id, new Date(Date.now() + days * DAY), address()?.slice(0, 64) ?? null);
  }
  return { id, ref: found.ref, user: found.user, mfaPending: found.mfaPending, passwordPending: found.passwordPending, elevatedUntil: found.elevatedUntil, hasMfa: found.hasMfa };
}

export async function endSession(db: Knex, id: string): Promise<void> {
  await repo.deleteSession(db, id);
}

/** Ends every session of the person but `keepId` (the one they are using), returning how many ended. */
export function endOtherSessions(db: Knex, userId: number, keepId: string | null): Promise<number> {
  return repo.deleteSessionsOfUser(db, userId, keepId);
}

export function endSessionByRef(db: Knex, userId: number, ref: number): Promise<boolean> {
  return repo.deleteSessionByRef(db, userId, ref);
}

/** Puts the session in high security mode for a while: a fresh second factor was just given. */
export async function elevateSession(db: Knex, id: string): Promise<Date> {
  const until = new Date(Date.now() + ELEVATION_MS);
  await repo.updateSessionFlags(db, id, { elevatedUntil: until });
  return until;
}

export function updateSessionFlags(db: Knex, id: string, flags: Partial<repo.SessionFlags>): Promise<void> {
  return repo.updateSessionFlags(db, id, flags);
}

export const listSessions = repo.listSessions;
