import type { Knex } from 'knex';

/**
 * The task graph: one row per parent → subtask edge. The primary key reads a task's
 * subtasks, the second index its parents, so a walk either way is index-only.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('task_subtasks', (t) => {
    t.integer('parent_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.integer('child_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['parent_id', 'child_id']);
  });
  await knex.raw('CREATE INDEX task_subtasks_child_idx ON task_subtasks (child_id, parent_id)');
  await knex.raw('ALTER TABLE task_subtasks ADD CONSTRAINT task_subtasks_not_self CHECK (parent_id <> child_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('task_subtasks');
}
