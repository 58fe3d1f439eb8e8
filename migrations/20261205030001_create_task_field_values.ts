import type { Knex } from 'knex';

/**
 * Custom field values, one row per task and field. A value sits in the column of
 * its kind (text and select keys; int and bool; days; people), each indexed by
 * field key first, so a filter on one field reads only its own rows.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('task_field_values', (t) => {
    t.integer('task_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.string('field_key', 64).notNullable();
    // The type it was written as: a field removed from the configuration still reads back as what it was.
    t.string('field_type', 8).notNullable();
    t.text('text_value').nullable();
    t.bigInteger('number_value').nullable();
    t.date('date_value').nullable();
    t.specificType('user_ids', 'integer[]').nullable();
    t.primary(['task_id', 'field_key']);
  });
  await knex.raw('CREATE INDEX task_field_values_text_idx ON task_field_values (field_key, text_value, task_id) WHERE text_value IS NOT NULL');
  await knex.raw('CREATE INDEX task_field_values_number_idx ON task_field_values (field_key, number_value, task_id) WHERE number_value IS NOT NULL');
  await knex.raw('CREATE INDEX task_field_values_date_idx ON task_field_values (field_key, date_value, task_id) WHERE date_value IS NOT NULL');
  await knex.raw('CREATE INDEX task_field_values_users_idx ON task_field_values USING gin (user_ids) WHERE user_ids IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('task_field_values');
}
