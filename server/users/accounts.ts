import type { Knex } from 'knex';
import { AppError, ValidationError } from '../errors';
import { decoyHash, hashPassword, verifyPassword } from './passwords';
import { recordAudit, type Auditor } from './audit';
import * as repo from './repository';
import { deleteSessionsOfUser } from './session-repository';
import { checkLimits, LIMITS, recordAttempt, type Limit } from './throttle';
import type { Role } from './roles';
import { NewAccount, type User } from './user';

function fieldErrors(error: import('zod').ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? 'form');
    fields[key] ??= issue.message;
  }
  return fields;
}

function parseNewAccount(input: unknown): NewAccount {
  const parsed = NewAccount.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
  return parsed.data;
}

/** Creates an account; `onlyIfNone` makes it the first-run setup, which may happen once. */
export async function createAccount(db: Knex, input: unknown, opts: { onlyIfNone?: boolean } = {}): Promise<User> {
  const account = parseNewAccount(input);
  const passwordHash = await hashPassword(account.password);
  return db.transaction(async (trx) => {
    await repo.lockUsersTable(trx);
    if (opts.onlyIfNone && (await repo.countUsers(trx)) > 0) {
      throw new AppError(409, 'setup-done', 'Trellis is already set up. Log in instead.');
    }
    if (await repo.findUserByUsername(trx, account.username)) {
      throw new ValidationError({ username: `The username "${account.username}" is taken.` }, 409, 'username-taken');
    }
    return repo.insertUser(trx, { ...account, passwordHash });
  });
}

/** Returns the account for a correct username and password of an enabled account, else null. */
export async function authenticate(db: Knex, username: string, password: string): Promise<User | null> {
  const found = await repo.findPasswordHash(db, username);
  const ok = await verifyPassword(found?.hash ?? (await decoyHash()), password);
  if (!found || !ok || found.user.disabledAt) return null;
  return found.user;
}

export async function changeRole(db: Knex, userId: number, role: Role, by?: Auditor): Promise<void> {
  await db.transaction(async (trx) => {
    // Two administrators demoting each other at once must not both pass the last-admin check.
    await repo.lockUsersTable(trx);
    const user = await repo.findUserById(trx, userId);
    if (!user) throw new AppError(404, 'not-found', 'There is no such account.');
    if (user.role === 'admin' && role !== 'admin' && !user.disabledAt && (await repo.countActiveAdmins(trx)) <= 1) {
      throw new AppError(409, 'last-admin', 'This is the last administrator; make someone else an administrator first.');
    }
    await repo.updateRole(trx, userId, role);
    if (by && user.role !== role) await recordAudit(trx, by, 'account.role', userId, { from: user.role, to: role });
  });
}

/** Disabling an account also ends its sessions, so it is logged out everywhere at once. */
export async function setAccountDisabled(db: Knex, userId: number, disabled: boolean, by?: Auditor): Promise<void> {
  await db.transaction(async (trx) => {
    await repo.lockUsersTable(trx);
    const user = await repo.findUserById(trx, userId);
    if (!user) throw new AppError(404, 'not-found', 'There is no such account.');
    if (disabled && user.role === 'admin' && !user.disabledAt && (await repo.countActiveAdmins(trx)) <= 1) {
      throw new AppError(409, 'last-admin', 'This is the last administrator; it cannot be disabled.');
    }
    await repo.setDisabled(trx, userId, disabled);
    if (disabled) await deleteSessionsOfUser(trx, userId);
    if (by && Boolean(user.disabledAt) !== disabled) await recordAudit(trx, by, disabled ? 'account.disable' : 'account.enable', userId);
  });
}

/** Sets a new password and ends every session of the account but `keepSessionId`. */
export async function setPassword(db: Knex, userId: number, password: string, keepSessionId: string | null): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.transaction(async (trx) => {
    await repo.updatePasswordHash(trx, userId, passwordHash);
    await deleteSessionsOfUser(trx, userId, keepSessionId);
  });
}

/**
 * Checks the current password a sensitive form asks for. Wrong ones count as
 * failed logins of the account, so a borrowed session cannot guess it faster than the login form.
 */
export async function confirmCurrentPassword(db: Knex, user: User, password: string): Promise<void> {
  const limit: [Limit, string][] = [[LIMITS.loginAccount, user.username.toLowerCase()]];
  await checkLimits(db, limit);
  const stored = await repo.findPasswordHashById(db, user.id);
  if (await verifyPassword(stored ?? (await decoyHash()), password)) return;
  await recordAttempt(db, limit);
  throw new ValidationError({ current: 'That is not your current password.' });
}
