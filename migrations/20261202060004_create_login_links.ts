import type { Knex } from 'knex';

/**
 * One-time links sent by mail (or shown to an administrator): a password
 * reset, a new account's "set your password", a new email address to verify.
 * Only a SHA-256 of the link's token is kept.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('login_links', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.string('purpose', 16).notNullable();
    t.string('token_hash', 64).notNullable().unique();
    /** The address a verification link confirms; null for the other kinds. */
    t.string('email', 255).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('used_at', { useTz: true }).nullable();
    t.index(['user_id']);
  });
  await knex.raw(`ALTER TABLE login_links ADD CONSTRAINT login_links_purpose_check CHECK (purpose IN ('reset', 'welcome', 'verify-email'))`);
  await knex.raw(`ALTER TABLE login_links ADD CONSTRAINT login_links_email_check CHECK ((purpose = 'verify-email') = (email IS NOT NULL))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('login_links');
}
