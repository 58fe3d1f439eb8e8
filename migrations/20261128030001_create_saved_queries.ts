import type { Knex } from 'knex';

/**
 * A person's saved task queries: a name, the filter form's parameters as a
 * URL query string, and a position in their list (the first is their default).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('saved_queries', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.integer('owner_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('query_key', 12).notNullable().unique();
    t.string('name', 100).notNullable();
    t.text('params').notNullable();
    t.integer('position').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE saved_queries ADD CONSTRAINT saved_queries_key_check CHECK (query_key ~ '^[a-z2-7]{12}$')`);
  await knex.raw(`ALTER TABLE saved_queries ADD CONSTRAINT saved_queries_name_check CHECK (length(btrim(name)) > 0)`);
  await knex.raw(`ALTER TABLE saved_queries ADD CONSTRAINT saved_queries_params_check CHECK (length(params) <= 20000)`);
  // Deferred, so that moving a query swaps two positions inside one transaction; the index also serves the list.
  await knex.raw(`ALTER TABLE saved_queries ADD CONSTRAINT saved_queries_position_unique UNIQUE (owner_id, position) DEFERRABLE INITIALLY DEFERRED`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('saved_queries');
}
