import type { Knex } from 'knex';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { onPostgres } from '../support/db';
import { createTask, createUser, edit } from '../support/factories';

/**
 * A named statement is worth its name only if PostgreSQL reuses the plan: when a plan made for the
 * values at hand always looks cheaper than the reusable one, it plans the statement again on every
 * call, as if it had no name. PostgreSQL tries five such plans before it may settle on the reusable
 * one, so each write runs eight times here on one connection (a transaction holds one).
 */
(onPostgres() ? describe : describe.skip)('the statements of a write', () => {
  const t = useTestApp();
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
  });

  /** Named statements this connection planned afresh on every call, past PostgreSQL's first five. */
  async function replannedBy(write: (trx: Knex.Transaction) => Promise<void>): Promise<string[]> {
    return t.db.transaction(async (trx) => {
      for (let n = 0; n < 8; n++) await write(trx);
      const rows = (await trx.raw(`SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'trellis%'`)).rows as {
        name: string;
        generic_plans: string;
        custom_plans: string;
      }[];
      expect(rows.length).toBeGreaterThan(0);
      return rows.filter((r) => Number(r.generic_plans) === 0 && Number(r.custom_plans) >= 8).map((r) => r.name);
    });
  }

  test('a comment plans each of its statements once', async () => {
    const task = await createTask({ db: t.db, tracker: t.tracker }, alice, { title: 'Commented on' });
    await edit({ db: t.db, tracker: t.tracker }, bob, task, { comment: 'I see it too.' });
    const replanned = await replannedBy(async (trx) => {
      await edit({ db: trx, tracker: t.tracker }, alice, task, { comment: 'Another look at this.' });
    });
    expect(replanned).toEqual([]);
  });

  test('creating a task plans each of its statements once', async () => {
    const replanned = await replannedBy(async (trx) => {
      await createTask({ db: trx, tracker: t.tracker }, alice, { title: 'Filed again', description: 'Steps to see it.', owner: 'bob' });
    });
    expect(replanned).toEqual([]);
  });
});
