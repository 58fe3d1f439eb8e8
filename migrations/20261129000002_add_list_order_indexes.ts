import type { Knex } from 'knex';

/**
 * Two more orders served by an index instead of a sort of every task:
 * - every task by priority (All Tasks with the default grouping), which the
 *   status-led list index serves only when statuses are filtered;
 * - Date Closed, whose key is coalesce(closed_at, epoch) so that open tasks
 *   have a value to page past; the partial index on closed_at could not serve it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX tasks_priority_updated_idx ON tasks (priority DESC, updated_at DESC, id DESC)');
  await knex.raw('DROP INDEX tasks_closed_idx');
  await knex.raw(`CREATE INDEX tasks_closed_order_idx ON tasks ((coalesce(closed_at, timestamptz 'epoch')) DESC, id DESC)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX tasks_closed_order_idx');
  await knex.raw('CREATE INDEX tasks_closed_idx ON tasks (closed_at DESC, id DESC) WHERE closed_at IS NOT NULL');
  await knex.raw('DROP INDEX tasks_priority_updated_idx');
}
