import crypto from 'node:crypto';
import type { Knex } from 'knex';
import * as repo from './login-link-repository';
import { findUserById, updateEmail } from './repository';
import { hashToken } from './sessions';
import type { User } from './user';

const HOUR = 60 * 60 * 1000;

/**
 * How long each kind of link lives: a reset an hour (as the mail says), a new
 * account's first link a week (people are away), an address change a day.
 */
const LIFETIME: Record<repo.LinkPurpose, number> = { reset: HOUR, welcome: 7 * 24 * HOUR, 'verify-email': 24 * HOUR };

export type LinkPurpose = repo.LinkPurpose;

/** Makes a one-time link's token; only its hash is stored. Returns the path to send, under the site's address. */
export async function createLink(db: Knex, userId: number, purpose: LinkPurpose, email: string | null = null): Promise<string> {
  const token = crypto.randomBytes(32).toString('base64url');
  if (purpose === 'verify-email') await repo.revokeEmailLinks(db, userId);
  await repo.insertLink(db, { userId, purpose, tokenHash: hashToken(token), email, expiresAt: new Date(Date.now() + LIFETIME[purpose]) });
  return purpose === 'verify-email' ? `/settings/email/verify/${token}/` : `/login/once/${token}/`;
}

export interface LiveLink {
  link: repo.LoginLinkRow;
  user: User;
}

/** A link that can still be used, for an enabled account; null for anything else. */
export async function findLiveLink(db: Knex, token: string, purposes: LinkPurpose[]): Promise<LiveLink | null> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
  const link = await repo.findLiveLink(db, hashToken(token));
  if (!link || !purposes.includes(link.purpose)) return null;
  const user = await findUserById(db, link.userId);
  return user && !user.disabledAt ? { link, user } : null;
}

/**
 * Uses a login link (reset or welcome): it and every other login link of the
 * account stop working. Null when it was no longer live.
 */
export async function useLoginLink(db: Knex, token: string): Promise<User | null> {
  const found = await findLiveLink(db, token, ['reset', 'welcome']);
  if (!found) return null;
  return db.transaction(async (trx) => {
    if (!(await repo.useLink(trx, found.link.id))) return null;
    await repo.revokeLoginLinks(trx, found.user.id);
    return found.user;
  });
}

/** Uses an address verification link: the address becomes the account's. */
export async function useEmailLink(db: Knex, token: string): Promise<{ user: User; email: string } | null> {
  const found = await findLiveLink(db, token, ['verify-email']);
  if (!found) return null;
  return db.transaction(async (trx) => {
    if (!(await repo.useLink(trx, found.link.id))) return null;
    await updateEmail(trx, found.user.id, found.link.email!);
    return { user: found.user, email: found.link.email! };
  });
}

export const findPendingEmail = repo.findPendingEmail;
