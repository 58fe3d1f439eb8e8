import type { Knex } from 'knex';

/**
 * The outbox: one row per message and recipient copy, written in the same
 * transaction as what it reports, and sent after commit by the job queue.
 * Every attempt through a mailer is a row of its own, so the admin pages can
 * show what happened and a retry knows what was tried.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mail_messages', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.string('kind', 32).notNullable();
    t.string('status', 16).notNullable().defaultTo('queued');
    t.jsonb('to_addresses').notNullable();
    t.jsonb('cc_addresses').notNullable();
    t.text('subject').notNullable().defaultTo('');
    t.text('text_body').notNullable().defaultTo('');
    t.text('html_body').nullable();
    t.text('reply_to').nullable();
    t.jsonb('headers').notNullable();
    t.integer('user_id').nullable().references('users.id').onDelete('SET NULL');
    t.integer('task_id').nullable().references('tasks.id').onDelete('SET NULL');
    t.boolean('mandatory').notNullable().defaultTo(false);
    /** Task mail is decided in the editor's transaction and rendered by the job: the event groups it reports, until then. */
    t.jsonb('event_groups').nullable();
    t.boolean('rendered').notNullable().defaultTo(true);
    t.string('mailer_key', 64).nullable();
    t.integer('attempts').notNullable().defaultTo(0);
    /** Why a message was voided or failed, in a sentence. */
    t.text('status_reason').nullable();
    t.text('last_error').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('sent_at', { useTz: true }).nullable();
  });
  await knex.raw(`ALTER TABLE mail_messages ADD CONSTRAINT mail_messages_status_check CHECK (status IN ('queued', 'sent', 'failed', 'void'))`);
  // A digest still collecting events is found by its task and recipient.
  await knex.raw('CREATE INDEX mail_messages_collecting_idx ON mail_messages (task_id, user_id) WHERE rendered = false');
  await knex.schema.createTable('mail_attempts', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.integer('message_id').notNullable().references('mail_messages.id').onDelete('CASCADE');
    t.string('mailer_key', 64).notNullable();
    t.string('outcome', 16).notNullable();
    t.text('error').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw(`ALTER TABLE mail_attempts ADD CONSTRAINT mail_attempts_outcome_check CHECK (outcome IN ('sent', 'temporary', 'permanent'))`);
  await knex.raw('CREATE INDEX mail_attempts_message_idx ON mail_attempts (message_id, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('mail_attempts');
  await knex.schema.dropTable('mail_messages');
}
