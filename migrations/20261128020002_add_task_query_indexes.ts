import type { Knex } from 'knex';

/**
 * Indexes for the list queries: each built-in list and each order is served
 * by an index whose columns end in the order's keyset, so a page is a range scan.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX tasks_owner_idx');
  await knex.raw('DROP INDEX tasks_author_idx');
  await knex.raw('CREATE INDEX tasks_owner_list_idx ON tasks (owner_id, status, priority DESC, updated_at DESC, id DESC)');
  await knex.raw('CREATE INDEX tasks_author_list_idx ON tasks (author_id, status, priority DESC, updated_at DESC, id DESC)');
  await knex.raw('CREATE INDEX tasks_updated_idx ON tasks (updated_at DESC, id DESC)');
  await knex.raw('CREATE INDEX tasks_status_updated_idx ON tasks (status, updated_at DESC, id DESC)');
  await knex.raw('CREATE INDEX tasks_closed_idx ON tasks (closed_at DESC, id DESC) WHERE closed_at IS NOT NULL');
  await knex.raw('CREATE INDEX tasks_title_idx ON tasks (title, id)');
  await knex.raw('CREATE INDEX task_subscribers_user_task_idx ON task_subscribers (user_id, task_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX task_subscribers_user_task_idx');
  await knex.raw('DROP INDEX tasks_title_idx');
  await knex.raw('DROP INDEX tasks_closed_idx');
  await knex.raw('DROP INDEX tasks_status_updated_idx');
  await knex.raw('DROP INDEX tasks_updated_idx');
  await knex.raw('DROP INDEX tasks_author_list_idx');
  await knex.raw('DROP INDEX tasks_owner_list_idx');
  await knex.raw('CREATE INDEX tasks_author_idx ON tasks (author_id)');
  await knex.raw('CREATE INDEX tasks_owner_idx ON tasks (owner_id) WHERE owner_id IS NOT NULL');
}
