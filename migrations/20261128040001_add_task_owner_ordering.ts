import type { Knex } from 'knex';

/**
 * The owner's username, lowercased, on the task row ('' when unassigned), as
 * Phabricator keeps ownerOrdering: grouping a list by owner then sorts on a
 * column an index serves, instead of looking up a name for every row.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE tasks ADD COLUMN owner_ordering varchar(64) NOT NULL DEFAULT ''`);
  await knex.raw(`UPDATE tasks SET owner_ordering = lower(u.username) FROM users u WHERE u.id = tasks.owner_id`);
  await knex.raw('CREATE INDEX tasks_owner_priority_idx ON tasks (owner_ordering, priority DESC, updated_at DESC, id DESC)');
  await knex.raw('CREATE INDEX tasks_owner_updated_idx ON tasks (owner_ordering, updated_at DESC, id DESC)');
  // Lets the per-owner group counts of a filtered list read the index alone.
  await knex.raw('CREATE INDEX tasks_status_priority_owner_idx ON tasks (status, priority, owner_ordering)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX tasks_status_priority_owner_idx');
  await knex.raw('DROP INDEX tasks_owner_updated_idx');
  await knex.raw('DROP INDEX tasks_owner_priority_idx');
  await knex.raw('ALTER TABLE tasks DROP COLUMN owner_ordering');
}
