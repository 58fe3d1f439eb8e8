import type { Knex } from 'knex';

/**
 * Attempts counted against a limit (failed logins, wrong MFA codes, refused API
 * tokens, reset mails asked for), one row each. They live in the database so
 * every app process sees the same count; rows older than the longest window are swept.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('auth_attempts', (t) => {
    t.specificType('id', 'bigint GENERATED ALWAYS AS IDENTITY').primary();
    t.string('scope', 32).notNullable();
    t.string('key', 320).notNullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE INDEX auth_attempts_scope_key_at_idx ON auth_attempts (scope, key, at)');
  await knex.raw('CREATE INDEX auth_attempts_at_idx ON auth_attempts (at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('auth_attempts');
}
