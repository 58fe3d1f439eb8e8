import { say, value } from './sentence';
import type { EventType } from './types';

/** What a parent's line about its subtask's status keeps: which subtask, and its status before and after. */
export interface SubtaskStatus {
  task: number;
  from: string;
  to: string;
}

/**
 * Written on each parent when a subtask's status changes (Phabricator's "unblock"
 * story): "bob closed T12: Title, a subtask of T3, as Resolved." The editor
 * writes it; it is never requested, and needs no capability on the parent.
 */
export const subtaskStatus: EventType<SubtaskStatus | null> = {
  type: 'subtask-status',
  strength: 95,
  field: 'form',
  internal: true,
  parse: () => null,
  current: () => null,
  apply: (s) => s,
  capability: () => null,
  isNoop: () => true,
  userIds: () => [],
  taskIds: (e) => {
    const v = e.new as SubtaskStatus | null;
    return typeof v?.task === 'number' ? [v.task] : [];
  },
  hiddenOnCreate: () => false,
  // Phabricator says "Unblock" and "Block", from when subtasks were called blockers; these name what happened.
  action(e, tracker) {
    const v = e.new as SubtaskStatus | null;
    if (!v) return 'Changed Subtask Status';
    const wasClosed = tracker.isClosed(v.from);
    const isClosed = tracker.isClosed(v.to);
    return !wasClosed && isClosed ? 'Closed Subtask' : wasClosed && !isClosed ? 'Reopened Subtask' : 'Changed Subtask Status';
  },
  describe(e, { actor, task, tracker }) {
    const v = e.new as SubtaskStatus | null;
    const child = typeof v?.task === 'number' ? task(v.task) : undefined;
    if (!v || !child) return null;
    const parent = `T${e.taskId}`;
    const to = value(tracker.statusName(v.to));
    const wasClosed = tracker.isClosed(v.from);
    const isClosed = tracker.isClosed(v.to);
    if (!wasClosed && isClosed) return say`${actor} closed ${child}, a subtask of ${parent}, as ${to}.`;
    if (wasClosed && !isClosed) return say`${actor} reopened ${child}, a subtask of ${parent}, as ${to}.`;
    return say`${actor} changed the status of ${child}, a subtask of ${parent}, from ${value(tracker.statusName(v.from))} to ${to}.`;
  },
};
