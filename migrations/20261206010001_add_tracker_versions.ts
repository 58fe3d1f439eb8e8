import type { Knex } from 'knex';

/**
 * The version of everything a page shows of the tracker, kept as SLOTS rows of `cache_versions`
 * (`tracker/0` …) whose sum is the version. Every transaction that writes to one of TRACKED moves
 * one slot by one, at its commit: a slot by transaction id, so that writers seldom wait on each
 * other, and at commit, so that a slot's row lock is held only while the transaction commits and
 * never while it waits for another lock (no deadlock with the rows it writes). The sum moves by one
 * for every such commit, so a process that reads the same sum twice knows nothing it shows changed
 * in between. `TRUNCATE` fires no row trigger: it moves a slot at once.
 */
const SLOTS = 64;

/** Tables whose rows a task page, a list, a board or a profile shows. */
const TRACKED = [
  'tasks',
  'task_events',
  'task_edges',
  'task_subtasks',
  'task_field_values',
  'task_files',
  'task_projects',
  'task_subscribers',
  'task_mutes',
  'projects',
  'project_hashtags',
  'project_members',
  'project_watchers',
  'board_cards',
  'board_columns',
  'users',
  'files',
  'import_sources',
];

export async function up(knex: Knex): Promise<void> {
  await knex('cache_versions').insert(Array.from({ length: SLOTS }, (_, i) => ({ name: `tracker/${i}`, version: 0 })));
  await knex.raw(`CREATE FUNCTION trellis_bump_tracker_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF current_setting('trellis.tracker_version_moved', true) IS DISTINCT FROM 'yes' THEN
        PERFORM set_config('trellis.tracker_version_moved', 'yes', true);
        UPDATE cache_versions SET version = version + 1 WHERE name = 'tracker/' || (txid_current() % ${SLOTS});
      END IF;
      RETURN NULL;
    END $$`);
  for (const table of TRACKED) {
    await knex.raw(
      `CREATE CONSTRAINT TRIGGER ${table}_move_tracker_version AFTER INSERT OR UPDATE OR DELETE ON ${table}
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION trellis_bump_tracker_version()`,
    );
    await knex.raw(
      `CREATE TRIGGER ${table}_truncate_tracker_version AFTER TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION trellis_bump_tracker_version()`,
    );
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of TRACKED) {
    await knex.raw(`DROP TRIGGER ${table}_move_tracker_version ON ${table}`);
    await knex.raw(`DROP TRIGGER ${table}_truncate_tracker_version ON ${table}`);
  }
  await knex.raw('DROP FUNCTION trellis_bump_tracker_version()');
  await knex('cache_versions').where('name', 'like', 'tracker/%').delete();
}
