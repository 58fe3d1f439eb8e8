import type { Knex } from 'knex';
import { prepared } from '../db/prepared';
import { decodeValues, TASK_FIELD_VALUES_JSON, type ValueRow } from '../fields/repository';
import type { FieldValues } from '../fields/values';
import { TASK_TAG_IDS_SQL, TASK_CARDS_JSON } from '../projects/card-repository';
import { TASK_COLUMNS, TASK_SUBSCRIBER_IDS_SQL, toTask, type TaskRow } from './repository';
import type { Task, TaskState } from './task';

/** What an edit starts from: the task row, locked, and what hangs off it. */
export interface LockedTask extends Pick<TaskState, 'subscriberIds' | 'projectIds' | 'columns' | 'parentIds' | 'subtaskIds'> {
  task: Task;
  /** Null when not asked for. */
  custom: FieldValues | null;
}

interface StateRow extends TaskRow {
  subscriber_ids: number[];
  project_ids: number[];
  card_columns: Record<string, number>;
  parent_ids: number[];
  subtask_ids: number[];
  field_values?: ValueRow[] | null;
  fresh: boolean;
}

const ALONGSIDE = [
  `${TASK_SUBSCRIBER_IDS_SQL} AS subscriber_ids`,
  `${TASK_TAG_IDS_SQL} AS project_ids`,
  `${TASK_CARDS_JSON} AS card_columns`,
  'ARRAY(SELECT e.parent_id FROM task_subtasks e WHERE e.child_id = tasks.id ORDER BY e.parent_id) AS parent_ids',
  'ARRAY(SELECT e.child_id FROM task_subtasks e WHERE e.parent_id = tasks.id ORDER BY e.child_id) AS subtask_ids',
  // Whether the row locked is the version this statement's snapshot sees (below).
  'tasks.xmin = (SELECT v.xmin FROM tasks v WHERE v.id = tasks.id) AS fresh',
];

const FIELD_VALUES = `${TASK_FIELD_VALUES_JSON} AS field_values`;

// Written out once, not built per call: the query builder took 21 µs of every edit's CPU to make this text.
const lockSql = (extra: string[]) =>
  `SELECT ${[...TASK_COLUMNS, ...extra].join(', ')} FROM tasks WHERE tasks.id = ? FOR NO KEY UPDATE OF tasks`;
const LOCK_STATE = lockSql(ALONGSIDE);
const LOCK_STATE_FIELDS = lockSql([...ALONGSIDE, FIELD_VALUES]);

async function read(trx: Knex.Transaction, id: number, withFields: boolean): Promise<StateRow | undefined> {
  const query = withFields ? prepared('task_lock_state_fields', trx.raw(LOCK_STATE_FIELDS, [id])) : prepared('task_lock_state', trx.raw(LOCK_STATE, [id]));
  return ((await query).rows as StateRow[])[0];
}

/**
 * Locks a task's row for the rest of the transaction and reads, in the same
 * statement, its subscribers, tags, cards, subtask edges and (`withFields`)
 * custom field values: edits of one task run one after another. The lock is
 * the one an UPDATE takes (no key update), so an edit elsewhere that writes an
 * event or an edge pointing at this task (its foreign key check) does not wait.
 *
 * A lock that waited for another edit of the task gives the row as that edit
 * left it, but the rest is read with the snapshot the statement started with,
 * from before that edit's commit. Every edit that writes also updates the row,
 * so a locked row newer than the snapshot's says so; then everything is read
 * again, now under the lock.
 */
export async function lockTaskState(trx: Knex.Transaction, id: number, withFields: boolean): Promise<LockedTask | null> {
  const first = await read(trx, id, withFields);
  const row = first && !first.fresh ? await read(trx, id, withFields) : first;
  if (!row) return null;
  return {
    task: toTask(row),
    subscriberIds: row.subscriber_ids,
    projectIds: row.project_ids,
    columns: row.card_columns,
    parentIds: row.parent_ids,
    subtaskIds: row.subtask_ids,
    custom: withFields ? decodeValues(row.field_values!) : null,
  };
}
