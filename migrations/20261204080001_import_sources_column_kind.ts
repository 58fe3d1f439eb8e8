import type { Knex } from 'knex';

/** Workboard columns an import brought in, so a second run finds them instead of adding them again. */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE import_sources DROP CONSTRAINT import_sources_kind_check');
  await knex.raw(`ALTER TABLE import_sources ADD CONSTRAINT import_sources_kind_check CHECK (kind IN ('user', 'task', 'project', 'column'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex('import_sources').where({ kind: 'column' }).del();
  await knex.raw('ALTER TABLE import_sources DROP CONSTRAINT import_sources_kind_check');
  await knex.raw(`ALTER TABLE import_sources ADD CONSTRAINT import_sources_kind_check CHECK (kind IN ('user', 'task', 'project'))`);
}
