import type { Knex } from 'knex';

/**
 * What administrators did to accounts (created, role changed, disabled,
 * enabled, MFA reset, password link issued), and what the command line did.
 * `actor_id` is null for the command line.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_log', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.integer('actor_id').nullable().references('users.id');
    t.integer('target_id').nullable().references('users.id');
    t.string('action', 32).notNullable();
    t.jsonb('details').notNullable().defaultTo('{}');
    t.string('address', 64).nullable();
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE INDEX audit_log_at_idx ON audit_log (at DESC, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('audit_log');
}
