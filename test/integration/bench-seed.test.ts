import pg from 'pg';
import { seed } from '../bench/seed';
import { onPostgres } from '../support/db';
import { adminQuery, databaseUrl } from '../support/targets';

/**
 * What a seed drew, without what follows the clock (times, and the due dates counted from them) and
 * without the events' group ids (UUIDs): one digest per table.
 */
const DRAWN = [
  `SELECT md5(string_agg(concat_ws('|', id, username, email, role, phid), ',' ORDER BY id)) FROM users`,
  `SELECT md5(string_agg(concat_ws('|', id, title, description, status, priority, owner_id, author_id, closer_id, view_policy, phid, search_vector::text), ',' ORDER BY id)) FROM tasks`,
  `SELECT md5(string_agg(concat_ws('|', task_id, type, old_value::text, new_value::text, actor_id, phid), ',' ORDER BY task_id, phid)) FROM task_events WHERE type <> 'due'`,
  `SELECT md5(string_agg(concat_ws('|', task_id, user_id), ',' ORDER BY task_id, user_id)) FROM task_subscribers`,
];

// The seed is written for PostgreSQL: two connections, and indexes dropped and rebuilt around the load.
(onPostgres() ? describe : describe.skip)('the bench seed (PostgreSQL only)', () => {
  const admin = process.env.TRELLIS_TEST_ADMIN_URL!;
  const names = ['a', 'b'].map((n) => `trellis_test_${process.env.TRELLIS_TEST_RUN}_seed_${n}`);

  beforeAll(() => Promise.all(names.map((name) => adminQuery(`CREATE DATABASE ${name} TEMPLATE ${process.env.TRELLIS_TEST_TEMPLATE}`, admin))));
  afterAll(() => Promise.all(names.map((name) => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, admin))));

  async function drawn(name: string): Promise<string[]> {
    const c = new pg.Client({ connectionString: databaseUrl(name, admin) });
    await c.connect();
    try {
      const digests: string[] = [];
      for (const sql of DRAWN) digests.push((await c.query(sql)).rows[0].md5 as string);
      return digests;
    } finally {
      await c.end();
    }
  }

  test('draws the same people, tasks, words and events every time, whichever connection writes a batch', async () => {
    // Two batches of 500 on each of the two connections: which connection takes which batch is a race.
    for (const name of names) await seed({ url: databaseUrl(name, admin), tasks: 2000, events: 6, people: 40, log: () => {} });
    const [a, b] = await Promise.all(names.map(drawn));
    expect(a).toHaveLength(DRAWN.length);
    expect(a!.every((digest) => /^[0-9a-f]{32}$/.test(digest))).toBe(true);
    expect(b).toEqual(a);
  }, 120_000);
});
