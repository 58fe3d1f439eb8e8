import type { Knex } from 'knex';

/**
 * The columns of each project's workboard, and where each card sits. A card's
 * rank is a string ordered bytewise ("C" collation): a key between any two
 * others always exists, so a move writes one row, never the whole column.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('board_columns', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.integer('project_id').notNullable().references('projects.id').onDelete('CASCADE');
    t.string('name', 128).notNullable();
    t.integer('sequence').notNullable();
    t.boolean('is_default').notNullable().defaultTo(false);
    t.boolean('hidden').notNullable().defaultTo(false);
    t.string('status', 64).nullable();
    t.integer('wip_limit').nullable();
    t.boolean('wip_strict').notNullable().defaultTo(false);
    t.integer('proxy_project_id').nullable().references('projects.id').onDelete('CASCADE');
    t.index(['project_id', 'sequence']);
  });
  await knex.raw(`ALTER TABLE board_columns ADD COLUMN phid varchar(64) NOT NULL DEFAULT trellis_random_phid('PHID-PCOL-', 20)`);
  await knex.raw('ALTER TABLE board_columns ADD CONSTRAINT board_columns_phid_unique UNIQUE (phid)');
  await knex.raw('ALTER TABLE board_columns ADD CONSTRAINT board_columns_wip_check CHECK (wip_limit IS NULL OR wip_limit > 0)');
  await knex.raw('ALTER TABLE board_columns ADD CONSTRAINT board_columns_default_check CHECK (NOT (is_default AND (hidden OR proxy_project_id IS NOT NULL)))');
  await knex.raw('CREATE UNIQUE INDEX board_columns_one_default ON board_columns (project_id) WHERE is_default');
  await knex.raw('CREATE UNIQUE INDEX board_columns_proxy_unique ON board_columns (proxy_project_id) WHERE proxy_project_id IS NOT NULL');

  await knex.schema.createTable('board_cards', (t) => {
    t.integer('project_id').notNullable().references('projects.id').onDelete('CASCADE');
    t.integer('task_id').notNullable().references('tasks.id').onDelete('CASCADE');
    t.integer('column_id').notNullable().references('board_columns.id');
    t.specificType('rank', 'varchar(255) COLLATE "C"').notNullable();
    t.primary(['project_id', 'task_id']);
    t.index(['task_id']);
  });
  await knex.raw('CREATE INDEX board_cards_column_rank ON board_cards (column_id, rank)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('board_cards');
  await knex.schema.dropTable('board_columns');
}
