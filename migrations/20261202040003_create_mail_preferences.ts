import type { Knex } from 'knex';

/**
 * What each person wants to hear about by mail, and the tasks they muted.
 * A person without a row has the defaults: mail on, not about their own
 * actions, every kind of change, one mail per change.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('mail_preferences', (t) => {
    t.integer('user_id').primary().references('users.id').onDelete('CASCADE');
    t.boolean('enabled').notNullable().defaultTo(true);
    t.boolean('self_actions').notNullable().defaultTo(false);
    /** One mail per task per this many minutes; null sends each change on its own. */
    t.integer('digest_minutes').nullable();
    /** Kinds of change the person set to Ignore. */
    t.jsonb('ignored_tags').notNullable().defaultTo('[]');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('ALTER TABLE mail_preferences ADD CONSTRAINT mail_preferences_digest_check CHECK (digest_minutes BETWEEN 1 AND 1440)');
  await knex.schema.createTable('task_mutes', (t) => {
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.integer('task_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['task_id', 'user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('task_mutes');
  await knex.schema.dropTable('mail_preferences');
}
