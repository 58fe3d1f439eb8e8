import type { Knex } from 'knex';

/**
 * Versions finer than the tracker's, for a page that shows a few tasks and nothing else that is a
 * task's (a task page): one version a task, in `task_versions`, and one for everything that is no
 * task's (people, projects, boards' columns, files), the sum of the SHARED_SLOTS `shared/…` rows of
 * `cache_versions`. Such a page holds while its tasks' versions and the shared one hold, whatever
 * is written to other tasks.
 *
 * A statement that writes a task's rows notes which tasks it wrote, in a transaction-local setting
 * (statement triggers, reading the rows written from transition tables, so a bulk write costs one
 * call, not one a row). At commit, the tracker's deferred trigger moves each noted task's version by
 * one, in ascending order of task: two transactions that wrote the same tasks take their rows'
 * locks in the same order, and only while committing, so they can not deadlock on them. Past
 * MAX_NOTED tasks a transaction moves the shared version instead, which every such page reads.
 */
const SHARED_SLOTS = 16;
const MAX_NOTED = 1000;

/** The tables of a task's rows, each with the columns that name the tasks a row belongs to. */
const TASK_TABLES: Record<string, string[]> = {
  tasks: ['id'],
  task_events: ['task_id'],
  task_edges: ['src_task_id', 'dst_task_id'],
  task_subtasks: ['parent_id', 'child_id'],
  task_field_values: ['task_id'],
  task_files: ['task_id'],
  task_projects: ['task_id'],
  task_subscribers: ['task_id'],
  task_mutes: ['task_id'],
  board_cards: ['task_id'],
};

/** Tables the tracker's version covers that belong to no task. */
const SHARED_TABLES = ['projects', 'project_hashtags', 'project_members', 'project_watchers', 'board_columns', 'users', 'files', 'import_sources'];

/**
 * Adds tasks to those the transaction noted, a comma-separated list, or '*' past MAX_NOTED. Written
 * in plain expressions, not queries, as an edit runs it once for each table it writes: with one
 * query to merge the lists, a note trigger cost 0.065 to 0.083 ms; without, 0.045 to 0.055.
 */
const NOTE_FUNCTION = `CREATE OR REPLACE FUNCTION trellis_note_tasks(ids integer[]) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      noted text := coalesce(current_setting('trellis.noted_tasks', true), '');
      count integer;
      id integer;
    BEGIN
      IF noted = '*' THEN RETURN; END IF;
      count := CASE WHEN noted = '' THEN 0 ELSE length(noted) - length(replace(noted, ',', '')) + 1 END;
      FOREACH id IN ARRAY ids LOOP
        CONTINUE WHEN id IS NULL OR position(',' || id || ',' IN ',' || noted || ',') > 0;
        count := count + 1;
        IF count > ${MAX_NOTED} THEN
          noted := '*';
          EXIT;
        END IF;
        noted := CASE WHEN noted = '' THEN id::text ELSE noted || ',' || id END;
      END LOOP;
      PERFORM set_config('trellis.noted_tasks', noted, true);
    END $$`;

const noteFunction = (table: string) => `trellis_note_${table}_tasks`;

/** The statement trigger function of one table: the ids in its columns, of the rows a statement wrote. */
function noteFunctionSql(table: string, columns: string[]): string {
  const idsOf = (rows: string) => columns.map((c) => `SELECT ${c} FROM ${rows}`).join(' UNION ALL ');
  return `CREATE FUNCTION ${noteFunction(table)}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- Past MAX_NOTED the rows need not be read: a cascade from many tasks calls this once a task.
      IF current_setting('trellis.noted_tasks', true) = '*' THEN RETURN NULL; END IF;
      IF TG_OP = 'INSERT' THEN PERFORM trellis_note_tasks(ARRAY(${idsOf('written_rows')}));
      ELSIF TG_OP = 'DELETE' THEN PERFORM trellis_note_tasks(ARRAY(${idsOf('removed_rows')}));
      ELSE PERFORM trellis_note_tasks(ARRAY(${idsOf('written_rows')} UNION ALL ${idsOf('removed_rows')}));
      END IF;
      RETURN NULL;
    END $$`;
}

/**
 * The tracker's deferred trigger, once a transaction, at commit: the tracker's version, then each
 * noted task's; the shared version once for a shared table's row, a `TRUNCATE` (which fires at once)
 * or more tasks than were noted one by one.
 */
