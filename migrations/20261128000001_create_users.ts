import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('users', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.string('username', 64).notNullable();
    t.string('realname', 255).notNullable().defaultTo('');
    t.string('email', 255).nullable();
    t.string('role', 16).notNullable();
    t.text('password_hash').notNullable();
    t.timestamp('disabled_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('reader', 'engineer', 'maintainer', 'admin'))`);
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_username_check CHECK (username ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$')`);
  await knex.raw('CREATE UNIQUE INDEX users_username_lower_unique ON users (lower(username))');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
}
