import type { Knex } from 'knex';

/**
 * Projects (tags) with their hashtags, members and watchers. A milestone is a
 * project with a parent; closing one keeps its tasks tagged.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('projects', (t) => {
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.string('name', 128).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.string('color', 16).notNullable().defaultTo('blue');
    t.string('icon', 16).notNullable().defaultTo('project');
    t.integer('parent_id').nullable().references('projects.id');
    t.integer('milestone_number').nullable();
    t.integer('author_id').notNullable().references('users.id');
    t.timestamp('closed_at', { useTz: true }).nullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.index(['parent_id']);
  });
  await knex.raw(`ALTER TABLE projects ADD COLUMN phid varchar(64) NOT NULL DEFAULT trellis_random_phid('PHID-PROJ-', 20)`);
  await knex.raw('ALTER TABLE projects ADD CONSTRAINT projects_phid_unique UNIQUE (phid)');
  await knex.raw(`ALTER TABLE projects ADD CONSTRAINT projects_name_check CHECK (length(btrim(name)) > 0)`);
  await knex.raw(`ALTER TABLE projects ADD CONSTRAINT projects_milestone_check CHECK ((parent_id IS NULL) = (milestone_number IS NULL))`);
  await knex.raw('CREATE UNIQUE INDEX projects_milestone_unique ON projects (parent_id, milestone_number) WHERE parent_id IS NOT NULL');

  await knex.schema.createTable('project_hashtags', (t) => {
    t.string('hashtag', 64).primary();
    t.integer('project_id').notNullable().references('projects.id').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.unique(['project_id', 'position']);
  });
  await knex.raw(`ALTER TABLE project_hashtags ADD CONSTRAINT project_hashtags_check CHECK (hashtag ~ '^[a-z0-9_-]*[a-z][a-z0-9_-]*$')`);

  for (const table of ['project_members', 'project_watchers']) {
    await knex.schema.createTable(table, (t) => {
      t.integer('project_id').notNullable().references('projects.id').onDelete('CASCADE');
      t.integer('user_id').notNullable().references('users.id');
      t.primary(['project_id', 'user_id']);
      t.index(['user_id']);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('project_watchers');
  await knex.schema.dropTable('project_members');
  await knex.schema.dropTable('project_hashtags');
  await knex.schema.dropTable('projects');
}
