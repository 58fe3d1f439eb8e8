import type { Knex } from 'knex';
import type { Config } from '../config';
import { queueMail } from '../mail/outbox';
import { resetMail } from './account-mail';
import { createLink } from './login-links';
import { findActiveUsersByEmail } from './repository';
import { checkLimits, LIMITS, recordAttempt, type Limit } from './throttle';

/**
 * "Forgot your password?": mails a one-time login link (an hour, once) to every
 * enabled account with this address. The caller learns nothing about whether
 * one exists: the answer and the limits are the same either way. Throws
 * TooManyAttempts when this address or this client asked too often.
 */
export async function requestPasswordReset(db: Knex, config: Pick<Config, 'baseUrl'>, email: string, client: string | null): Promise<void> {
  const limits: [Limit, string][] = [
    [LIMITS.resetAddress, email.trim().toLowerCase()],
    [LIMITS.resetClient, client ?? 'unknown'],
  ];
  await checkLimits(db, limits);
  await recordAttempt(db, limits);
  const users = await findActiveUsersByEmail(db, email.trim());
  await db.transaction(async (trx) => {
    for (const user of users) {
      const path = await createLink(trx, user.id, 'reset');
      await queueMail(trx, resetMail(user, user.email!, `${config.baseUrl}${path}`));
    }
  });
}
