import type { Knex } from 'knex';
import { prepared } from './prepared';

/** The tracker's version (readTrackerVersion), as an expression. */
const TRACKER_VERSION_SQL = `(SELECT sum(version)::text FROM cache_versions WHERE name LIKE 'tracker/%')`;

/** The version of tasks `?` (readTasksVersion), as an expression. */
const TASKS_VERSION_SQL = `(SELECT sum(version)::text FROM cache_versions WHERE name LIKE 'shared/%') || ':'
  || coalesce((SELECT string_agg(task_id || '.' || version, ',' ORDER BY task_id) FROM task_versions WHERE task_id = ANY(?::integer[])), '')`;

/**
 * The version of everything pages show of the tracker: the sum of the `tracker/…` slots of
 * `cache_versions`, which the database moves by one at the commit of every transaction that
 * writes a task, an event, a project, a person or anything else a page shows of them (see the
 * migration that adds them). Equal readings mean nothing shown was written between them.
 */
export async function readTrackerVersion(db: Knex): Promise<string> {
  const result = await prepared('tracker_version', db.raw(`SELECT ${TRACKER_VERSION_SQL} AS version`));
  return (result.rows[0] as { version: string }).version;
}

/**
 * The version of the rows of tasks `taskIds` and of everything that is no task's (people, projects,
 * files: see the migration that adds `task_versions`). Equal readings mean none of it was written
 * between them, whatever was written to other tasks.
 */
export async function readTasksVersion(db: Knex, taskIds: readonly number[]): Promise<string> {
  const result = await prepared('tasks_version', db.raw(`SELECT ${TASKS_VERSION_SQL} AS scoped`, [[...taskIds]]));
  return (result.rows[0] as { scoped: string }).scoped;
}

/** The tracker's version and that of tasks `taskIds` (readTasksVersion), in one reading. */
export async function readScopedVersions(db: Knex, taskIds: readonly number[]): Promise<{ tracker: string; scoped: string }> {
  const result = await prepared(
    'scoped_versions',
    db.raw(`SELECT ${TRACKER_VERSION_SQL} AS tracker, ${TASKS_VERSION_SQL} AS scoped`, [[...taskIds]]),
  );
  return result.rows[0] as { tracker: string; scoped: string };
}
