import type { Knex } from 'knex';
import type { Config } from '../config';
import { ValidationError } from '../errors';
import { queueMail } from '../mail/outbox';
import { verifyEmailMail } from './account-mail';
import { createLink, useEmailLink } from './login-links';
import type { User } from './user';

/**
 * A new address is used for nothing (mail, resets) until its owner follows the
 * link mailed to it; a newer request replaces an older one.
 */
export async function requestEmailChange(db: Knex, config: Pick<Config, 'baseUrl'>, user: User, email: string): Promise<void> {
  if (user.email && user.email.toLowerCase() === email.toLowerCase()) throw new ValidationError({ email: 'That is already your address.' });
  await db.transaction(async (trx) => {
    const path = await createLink(trx, user.id, 'verify-email', email);
    await queueMail(trx, verifyEmailMail(user, email, `${config.baseUrl}${path}`));
  });
}

export { useEmailLink as confirmEmailChange };
