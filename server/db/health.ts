import type { Knex } from 'knex';

/** One round trip to the database: the health check, and the benchmark's baseline. */
export async function ping(db: Knex): Promise<void> {
  await db.raw('SELECT 1');
}
