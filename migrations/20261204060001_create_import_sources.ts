import type { Knex } from 'knex';

/**
 * What an import brought in, by the source's PHID: a second run finds each
 * object here and updates it instead of adding it again. `modified` is the
 * source's own dateModified, so an unchanged task is not rewritten.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('import_sources', (t) => {
    t.string('phid', 64).primary();
    t.string('kind', 16).notNullable();
    t.integer('local_id').notNullable();
    t.bigInteger('modified').notNullable().defaultTo(0);
  });
  await knex.raw(`ALTER TABLE import_sources ADD CONSTRAINT import_sources_kind_check CHECK (kind IN ('user', 'task', 'project'))`);
  await knex.raw('CREATE UNIQUE INDEX import_sources_local_idx ON import_sources (kind, local_id)');
  // Links to tasks not imported yet (a mention of a later task, a merge into one), keyed by the
  // target's source PHID or, for a mention, "T" and its number here: written when that task arrives.
  await knex.schema.createTable('import_pending_links', (t) => {
    t.integer('src_task_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.string('kind', 16).notNullable();
    t.string('dst_key', 64).notNullable();
    t.integer('actor_id').notNullable().references('users.id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.primary(['dst_key', 'kind', 'src_task_id']);
  });
  await knex.raw(`ALTER TABLE import_pending_links ADD CONSTRAINT import_pending_links_kind_check CHECK (kind IN ('mention', 'merged-into', 'subtask'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('import_pending_links');
  await knex.schema.dropTable('import_sources');
}
