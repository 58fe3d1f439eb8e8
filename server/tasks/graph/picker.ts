import type { Knex } from 'knex';
import { AppError } from '../../errors';
import type { Actor, Capability } from '../../users/roles';
import type { Change } from '../events/types';
import { canDo, canView } from '../policy';
import { viewTask } from '../read';
import { findTasksByIds } from '../repository';
import type { Task, Tracker } from '../task';
import { findRelationIds, searchPickerTasks, type PickerTaskRow } from './repository';

export type Relationship = 'task.has-parent' | 'task.has-subtask' | 'task.merge-in' | 'task.close-as-duplicate';

interface RelationshipSpec {
  title: string;
  /** The heading of the tasks already related, for relations that can be removed. */
  current: string | null;
  submit: string;
  capability: Capability;
  multiple: boolean;
  /** Only open tasks may be chosen (merges). */
  openOnly: boolean;
  changes(add: number[], remove: number[]): Change[];
}

/** The relations a task page edits, keyed as Phabricator's relationship URLs are. */
export const RELATIONSHIPS: Record<Relationship, RelationshipSpec> = {
  'task.has-parent': {
    title: 'Edit Parent Tasks',
    current: 'Current Parent Tasks',
    submit: 'Save Parent Tasks',
    capability: 'task.edit',
    multiple: true,
    openOnly: false,
    changes: (add, remove) => [{ type: 'parents', value: { add, remove } }],
  },
  'task.has-subtask': {
    title: 'Edit Subtasks',
    current: 'Current Subtasks',
    submit: 'Save Subtasks',
    capability: 'task.edit',
    multiple: true,
    openOnly: false,
    changes: (add, remove) => [{ type: 'subtasks', value: { add, remove } }],
  },
  'task.merge-in': {
    title: 'Merge Duplicates Into This Task',
    current: null,
    submit: 'Close and Merge Selected Tasks',
    capability: 'task.close',
    multiple: true,
    openOnly: true,
    changes: (add) => [{ type: 'mergedfrom', value: add }],
  },
  'task.close-as-duplicate': {
    title: 'Close This Task As a Duplicate Of',
    current: null,
    submit: 'Merge Into Selected Task',
    capability: 'task.close',
    multiple: false,
    openOnly: true,
    changes: (add) => [{ type: 'mergedinto', value: add[0] }],
  },
};

export function isRelationship(key: string): key is Relationship {
  return Object.hasOwn(RELATIONSHIPS, key);
}

/** Most results a picker lists at once; the person narrows the search for more. */
export const PICKER_LIMIT = 20;

/** Searches a picker's candidates: by T-number, or by the beginnings of title words. */
export async function findPickerTasks(
  db: Knex,
  tracker: Tracker,
  viewer: Actor,
  taskId: number,
  relationship: Relationship,
  text: string,
): Promise<PickerTaskRow[]> {
  const trimmed = text.trim();
  const number = /^[Tt]?([1-9][0-9]{0,9})$/.exec(trimmed);
  const id = number && Number(number[1]) <= 2147483647 ? Number(number[1]) : null;
  const words = id !== null ? [] : (trimmed.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8);
  const related = RELATIONSHIPS[relationship].current ? await findRelationIds(db, taskId) : { parentIds: [], subtaskIds: [] };
  return searchPickerTasks(db, viewer, {
    id,
    words,
    exclude: [taskId, ...related.parentIds, ...related.subtaskIds],
    statuses: RELATIONSHIPS[relationship].openOnly ? tracker.openStatusKeys : null,
    limit: PICKER_LIMIT,
  });
}

export interface PickerPage {
  task: Task;
  /** The tasks related now that the viewer may see; those they may not are neither shown nor changed. */
  current: Task[];
  results: PickerTaskRow[];
}

/** A picker for one task's relation: the task, what it is related to now, and the search's results. */
export async function loadPicker(db: Knex, tracker: Tracker, viewer: Actor, taskId: number, relationship: Relationship, text: string): Promise<PickerPage> {
  const spec = RELATIONSHIPS[relationship];
  const task = await viewTask(db, viewer, taskId);
  if (!canDo(viewer, task, spec.capability)) {
    throw new AppError(403, 'forbidden', spec.openOnly ? 'You do not have permission to merge tasks.' : 'You do not have permission to edit related tasks.');
  }
  const related = spec.current ? await findRelationIds(db, taskId) : null;
  const ids = relationship === 'task.has-parent' ? related!.parentIds : relationship === 'task.has-subtask' ? related!.subtaskIds : [];
  const [current, results] = await Promise.all([
    findTasksByIds(db, ids),
    text.trim() ? findPickerTasks(db, tracker, viewer, taskId, relationship, text) : Promise.resolve([]),
  ]);
  return { task, current: current.filter((t) => canView(viewer, t)).sort((a, b) => a.id - b.id), results };
}
