import type { Knex } from 'knex';

/**
 * A version for each thing an app process may keep a copy of, moved by the database itself on
 * every write to what it covers, so that every process can tell, in the statement that reads with
 * the copy, whether its copy still holds. `project_tags`: the projects' names, colors, closing and
 * hashtags, as tags on tasks show them.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('cache_versions', (t) => {
    t.string('name', 64).primary();
    t.bigInteger('version').notNullable();
  });
  await knex('cache_versions').insert({ name: 'project_tags', version: 1 });
  await knex.raw(`CREATE FUNCTION trellis_bump_cache_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE cache_versions SET version = version + 1 WHERE name = TG_ARGV[0];
      RETURN NULL;
    END $$`);
  for (const table of ['projects', 'project_hashtags']) {
    await knex.raw(
      `CREATE TRIGGER ${table}_bump_project_tags AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION trellis_bump_cache_version('project_tags')`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['projects', 'project_hashtags']) await knex.raw(`DROP TRIGGER ${table}_bump_project_tags ON ${table}`);
  await knex.raw('DROP FUNCTION trellis_bump_cache_version()');
  await knex.schema.dropTable('cache_versions');
}