const VERSION_FUNCTION = `CREATE OR REPLACE FUNCTION trellis_bump_tracker_version() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      noted text;
      move_shared boolean := TG_OP = 'TRUNCATE' OR coalesce(TG_ARGV[0] = 'shared', false);
    BEGIN
      IF current_setting('trellis.tracker_version_moved', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('trellis.tracker_version_moved', 'yes', true);
        UPDATE cache_versions SET version = version + 1 WHERE name = 'tracker/' || (txid_current() % 64);
        noted := coalesce(current_setting('trellis.noted_tasks', true), '');
        IF noted = '*' THEN
          move_shared := true;
        ELSIF noted <> '' THEN
          INSERT INTO task_versions AS v (task_id, version)
            SELECT id, 1 FROM unnest(string_to_array(noted, ',')::integer[]) AS id ORDER BY id
            ON CONFLICT (task_id) DO UPDATE SET version = v.version + 1;
        END IF;
      END IF;
      IF move_shared AND current_setting('trellis.shared_version_moved', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('trellis.shared_version_moved', 'yes', true);
        UPDATE cache_versions SET version = version + 1 WHERE name = 'shared/' || (txid_current() % ${SHARED_SLOTS});
      END IF;
      RETURN NULL;
    END $$`;

/** The function as the migration that added the tracker's version made it. */
const TRACKER_ONLY_FUNCTION = `CREATE OR REPLACE FUNCTION trellis_bump_tracker_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('trellis.tracker_version_moved', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('trellis.tracker_version_moved', 'yes', true);
        UPDATE cache_versions SET version = version + 1 WHERE name = 'tracker/' || (txid_current() % 64);
      END IF;
      RETURN NULL;
    END $$`;

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('task_versions', (t) => {
    // No foreign key: a task's version outlives it, so a page that named a removed task sees it go.
    t.integer('task_id').primary();
    t.bigInteger('version').notNullable();
  });
  await knex('cache_versions').insert(Array.from({ length: SHARED_SLOTS }, (_, i) => ({ name: `shared/${i}`, version: 0 })));
  await knex.raw(NOTE_FUNCTION);
  for (const [table, columns] of Object.entries(TASK_TABLES)) {
    await knex.raw(noteFunctionSql(table, columns));
    await knex.raw(`CREATE TRIGGER ${table}_note_inserted_tasks AFTER INSERT ON ${table} REFERENCING NEW TABLE AS written_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${noteFunction(table)}()`);
    await knex.raw(`CREATE TRIGGER ${table}_note_updated_tasks AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS removed_rows NEW TABLE AS written_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${noteFunction(table)}()`);
    await knex.raw(`CREATE TRIGGER ${table}_note_deleted_tasks AFTER DELETE ON ${table} REFERENCING OLD TABLE AS removed_rows
      FOR EACH STATEMENT EXECUTE FUNCTION ${noteFunction(table)}()`);
  }
  // The shared tables' deferred triggers say so, to move the shared version too.
  for (const table of SHARED_TABLES) {
    await knex.raw(`DROP TRIGGER ${table}_move_tracker_version ON ${table}`);
    await knex.raw(
      `CREATE CONSTRAINT TRIGGER ${table}_move_tracker_version AFTER INSERT OR UPDATE OR DELETE ON ${table}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION trellis_bump_tracker_version('shared')`,
    );
  }
  await knex.raw(VERSION_FUNCTION);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(TRACKER_ONLY_FUNCTION);
  for (const table of SHARED_TABLES) {
    await knex.raw(`DROP TRIGGER ${table}_move_tracker_version ON ${table}`);
    await knex.raw(
      `CREATE CONSTRAINT TRIGGER ${table}_move_tracker_version AFTER INSERT OR UPDATE OR DELETE ON ${table}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION trellis_bump_tracker_version()`,
    );
  }
  for (const table of Object.keys(TASK_TABLES)) {
    for (const op of ['inserted', 'updated', 'deleted']) await knex.raw(`DROP TRIGGER ${table}_note_${op}_tasks ON ${table}`);
    await knex.raw(`DROP FUNCTION ${noteFunction(table)}()`);
  }
  await knex.raw('DROP FUNCTION trellis_note_tasks(integer[])');
  await knex('cache_versions').where('name', 'like', 'shared/%').delete();
  await knex.schema.dropTable('task_versions');
}
