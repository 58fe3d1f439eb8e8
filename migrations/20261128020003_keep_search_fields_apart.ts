import type { Knex } from 'knex';

/*
 * Concatenated tsvectors continue each other's word positions, so a quoted
 * phrase could match the last word of a title and the first of the
 * description. A placeholder lexeme 100 positions out, deleted again, leaves
 * a gap between title, description and comments (and between comments) that
 * no phrase crosses.
 */
const GAP = `'trellisgap:100'::tsvector`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE tasks SET comments_vector = c.v FROM (
      SELECT task_id, ts_delete(
        setweight(to_tsvector('english'::regconfig, string_agg(new_value #>> '{}', ' trellisgap trellisgap trellisgap ' ORDER BY id)), 'C'),
        'trellisgap') AS v
      FROM task_events WHERE type = 'comment' GROUP BY task_id
    ) c WHERE c.task_id = tasks.id`);
  await knex.raw('DROP INDEX tasks_search_idx');
  await knex.raw('ALTER TABLE tasks DROP COLUMN search_vector');
  await knex.raw(`
    ALTER TABLE tasks ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
      ts_delete(
        setweight(to_tsvector('english'::regconfig, title), 'A') || ${GAP} ||
        setweight(to_tsvector('english'::regconfig, description), 'B') || ${GAP} ||
        comments_vector,
        'trellisgap')
    ) STORED`);
  await knex.raw('CREATE INDEX tasks_search_idx ON tasks USING gin (search_vector)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX tasks_search_idx');
  await knex.raw('ALTER TABLE tasks DROP COLUMN search_vector');
  await knex.raw(`
    ALTER TABLE tasks ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('english'::regconfig, title), 'A') ||
      setweight(to_tsvector('english'::regconfig, description), 'B') ||
      comments_vector
    ) STORED`);
  await knex.raw('CREATE INDEX tasks_search_idx ON tasks USING gin (search_vector)');
}
