import type { Knex } from 'knex';

/**
 * The index on task_subscribers (user_id) is the leading column of task_subscribers_user_task_idx
 * (user_id, task_id), which serves every lookup it served, the foreign key's checks included: it
 * only cost an entry more on every subscription written.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX task_subscribers_user_id_index');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX task_subscribers_user_id_index ON task_subscribers (user_id)');
}
