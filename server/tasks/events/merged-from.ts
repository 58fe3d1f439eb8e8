import { checkMergeFrom, writeMergeFrom } from '../graph/merge';
import { join, listOfTasks, say, type TaskRef } from './sentence';
import { parseTaskRefs } from './task-refs';
import type { EventType } from './types';

const ids = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);

/** Merge Duplicates In, on the survivor: the tasks merged by this edit. Each gets a "mergedinto" line. */
export const mergedFrom: EventType<number[]> = {
  type: 'mergedfrom',
  strength: 85,
  field: 'mergedfrom',
  locksGraph: true,
  parse: (raw) => parseTaskRefs(raw, 'mergedfrom'),
  current: () => [],
  apply: (s) => s,
  capability: () => 'task.close',
  refusal: 'You do not have permission to merge tasks.',
  isNoop: (_from, to) => to.length === 0,
  userIds: () => [],
  taskIds: (e) => ids(e.new),
  hiddenOnCreate: () => false,
  describe(e, { actor, task }) {
    const merged = ids(e.new)
      .map(task)
      .filter((r): r is TaskRef => r !== undefined);
    if (!merged.length) return null;
    return join(say`${actor} merged `, listOfTasks(merged), ' into this task.');
  },
  check: (c, _from, to) => checkMergeFrom(c, to),
  afterWrite: (c, _from, to) => writeMergeFrom(c, to),
};
