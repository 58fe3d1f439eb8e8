import type { Knex } from 'knex';

/** Every task gets a PHID-TASK-… identifier, existing ones included (see the users migration for how). */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE tasks ADD COLUMN phid varchar(64) NOT NULL DEFAULT trellis_random_phid('PHID-TASK-', 20)`);
  await knex.raw('ALTER TABLE tasks ADD CONSTRAINT tasks_phid_unique UNIQUE (phid)');
  await knex.raw(`ALTER TABLE tasks ADD CONSTRAINT tasks_phid_check CHECK (phid ~ '^PHID-TASK-[a-z2-7]{20}$')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE tasks DROP COLUMN phid');
}
