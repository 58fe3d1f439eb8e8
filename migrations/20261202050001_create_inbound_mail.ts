import type { Knex } from 'knex';

/**
 * One row per mail received for one recipient: what it was and what came of it.
 * The unique Message-ID per recipient makes a redelivered mail (a relay that
 * timed out waiting for our answer and sent it again) a no-op.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('inbound_mail', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.timestamp('received_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.string('message_id', 998).nullable();
    t.string('recipient', 320).notNullable();
    t.string('sender', 320).nullable();
    t.string('kind', 16).notNullable();
    t.string('outcome', 16).notNullable();
    t.text('reason').nullable();
    t.integer('task_id').nullable().references('tasks.id').onDelete('SET NULL');
    t.integer('user_id').nullable().references('users.id').onDelete('SET NULL');
    t.uuid('group_id').nullable();
  });
  await knex.raw(`ALTER TABLE inbound_mail ADD CONSTRAINT inbound_mail_kind_check CHECK (kind IN ('reply', 'create'))`);
  await knex.raw(`ALTER TABLE inbound_mail ADD CONSTRAINT inbound_mail_outcome_check CHECK (outcome IN ('received', 'applied', 'created', 'refused', 'dropped'))`);
  await knex.raw('CREATE UNIQUE INDEX inbound_mail_message_unique ON inbound_mail (message_id, lower(recipient)) WHERE message_id IS NOT NULL');
  await knex.raw('CREATE INDEX inbound_mail_received_idx ON inbound_mail (received_at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inbound_mail');
}
