import type { Knex } from 'knex';

/**
 * Which tasks' text (description or a comment) names which file as {F12}: a
 * file is visible to whoever may see one of these tasks, and to its uploader.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('task_files', (t) => {
    t.integer('task_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.integer('file_id').notNullable().references('files.id').onDelete('CASCADE');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.primary(['task_id', 'file_id']);
  });
  await knex.raw('CREATE INDEX task_files_file_idx ON task_files (file_id, task_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('task_files');
}
