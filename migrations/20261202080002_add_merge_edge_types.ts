import type { Knex } from 'knex';

/**
 * Merges are recorded like mentions: a typed link written in both directions,
 * (duplicate, 'merged-into', survivor) and (survivor, 'merged-from', duplicate).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE task_edges DROP CONSTRAINT task_edges_type_check');
  await knex.raw(`ALTER TABLE task_edges ADD CONSTRAINT task_edges_type_check CHECK (type IN ('mentions', 'mentioned-in', 'merged-into', 'merged-from'))`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`DELETE FROM task_edges WHERE type IN ('merged-into', 'merged-from')`);
  await knex.raw('ALTER TABLE task_edges DROP CONSTRAINT task_edges_type_check');
  await knex.raw(`ALTER TABLE task_edges ADD CONSTRAINT task_edges_type_check CHECK (type IN ('mentions', 'mentioned-in'))`);
}
