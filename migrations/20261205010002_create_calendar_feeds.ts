import type { Knex } from 'knex';

/**
 * Each person's private calendar feed of their due dates: one secret URL,
 * of which only a SHA-256 is kept. Revoking deletes the row; a new secret
 * replaces it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('calendar_feeds', (t) => {
    t.integer('user_id').primary().references('users.id').onDelete('CASCADE');
    t.string('secret_hash', 64).notNullable().unique();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('calendar_feeds');
}
