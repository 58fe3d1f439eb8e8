import type { Knex } from 'knex';

/**
 * A recurring job (the daily pruning of old mail) is one row, queued
 * again after each run. Every app process makes sure it exists when it
 * starts: this index keeps it to one pending row however many do at once.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE UNIQUE INDEX jobs_one_pending_recurring_idx ON jobs (kind) WHERE finished_at IS NULL AND (payload ->> 'recurring') = 'true'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX jobs_one_pending_recurring_idx');
}
