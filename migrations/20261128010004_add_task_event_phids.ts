import type { Knex } from 'knex';

/**
 * Every event gets a PHID-XACT-TASK-… identifier, as Phabricator's transactions
 * have; adding the column is the one write events ever get after insertion.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE task_events ADD COLUMN phid varchar(64) NOT NULL DEFAULT trellis_random_phid('PHID-XACT-TASK-', 15)`);
  await knex.raw('ALTER TABLE task_events ADD CONSTRAINT task_events_phid_unique UNIQUE (phid)');
  await knex.raw(`ALTER TABLE task_events ADD CONSTRAINT task_events_phid_check CHECK (phid ~ '^PHID-XACT-TASK-[a-z2-7]{15}$')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE task_events DROP COLUMN phid');
}
