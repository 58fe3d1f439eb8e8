import type { Knex } from 'knex';

/**
 * What a session may do and where it came from: `mfa_pending` (the password or
 * a login link was right, a second factor is still owed), `password_pending`
 * (logged in by a reset link, a new password is owed), `elevated_until` (a
 * fresh MFA code was given; sensitive actions need no other until then), the
 * client address and browser for the session list, and a small public
 * number so that list never shows the stored hash.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.specificType('ref', 'integer GENERATED ALWAYS AS IDENTITY');
    t.boolean('mfa_pending').notNullable().defaultTo(false);
    t.boolean('password_pending').notNullable().defaultTo(false);
    t.timestamp('elevated_until', { useTz: true }).nullable();
    t.string('address', 64).nullable();
    t.string('user_agent', 255).nullable();
  });
  await knex.raw('CREATE UNIQUE INDEX sessions_ref_unique ON sessions (ref)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('sessions', (t) => {
    t.dropColumn('ref');
    t.dropColumn('mfa_pending');
    t.dropColumn('password_pending');
    t.dropColumn('elevated_until');
    t.dropColumn('address');
    t.dropColumn('user_agent');
  });
}
