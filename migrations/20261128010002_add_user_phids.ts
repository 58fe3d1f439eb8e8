import type { Knex } from 'knex';

/**
 * Every account gets a PHID-USER-… identifier for the Conduit API. A volatile
 * default is evaluated once per existing row while the column is added, so the
 * backfill and NOT NULL happen in one statement; new rows get one the same way.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE users ADD COLUMN phid varchar(64) NOT NULL DEFAULT trellis_random_phid('PHID-USER-', 20)`);
  await knex.raw('ALTER TABLE users ADD CONSTRAINT users_phid_unique UNIQUE (phid)');
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_phid_check CHECK (phid ~ '^PHID-USER-[a-z2-7]{20}$')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE users DROP COLUMN phid');
}
