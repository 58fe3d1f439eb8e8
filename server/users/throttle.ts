import type { Knex } from 'knex';
import { AppError } from '../errors';
import * as repo from './attempts-repository';

/**
 * Limits on attempts, counted in PostgreSQL so every app process agrees.
 * A limit that is reached is a wait, not a lockout: the attempts age out of
 * the window one by one, and nothing (not even the right password) passes before.
 */
export interface Limit {
  scope: string;
  max: number;
  windowSeconds: number;
}

const FIFTEEN_MINUTES = 15 * 60;

export const LIMITS = {
  /** Failed passwords for one account. */
  loginAccount: { scope: 'login-account', max: 10, windowSeconds: FIFTEEN_MINUTES },
  /** Failed passwords from one client address, whatever the account. */
  loginAddress: { scope: 'login-address', max: 10, windowSeconds: FIFTEEN_MINUTES },
  /** Wrong MFA or recovery codes for one account: locks the second step. */
  mfa: { scope: 'mfa', max: 5, windowSeconds: FIFTEEN_MINUTES },
  /** Refused Conduit API tokens from one client address. */
  apiToken: { scope: 'api-token', max: 10, windowSeconds: FIFTEEN_MINUTES },
  /** Reset mails asked for one address. */
  resetAddress: { scope: 'reset-address', max: 5, windowSeconds: 60 * 60 },
  /** Reset mails asked for from one client address. */
  resetClient: { scope: 'reset-client', max: 10, windowSeconds: FIFTEEN_MINUTES },
} satisfies Record<string, Limit>;

/** The longest window above: older attempts count for nothing. */
const LONGEST_WINDOW = 60 * 60;

export class TooManyAttempts extends AppError {
  constructor(readonly retryAfter: number) {
    super(429, 'too-many-attempts', `Too many attempts. Try again in ${waitText(retryAfter)}.`);
    this.name = 'TooManyAttempts';
  }
}

/** "14 minutes", "1 minute", "30 seconds": how long a person is asked to wait. */
export function waitText(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}

/** Throws TooManyAttempts when any of the keyed limits is reached, with the longest wait. */
export async function checkLimits(db: Knex, checks: [Limit, string][]): Promise<void> {
  const waits = await Promise.all(checks.map(([l, key]) => repo.secondsUntilBelow(db, l.scope, key, l.max, l.windowSeconds)));
  const wait = Math.max(0, ...waits);
  if (wait > 0) throw new TooManyAttempts(wait);
}

export async function recordAttempt(db: Knex, checks: [Limit, string][]): Promise<void> {
  for (const [l, key] of checks) await repo.insertAttempt(db, l.scope, key, l.windowSeconds);
}

/** Forgets one key's attempts: a person who got in is not held to their earlier typos. */
export async function clearAttempts(db: Knex, limit: Limit, key: string): Promise<void> {
  await repo.deleteAttempts(db, limit.scope, key);
}

export async function sweepAttempts(db: Knex): Promise<void> {
  await repo.deleteAttemptsBefore(db, LONGEST_WINDOW);
}
