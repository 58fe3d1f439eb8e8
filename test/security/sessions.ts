import type { Express } from 'express';
import type { Knex } from 'knex';
import { startSession } from '../../server/users/sessions';
import type { User } from '../../server/users/user';
import { SESSION_COOKIE } from '../../server/web/cookies';
import { Browser } from '../support/http';

/**
 * A browser holding a fresh session of `user`, started as the login form
 * starts one, without the password hash a real login costs: for suites that
 * need many sessions (one per case, or one to throw away).
 */
export async function sessionOf(app: Express, db: Knex, user: User): Promise<{ browser: Browser; id: string }> {
  const { token, id } = await startSession(db, user.id, 1, { address: null, userAgent: null });
  const browser = new Browser(app);
  browser.agent.jar.setCookie(`${SESSION_COOKIE}=${token}; Path=/`);
  return { browser, id };
}
