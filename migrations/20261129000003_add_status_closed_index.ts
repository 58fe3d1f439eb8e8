import type { Knex } from 'knex';

/**
 * Date Closed within one status: a list grouped by status reads each status
 * by this index, and a list of one status ordered by closing date too.
 * Without it, the open tasks (which all sort last, never closed) were found
 * by walking past every closed task.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`CREATE INDEX tasks_status_closed_idx ON tasks (status, (coalesce(closed_at, timestamptz 'epoch')) DESC, id DESC)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX tasks_status_closed_idx');
}
