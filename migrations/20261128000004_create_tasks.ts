import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tasks', (t) => {
    // Identity values are never handed out twice, so a T-number is never reused.
    t.specificType('id', 'integer GENERATED ALWAYS AS IDENTITY').primary();
    t.string('title', 255).notNullable();
    t.text('description').notNullable().defaultTo('');
    t.string('status', 64).notNullable();
    t.integer('priority').notNullable();
    t.integer('owner_id').nullable().references('users.id');
    t.integer('author_id').notNullable().references('users.id');
    t.string('view_policy', 16).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('closed_at', { useTz: true }).nullable();
    t.integer('closer_id').nullable().references('users.id');
  });
  await knex.raw(`ALTER TABLE tasks ADD CONSTRAINT tasks_title_check CHECK (length(btrim(title)) > 0)`);
  await knex.raw(`ALTER TABLE tasks ADD CONSTRAINT tasks_status_check CHECK (status ~ '^[a-z0-9]{1,64}$')`);
  await knex.raw(`ALTER TABLE tasks ADD CONSTRAINT tasks_priority_check CHECK (priority >= 0)`);
  await knex.raw(`ALTER TABLE tasks ADD CONSTRAINT tasks_view_policy_check CHECK (view_policy IN ('public', 'users', 'maintainers'))`);
  await knex.raw(`ALTER TABLE tasks ADD CONSTRAINT tasks_closed_check CHECK ((closed_at IS NULL) = (closer_id IS NULL))`);
  await knex.raw('CREATE INDEX tasks_list_idx ON tasks (status, priority DESC, updated_at DESC, id DESC)');
  await knex.raw('CREATE INDEX tasks_owner_idx ON tasks (owner_id) WHERE owner_id IS NOT NULL');
  await knex.raw('CREATE INDEX tasks_author_idx ON tasks (author_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('tasks');
}
