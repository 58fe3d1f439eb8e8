import type { Knex } from 'knex';
import { z } from 'zod';
import type { Config } from '../config';
import { AppError, NotFoundError, ValidationError } from '../errors';
import { queueMail } from '../mail/outbox';
import { welcomeMail } from './account-mail';
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

type MailingConfig = Pick<Config, 'mail' | 'baseUrl'>;

/** An administrator at work: who, and from which address (for the account log). */
export interface Admin {
  user: User;
  address: string | null;
}

const auditorOf = (admin: Admin): Auditor => ({ actorId: admin.user.id, address: admin.address });

/** Mail can go out when an outbound mailer is configured; without one, links are shown to the administrator instead. */
export function canSendMail(config: Pick<Config, 'mail'>): boolean {
  return config.mail.mailers.some((m) => m.outbound);
}

/** Mails the link when mail can go out and the account has an address; true when it was queued. */
async function mailWelcome(trx: Knex, config: MailingConfig, user: User, linkPath: string, admin: Admin): Promise<boolean> {
  if (!canSendMail(config) || !user.email) return false;
  await queueMail(trx, welcomeMail(user, user.email, `${config.baseUrl}${linkPath}`, admin.user));
  return true;
}

/**
 * An administrator adds an account without a password; the person chooses one
 * through a one-time link, valid a week: mailed to them, or else returned (a
 * path under the site's address) for the administrator to pass on.
 */
export async function inviteAccount(db: Knex, config: MailingConfig, input: unknown, admin: Admin): Promise<{ user: User; linkPath: string; mailed: boolean }> {
  const parsed = InvitedAccount.safeParse(input);
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error));
  const account = parsed.data;
  return db.transaction(async (trx) => {
    await repo.lockUsersTable(trx);
    if (await repo.findUserByUsername(trx, account.username)) {
      throw new ValidationError({ username: `The username "${account.username}" is taken.` }, 409, 'username-taken');
    }
    const user = await repo.insertUser(trx, { ...account, passwordHash: NO_PASSWORD });
    await recordAudit(trx, auditorOf(admin), 'account.create', user.id, { role: user.role });
    const linkPath = await createLink(trx, user.id, 'welcome');
    const mailed = await mailWelcome(trx, config, user, linkPath, admin);
    await recordAudit(trx, auditorOf(admin), 'account.login-link', user.id, { mailed });
    return { user, linkPath, mailed };
  });
}

/** A new one-time login link for an existing account (someone lost theirs, or never got it), mailed when it can be. */
export async function issueLoginLink(db: Knex, config: MailingConfig, user: User, admin: Admin): Promise<{ linkPath: string; mailed: boolean }> {
  if (user.disabledAt) throw new AppError(409, 'disabled', `The account "${user.username}" is disabled; enable it first.`);
  return db.transaction(async (trx) => {
    const linkPath = await createLink(trx, user.id, 'welcome');
    const mailed = await mailWelcome(trx, config, user, linkPath, admin);
    await recordAudit(trx, auditorOf(admin), 'account.login-link', user.id, { mailed });
    return { linkPath, mailed };
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
