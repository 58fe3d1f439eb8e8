import type { Knex } from 'knex';

/**
 * A task's points (Phabricator's maniphest.points): a non-negative number, or
 * null for none. Kept while points are switched off in the configuration, so
 * switching them on again brings the values back. The index serves the order
 * by points (no points sorting as -1, below zero) and the points range filter.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE tasks ADD COLUMN points double precision');
  // NaN compares above every number in PostgreSQL: the upper bound keeps it (and infinity) out.
  await knex.raw('ALTER TABLE tasks ADD CONSTRAINT tasks_points_check CHECK (points >= 0 AND points <= 1000000)');
  await knex.raw('CREATE INDEX tasks_points_index ON tasks ((coalesce(points, -1)), id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE tasks DROP COLUMN points');
}
