import type { Knex } from 'knex';

/**
 * Uploaded files, kept in the database so that backups and every app process
 * have them. `kind` is what the content is (read from its first bytes), not
 * what its name or the browser claimed; only an image kind is ever shown inline.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('files', (t) => {
    t.increments('id');
    t.integer('author_id').notNullable().references('users.id');
    t.string('name', 255).notNullable();
    t.string('kind', 32).nullable();
    t.integer('size').notNullable();
    t.binary('data').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE files ADD CONSTRAINT files_size_check CHECK (size >= 0 AND size = octet_length(data))`);
  await knex.raw(`ALTER TABLE files ADD CONSTRAINT files_kind_check CHECK (kind IN ('image/png', 'image/jpeg', 'image/gif', 'image/webp'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('files');
}
