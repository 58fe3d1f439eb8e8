import { buildTrackerConfig } from '../../server/tracker-config';
import { describeEvent } from '../../server/tasks/events/registry';
import type { TaskRef, UserRef } from '../../server/tasks/events/sentence';
import type { StoredEvent } from '../../server/tasks/events/types';
import { Tracker } from '../../server/tasks/task';

/** The lines of the graph's event types, for a viewer who may see T3, T5 and T9 but not T8. */

const tracker = new Tracker(buildTrackerConfig({}));
const alice: UserRef = { kind: 'user', id: 1, username: 'alice' };
const TITLES = new Map([
  [3, 'Epic'],
  [5, 'Survivor'],
  [9, 'Child'],
]);
const task = (id: number): TaskRef | undefined => (TITLES.has(id) ? { kind: 'task', id, title: TITLES.get(id)!, closed: false } : undefined);

function line(type: string, old: unknown, value: unknown, taskId = 7): string | null {
  const e: StoredEvent = { id: 1, taskId, groupId: 'g', actorId: 1, type, old, new: value, source: 'web', createdAt: new Date() };
  return describeEvent(e, { tracker, actor: alice, user: () => alice, task })?.text ?? null;
}

describe('task graph sentences', () => {
  test.each([
    ['subtasks', [], [9], 'alice added a subtask: T9: Child.'],
    ['subtasks', [], [3, 9], 'alice added subtasks: T3: Epic, T9: Child.'],
    ['subtasks', [9], [], 'alice removed a subtask: T9: Child.'],
    ['subtasks', [3], [9], 'alice edited subtasks, added: T9: Child; removed: T3: Epic.'],
    ['parents', [], [3], 'alice added a parent task: T3: Epic.'],
    ['parents', [3, 5], [], 'alice removed parent tasks: T3: Epic, T5: Survivor.'],
    ['parents', [3], [5], 'alice edited parent tasks, added: T5: Survivor; removed: T3: Epic.'],
    // A task the viewer may not see is left out of the line, as if it did not exist.
    ['subtasks', [], [8, 9], 'alice added a subtask: T9: Child.'],
    ['subtasks', [], [8], null],
    ['mergedinto', { into: null, status: 'open' }, { into: 5, status: 'duplicate' }, 'alice closed this task as a duplicate of T5: Survivor.'],
    ['mergedinto', { into: null, status: 'open' }, { into: 8, status: 'duplicate' }, 'alice closed this task as a duplicate.'],
    ['mergedfrom', [], [9], 'alice merged T9: Child into this task.'],
    ['mergedfrom', [], [3, 8, 9], 'alice merged T3: Epic, T9: Child into this task.'],
    ['mergedfrom', [], [8], null],
  ])('%s from %j to %j', (type, old, value, expected) => {
    expect(line(type, old, value)).toBe(expected);
  });

  test.each([
    [{ task: 9, from: 'open', to: 'resolved' }, 'alice closed T9: Child, a subtask of T3, as Resolved.'],
    [{ task: 9, from: 'resolved', to: 'open' }, 'alice reopened T9: Child, a subtask of T3, as Open.'],
    [{ task: 9, from: 'wontfix', to: 'resolved' }, 'alice changed the status of T9: Child, a subtask of T3, from Wontfix to Resolved.'],
    [{ task: 8, from: 'open', to: 'resolved' }, null],
  ])('a subtask status change on its parent: %j', (value, expected) => {
    expect(line('subtask-status', null, value, 3)).toBe(expected);
  });
});
