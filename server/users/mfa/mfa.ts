import type { Knex } from 'knex';
import type { Config } from '../../config';
import { AppError, ValidationError } from '../../errors';
import { checkLimits, clearAttempts, LIMITS, recordAttempt } from '../throttle';
import type { User } from '../user';
import { secretBox } from './keys';
import { hashRecoveryCode, newRecoveryCodes } from './recovery-codes';
import * as repo from './repository';
import { matchingStep, newTotpSecret, otpauthUri } from './totp';

export interface MfaDeps {
  db: Knex;
  config: Pick<Config, 'mfaKey' | 'baseUrl'>;
}

export type SecondFactor = 'totp' | 'recovery';

const WRONG_CODE = 'That code is not right. Enter the six digits your authenticator app shows now, or one of your recovery codes.';

export interface MfaStatus {
  enrolled: boolean;
  /** An enrolment was started and waits for its first code. */
  pending: boolean;
  recoveryCodesLeft: number;
}

export async function mfaStatus(db: Knex, userId: number): Promise<MfaStatus> {
  const [factor, left] = await Promise.all([repo.findFactor(db, userId), repo.countUnusedRecoveryCodes(db, userId)]);
  return { enrolled: Boolean(factor?.confirmedAt), pending: Boolean(factor && !factor.confirmedAt), recoveryCodesLeft: left };
}

/** The name authenticator apps file the account under: the install's host. */
function issuer(config: Pick<Config, 'baseUrl'>): string {
  return new URL(config.baseUrl).host;
}

/** Starts enrolment with a new secret; an earlier unfinished enrolment is replaced. */
export async function beginEnrolment(deps: MfaDeps, user: User): Promise<void> {
  const box = await secretBox(deps.db, deps.config);
  const started = await repo.upsertPendingFactor(deps.db, user.id, box.seal(newTotpSecret(), user.id));
  if (!started) throw new AppError(409, 'mfa-enrolled', 'You have already set up a second factor. Remove it first to set up another.');
}

/** What the enrolment page shows: the secret to type and the address the QR code holds. */
export async function pendingEnrolment(deps: MfaDeps, user: User): Promise<{ secret: string; uri: string } | null> {
  const factor = await repo.findFactor(deps.db, user.id);
  if (!factor || factor.confirmedAt) return null;
  const { plain } = (await secretBox(deps.db, deps.config)).open(factor.secret, user.id);
  return { secret: plain, uri: otpauthUri(plain, issuer(deps.config), user.username) };
}

async function openSecret(deps: MfaDeps, factor: repo.FactorRow): Promise<string> {
  const box = await secretBox(deps.db, deps.config);
  const { plain, stale } = box.open(factor.secret, factor.userId);
  if (stale) await repo.updateSecret(deps.db, factor.userId, box.seal(plain, factor.userId));
  return plain;
}

/** Wrong codes count against the account; five lock the second step for fifteen minutes. */
async function guarded<T>(db: Knex, user: User, attempt: () => Promise<T | null>): Promise<T> {
  const key = String(user.id);
  await checkLimits(db, [[LIMITS.mfa, key]]);
  const result = await attempt();
  if (result === null) {
    await recordAttempt(db, [[LIMITS.mfa, key]]);
    throw new ValidationError({ code: WRONG_CODE });
  }
  await clearAttempts(db, LIMITS.mfa, key);
  return result;
}

/** Finishes enrolment with a first correct code and returns the recovery codes, in plain text this once. */
export async function confirmEnrolment(deps: MfaDeps, user: User, code: string): Promise<string[]> {
  const factor = await repo.findFactor(deps.db, user.id);
  if (!factor || factor.confirmedAt) throw new AppError(409, 'mfa-not-pending', 'There is no enrolment to finish. Start again from the MFA settings.');
  const secret = await openSecret(deps, factor);
  await guarded(deps.db, user, async () => {
    const step = matchingStep(secret, code.replace(/\s+/g, ''));
    return step !== null && (await repo.claimStep(deps.db, user.id, step, true)) ? true : null;
  });
  return regenerateRecoveryCodes(deps.db, user.id);
}

/**
 * Checks a second factor: a TOTP code for this moment (±1 step) that was never
 * accepted before, or an unused recovery code, which is then used up.
 */
export async function verifySecondFactor(deps: MfaDeps, user: User, input: string): Promise<SecondFactor> {
  const factor = await repo.findFactor(deps.db, user.id);
  if (!factor?.confirmedAt) throw new AppError(409, 'mfa-not-enrolled', 'This account has no second factor.');
  const code = input.trim();
  return guarded(deps.db, user, async (): Promise<SecondFactor | null> => {
    if (/^[0-9\s]+$/.test(code)) {
      const step = matchingStep(await openSecret(deps, factor), code.replace(/\s+/g, ''));
      return step !== null && (await repo.claimStep(deps.db, user.id, step, false)) ? 'totp' : null;
    }
    return code && (await repo.useRecoveryCode(deps.db, user.id, hashRecoveryCode(code))) ? 'recovery' : null;
  });
}

/** New recovery codes replace every earlier one; the plain codes are returned to be shown once. */
export async function regenerateRecoveryCodes(db: Knex, userId: number): Promise<string[]> {
  const codes = newRecoveryCodes();
  await db.transaction((trx) => repo.replaceRecoveryCodes(trx, userId, codes.map(hashRecoveryCode)));
  return codes;
}

/** Removes the factor and its recovery codes; false when there was none. */
export function removeMfa(db: Knex, userId: number): Promise<boolean> {
  return db.transaction((trx) => repo.deleteFactor(trx, userId));
}

export const usersWithMfa = repo.usersWithFactor;
