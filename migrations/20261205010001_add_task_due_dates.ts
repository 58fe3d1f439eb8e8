import type { Knex } from 'knex';

/**
 * A task's due date: `due` is the day as the person gave it ("2026-12-11", or
 * "2026-12-11T09:30" with a time), `due_at` the instant it begins in the
 * install's time zone, which filters and orders compare. One index serves
 * both, with tasks that have no due date sorted last: their key is a day far
 * past any a person may set, and still a safe integer of microseconds, as
 * list cursors carry keys. The bound names its offset, so the index matches
 * queries whatever the session's time zone.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE tasks ADD COLUMN due text NULL');
  await knex.raw('ALTER TABLE tasks ADD COLUMN due_at timestamptz NULL');
  await knex.raw(`ALTER TABLE tasks ADD CONSTRAINT tasks_due_format_check CHECK (due ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}){0,1}$')`);
  await knex.raw('ALTER TABLE tasks ADD CONSTRAINT tasks_due_pair_check CHECK ((due IS NULL) = (due_at IS NULL))');
  await knex.raw(`CREATE INDEX tasks_due_order_idx ON tasks ((coalesce(due_at, timestamptz '2200-01-01 00:00:00+00')), id)`);
  // A person's calendar feed: their tasks by due date.
  await knex.raw(`CREATE INDEX tasks_owner_due_idx ON tasks (owner_id, (coalesce(due_at, timestamptz '2200-01-01 00:00:00+00')), id)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX tasks_owner_due_idx');
  await knex.raw('DROP INDEX tasks_due_order_idx');
  await knex.raw('ALTER TABLE tasks DROP CONSTRAINT tasks_due_pair_check');
  await knex.raw('ALTER TABLE tasks DROP CONSTRAINT tasks_due_format_check');
  await knex.raw('ALTER TABLE tasks DROP COLUMN due_at');
  await knex.raw('ALTER TABLE tasks DROP COLUMN due');
}
