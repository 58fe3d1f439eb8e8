import type { Knex } from 'knex';

/** The timeline: one row per change, written once and never updated. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('task_events', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.integer('task_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.uuid('group_id').notNullable();
    t.integer('actor_id').notNullable().references('users.id');
    t.string('type', 64).notNullable();
    t.jsonb('old_value').nullable();
    t.jsonb('new_value').nullable();
    t.string('source', 16).notNullable().defaultTo('web');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE INDEX task_events_task_idx ON task_events (task_id, id)');
  await knex.raw('CREATE INDEX task_events_task_type_idx ON task_events (task_id, type, id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('task_events');
}
