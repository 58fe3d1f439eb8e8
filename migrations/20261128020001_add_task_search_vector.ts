import type { Knex } from 'knex';

/**
 * Full-text search over title (weight A), description (B) and comments (C).
 * Comments live in task_events, so their vector is kept on the task by the
 * editor (appended as each comment lands); the search vector is generated
 * from it, in the same transaction as the edit that changed the text.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TABLE tasks ADD COLUMN comments_vector tsvector NOT NULL DEFAULT ''::tsvector`);
  await knex.raw(`
    UPDATE tasks SET comments_vector = c.v FROM (
      SELECT task_id, setweight(to_tsvector('english'::regconfig, string_agg(new_value #>> '{}', ' ' ORDER BY id)), 'C') AS v
      FROM task_events WHERE type = 'comment' GROUP BY task_id
    ) c WHERE c.task_id = tasks.id`);
  await knex.raw(`
    ALTER TABLE tasks ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
      setweight(to_tsvector('english'::regconfig, title), 'A') ||
      setweight(to_tsvector('english'::regconfig, description), 'B') ||
      comments_vector
    ) STORED`);
  await knex.raw('CREATE INDEX tasks_search_idx ON tasks USING gin (search_vector)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX tasks_search_idx');
  await knex.raw('ALTER TABLE tasks DROP COLUMN search_vector');
  await knex.raw('ALTER TABLE tasks DROP COLUMN comments_vector');
}
