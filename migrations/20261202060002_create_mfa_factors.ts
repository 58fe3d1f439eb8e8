import type { Knex } from 'knex';

/**
 * One TOTP factor per account. The secret is encrypted (AES-256-GCM, see
 * server/users/mfa/secret-box.ts); `confirmed_at` is null while enrolment waits
 * for a first correct code; `last_step` is the newest time step a code was
 * accepted for, so no code is accepted twice.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mfa_factors', (t) => {
    t.integer('user_id').primary().references('users.id').onDelete('CASCADE');
    t.text('secret').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('confirmed_at', { useTz: true }).nullable();
    t.bigInteger('last_step').nullable();
  });
  await knex.schema.createTable('mfa_recovery_codes', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('code_hash', 64).notNullable();
    t.timestamp('used_at', { useTz: true }).nullable();
    t.index(['user_id']);
  });
  await knex.raw(`ALTER TABLE mfa_recovery_codes ADD CONSTRAINT mfa_recovery_codes_hash_check CHECK (code_hash ~ '^[0-9a-f]{64}$')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mfa_recovery_codes');
  await knex.schema.dropTable('mfa_factors');
}
