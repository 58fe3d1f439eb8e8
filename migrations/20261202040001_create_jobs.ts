import type { Knex } from 'knex';

/**
 * One queue for everything that runs after a commit: bulk edits, mail,
 * digests. Any app process claims a due job with FOR UPDATE SKIP LOCKED and
 * holds it by a lease (claimed_until); a job whose holder died is taken over
 * once the lease lapses. Bulk edits move onto it: their own lease column goes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('jobs', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.string('kind', 64).notNullable();
    t.jsonb('payload').notNullable();
    t.timestamp('run_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('claimed_until', { useTz: true }).nullable();
    t.timestamp('finished_at', { useTz: true }).nullable();
    t.text('last_error').nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE INDEX jobs_due_idx ON jobs (run_at, id) WHERE finished_at IS NULL');
  await knex.raw(
    `INSERT INTO jobs (kind, payload, created_at)
     SELECT 'bulk-edit', jsonb_build_object('bulkEditId', id), created_at FROM bulk_edits WHERE finished_at IS NULL ORDER BY id`,
  );
  await knex.schema.alterTable('bulk_edits', (t) => t.dropColumn('claimed_until'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('bulk_edits', (t) => t.timestamp('claimed_until', { useTz: true }).nullable());
  await knex.schema.dropTable('jobs');
}
