import { checkMergeInto, writeMergeInto } from '../graph/merge';
import { say } from './sentence';
import { parseTaskRef } from './task-refs';
import { FieldProblem, type EventType } from './types';

/** A duplicate's merge: the survivor's id, and the reserved status the duplicate is closed with. */
export interface MergeInto {
  into: number | null;
  status: string;
}

/** Close As Duplicate, on the duplicate; the survivor gets a "mergedfrom" line. */
export const mergedInto: EventType<MergeInto> = {
  type: 'mergedinto',
  strength: 135,
  field: 'mergedinto',
  locksGraph: true,
  parse(raw, { tracker }) {
    const status = tracker.duplicateStatus;
    if (!status) throw new FieldProblem('mergedinto', 'This install has no reserved Duplicate status, so tasks can not be merged.');
    return { into: parseTaskRef(raw, 'mergedinto'), status };
  },
  current: (s) => ({ into: null, status: s.status }),
  apply: (s, v) => (v.into === null ? s : { ...s, status: v.status }),
  capability: () => 'task.close',
  refusal: 'You do not have permission to close tasks as duplicates.',
  isNoop: (_from, to) => to.into === null,
  userIds: () => [],
  taskIds: (e) => {
    const into = (e.new as MergeInto | null)?.into;
    return typeof into === 'number' ? [into] : [];
  },
  hiddenOnCreate: () => false,
  describe(e, { actor, task }) {
    const into = (e.new as MergeInto | null)?.into;
    const survivor = typeof into === 'number' ? task(into) : undefined;
    return survivor ? say`${actor} closed this task as a duplicate of ${survivor}.` : say`${actor} closed this task as a duplicate.`;
  },
  check: async (c, _from, to) => {
    if (to.into !== null) await checkMergeInto(c, to.into);
  },
  afterWrite: async (c, _from, to) => {
    if (to.into !== null) await writeMergeInto(c, to.into);
  },
};
