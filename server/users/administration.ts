import type { Knex } from 'knex';
import { z } from 'zod';
import { AppError, NotFoundError, ValidationError } from '../errors';
import { recordAudit, type Auditor } from './audit';
import { createLink } from './login-links';
import { removeMfa } from './mfa/mfa';
import * as repo from './repository';
import { deleteSessionsOfUser } from './session-repository';
import { NewAccount, type User } from './user';
import { hashPassword } from './passwords';

/** Stored instead of a hash for an account whose person has not chosen a password yet: no password matches it. */
const NO_PASSWORD = '!';

const InvitedAccount = NewAccount.omit({ password: true });

function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[String(issue.path[0] ?? 'form')] ??= issue.message;
  return fields;
}

/**
 * An administrator adds an account without a password; the person chooses one
 * through the one-time link returned (a path under the site's address), valid a week.
 */
export async function inviteAccount(db: Knex, input: unknown, by: Auditor): Promise<{ user: User; linkPath: string }> {
  const parsed = InvitedAccount.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
  const account = parsed.data;
  return db.transaction(async (trx) => {
    await repo.lockUsersTable(trx);
    if (await repo.findUserByUsername(trx, account.username)) {
      throw new ValidationError({ username: `The username "${account.username}" is taken.` }, 409, 'username-taken');
    }
    const user = await repo.insertUser(trx, { ...account, passwordHash: NO_PASSWORD });
    await recordAudit(trx, by, 'account.create', user.id, { role: user.role });
    const linkPath = await createLink(trx, user.id, 'welcome');
    await recordAudit(trx, by, 'account.login-link', user.id, { mailed: false });
    return { user, linkPath };
  });
}

/** A new one-time login link for an existing account (someone lost theirs, or never got it). */
export async function issueLoginLink(db: Knex, user: User, by: Auditor, mailed: boolean): Promise<string> {
  if (user.disabledAt) throw new AppError(409, 'disabled', `The account "${user.username}" is disabled; enable it first.`);
  return db.transaction(async (trx) => {
    const linkPath = await createLink(trx, user.id, 'welcome');
    await recordAudit(trx, by, 'account.login-link', user.id, { mailed });
    return linkPath;
  });
}

/**
 * Removes an account's second factor and recovery codes, for a person who lost
 * their device. Their sessions end: whoever holds one proves nothing now.
 */
export async function resetAccountMfa(db: Knex, username: string, by: Auditor): Promise<User> {
  const user = await repo.findUserByUsername(db, username);
  if (!user) throw new NotFoundError(`There is no account named "${username}".`);
  await db.transaction(async (trx) => {
    if (!(await removeMfa(trx, user.id))) throw new AppError(409, 'mfa-not-enrolled', `${user.username} has no second factor.`);
    await deleteSessionsOfUser(trx, user.id);
    await recordAudit(trx, by, 'account.mfa-reset', user.id);
  });
  return user;
}

/** Sets an account's password from the command line; every session of the account ends. */
export async function setPasswordFor(db: Knex, username: string, password: string, by: Auditor): Promise<User> {
  const user = await repo.findUserByUsername(db, username);
  if (!user) throw new NotFoundError(`There is no account named "${username}".`);
  const checked = NewAccount.shape.password.safeParse(password);
  if (!checked.success) throw new ValidationError({ password: checked.error.issues[0]!.message });
  const passwordHash = await hashPassword(password);
  await db.transaction(async (trx) => {
    await repo.updatePasswordHash(trx, user.id, passwordHash);
    await deleteSessionsOfUser(trx, user.id);
    await recordAudit(trx, by, 'account.password', user.id);
  });
  return user;
}
