import type { Knex } from 'knex';

/** Conduit API tokens. Only a SHA-256 of each token is kept: a leaked table yields no usable token. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_tokens', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('name', 255).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_used_at', { useTz: true }).nullable();
    t.timestamp('revoked_at', { useTz: true }).nullable();
    t.index(['user_id']);
  });
  await knex.raw(`ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_hash_check CHECK (token_hash ~ '^[0-9a-f]{64}$')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_tokens');
}
