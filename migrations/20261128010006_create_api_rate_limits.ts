import type { Knex } from 'knex';

/**
 * Requests per API token in its current window. The counter lives in the
 * database so every app process counts against the same limit.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_rate_limits', (t) => {
    t.integer('token_id').primary().references('api_tokens.id').onDelete('CASCADE');
    t.timestamp('window_start', { useTz: true }).notNullable();
    t.integer('requests').notNullable();
  });
  await knex.raw('ALTER TABLE api_rate_limits ADD CONSTRAINT api_rate_limits_requests_check CHECK (requests > 0)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_rate_limits');
}
