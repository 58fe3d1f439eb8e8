import type { Knex } from 'knex';

/**
 * Typed links between tasks, written in both directions in one transaction:
 * (456, 'mentions', 123) and (123, 'mentioned-in', 456).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('task_edges', (t) => {
    t.integer('src_task_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.string('type', 32).notNullable();
    t.integer('dst_task_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['src_task_id', 'type', 'dst_task_id']);
  });
  await knex.raw(`ALTER TABLE task_edges ADD CONSTRAINT task_edges_type_check CHECK (type IN ('mentions', 'mentioned-in'))`);
  await knex.raw('ALTER TABLE task_edges ADD CONSTRAINT task_edges_not_self CHECK (src_task_id <> dst_task_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('task_edges');
}
