import type { Knex } from 'knex';

/**
 * Bulk edits run as jobs: the request stores what to change and on which
 * tasks, and any app process works through them, one task at a time, holding
 * a lease (claimed_until) that another process may take over once it lapses.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('bulk_edits', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.integer('actor_id').notNullable().references('users.id');
    t.jsonb('changes').notNullable();
    /** The list the edit was started from, for the way back. */
    t.text('back').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('claimed_until', { useTz: true }).nullable();
    t.timestamp('finished_at', { useTz: true }).nullable();
  });
  await knex.raw('CREATE INDEX bulk_edits_unfinished_idx ON bulk_edits (id) WHERE finished_at IS NULL');
  await knex.schema.createTable('bulk_edit_tasks', (t) => {
    t.integer('bulk_edit_id').notNullable().references('bulk_edits.id').onDelete('CASCADE');
    t.integer('position').notNullable();
    // No foreign key: a task that is gone is reported as refused, not lost from the report.
    t.integer('task_id').notNullable();
    t.string('outcome', 16).nullable();
    t.text('reason').nullable();
    t.primary(['bulk_edit_id', 'position']);
  });
  await knex.raw(`ALTER TABLE bulk_edit_tasks ADD CONSTRAINT bulk_edit_tasks_outcome_check CHECK (outcome IN ('changed', 'unchanged', 'refused'))`);
  await knex.raw('CREATE INDEX bulk_edit_tasks_pending_idx ON bulk_edit_tasks (bulk_edit_id, position) WHERE outcome IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('bulk_edit_tasks');
  await knex.schema.dropTable('bulk_edits');
}
