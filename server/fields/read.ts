import type { Knex } from 'knex';
import { canView } from '../tasks/policy';
import { findTask } from '../tasks/repository';
import type { Tracker } from '../tasks/task';
import type { Actor } from '../users/roles';
import { findUsersByIds } from '../users/repository';
import { loadFieldValues } from './repository';
import { fieldUserIds, type UserNames } from './show';
import type { FieldValues } from './values';

export interface TaskFieldValues {
  values: FieldValues;
  userName: UserNames;
}

/** A name for each person the values name, in one query; an unknown id reads as "unknown user". */
export async function userNamesFor(db: Knex, values: Iterable<FieldValues>): Promise<UserNames> {
  const users = await findUsersByIds(db, fieldUserIds(values));
  return (id) => users.get(id)?.username ?? 'unknown user';
}

/** One task's stored values, with the names of the people they name. */
export async function loadTaskFieldValues(db: Knex, taskId: number): Promise<TaskFieldValues> {
  const values = (await loadFieldValues(db, [taskId])).get(taskId) ?? {};
  return { values, userName: await userNamesFor(db, [values]) };
}

/** The values a new task copies from the task it is made from ("Create Subtask"): fields with `copy`, of a task the viewer may see. */
export async function copiedFieldValues(db: Knex, tracker: Tracker, viewer: Actor, templateId: number): Promise<TaskFieldValues | null> {
  const task = await findTask(db, templateId);
  if (!task || !canView(viewer, task)) return null;
  const { values, userName } = await loadTaskFieldValues(db, templateId);
  const copied: FieldValues = {};
  for (const f of tracker.fields) if (f.copy && f.key in values) copied[f.key] = values[f.key];
  // Fields not copied start from their defaults, as on any new task.
  for (const f of tracker.fields) if (!f.copy && f.default !== null) copied[f.key] = f.default;
  return { values: copied, userName };
}

export interface ListedFields {
  values: Map<number, FieldValues>;
  userName: UserNames;
}

/** Every value of these tasks, with the names of the people they name: two queries, however many tasks. */
export async function loadExportedFields(db: Knex, tracker: Tracker, taskIds: number[]): Promise<ListedFields> {
  if (!tracker.fields.length || !taskIds.length) return { values: new Map(), userName: () => 'unknown user' };
  const values = await loadFieldValues(db, taskIds);
  return { values, userName: await userNamesFor(db, values.values()) };
}
