import type { Knex } from 'knex';

/**
 * Which markup a text is written in: Trellis's own Markdown, or Phabricator's
 * Remarkup for text imported as written. A constant default adds the column
 * without rewriting the table.
 */
export async function up(knex: Knex): Promise<void> {
  for (const table of ['tasks', 'task_events']) {
    await knex.raw(`ALTER TABLE ${table} ADD COLUMN markup varchar(16) NOT NULL DEFAULT 'markdown'`);
    await knex.raw(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_markup_check CHECK (markup IN ('markdown', 'remarkup'))`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['tasks', 'task_events']) await knex.raw(`ALTER TABLE ${table} DROP COLUMN markup`);
}
