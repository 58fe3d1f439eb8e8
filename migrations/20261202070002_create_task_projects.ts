import type { Knex } from 'knex';

/** The tags on a task. The list's "Tags" filter reads it from both sides. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('task_projects', (t) => {
    t.integer('task_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.integer('project_id').notNullable().references('projects.id');
    t.primary(['task_id', 'project_id']);
    t.index(['project_id', 'task_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('task_projects');
}
