import crypto from 'node:crypto';
import type { Knex } from 'knex';
import * as repo from './repository';
import type { User } from './user';

const DAY = 24 * 60 * 60 * 1000;
/** Sliding expiry is written at most this often, not on every request. */
const TOUCH_EVERY = 10 * 60 * 1000;

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export interface Session {
  id: string;
  user: User;
}

export async function startSession(db: Knex, userId: number, days: number): Promise<{ token: string; id: string }> {
  const token = crypto.randomBytes(32).toString('base64url');
  const id = hashToken(token);
  await repo.insertSession(db, id, userId, new Date(Date.now() + days * DAY));
  // Logins are rare enough to sweep expired sessions on, and frequent enough to keep the table small.
  await repo.deleteExpiredSessions(db);
  return { token, id };
}

export async function resumeSession(db: Knex, token: string, days: number): Promise<Session | null> {
  const id = hashToken(token);
  const found = await repo.findSession(db, id);
  if (!found) return null;
  if (Date.now() - found.seenAt.getTime() > TOUCH_EVERY) {
    await repo.touchSession(db, id, new Date(Date.now() + days * DAY));
  }
  return { id, user: found.user };
}

export async function endSession(db: Knex, id: string): Promise<void> {
  await repo.deleteSession(db, id);
}
