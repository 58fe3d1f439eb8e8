import { checkLinks, writeLinks, type Side } from '../graph/link';
import { join, listOfTasks, say, type Sentence, type TaskRef } from './sentence';
import { parseTaskSetEdit } from './task-refs';
import { FieldProblem, type DescribeContext, type EventType, type ParseContext, type StoredEvent } from './types';
import { sameValue } from './values';

const ids = (v: unknown): number[] => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);

const WORDS: Record<Side, { one: string; many: string }> = {
  parents: { one: 'a parent task', many: 'parent tasks' },
  subtasks: { one: 'a subtask', many: 'subtasks' },
};

/**
 * Reads an add/remove/set edit. Naming a link that is already there (or, to remove, one that is
 * not) is a mistake worth saying; a task the actor may not see reads as one that does not exist.
 */
async function parseLinks(side: Side, raw: unknown, ctx: ParseContext, current: number[]): Promise<number[]> {
  const edit = parseTaskSetEdit(raw, current, side);
  const named = [...edit.add, ...edit.remove];
  const seen = named.length ? await ctx.visibleTaskIds(named) : new Set<number>();
  const problems: string[] = [];
  const missing = named.filter((id) => !seen.has(id));
  if (missing.length) problems.push(missing.length === 1 ? `There is no task T${missing[0]}.` : `There are no tasks ${missing.map((id) => `T${id}`).join(', ')}.`);
  const relation = side === 'parents' ? 'a parent task' : 'a subtask';
  for (const id of edit.add.filter((id) => seen.has(id) && current.includes(id))) problems.push(`T${id} is already ${relation} of this task.`);
  for (const id of edit.remove.filter((id) => seen.has(id) && !current.includes(id))) problems.push(`T${id} is not ${relation} of this task.`);
  if (problems.length) throw new FieldProblem(side, problems.join(' '));
  return edit.next;
}

/** "alice added a subtask: T12: Title.", naming only the tasks this viewer may see. */
function describeLinks(side: Side, e: StoredEvent, { actor, task }: DescribeContext): Sentence | null {
  const from = ids(e.old);
  const to = ids(e.new);
  const seen = (xs: number[]) => xs.map(task).filter((r): r is TaskRef => r !== undefined);
  const added = seen(to.filter((id) => !from.includes(id)));
  const removed = seen(from.filter((id) => !to.includes(id)));
  const w = WORDS[side];
  if (added.length && removed.length) {
    return join(say`${actor} edited ${w.many}, added: `, listOfTasks(added), '; removed: ', listOfTasks(removed), '.');
  }
  if (added.length) return join(say`${actor} added ${added.length === 1 ? w.one : w.many}: `, listOfTasks(added), '.');
  if (removed.length) return join(say`${actor} removed ${removed.length === 1 ? w.one : w.many}: `, listOfTasks(removed), '.');
  return null;
}

function relationType(side: Side): EventType<number[]> {
  return {
    type: side,
    strength: 90,
    field: side,
    locksGraph: true,
    parse: (raw, ctx, current) => parseLinks(side, raw, ctx, current),
    current: (s) => (side === 'parents' ? s.parentIds : s.subtaskIds),
    apply: (s, v) => (side === 'parents' ? { ...s, parentIds: v } : { ...s, subtaskIds: v }),
    capability: () => 'task.edit',
    refusal: 'You do not have permission to edit related tasks.',
    isNoop: sameValue,
    userIds: () => [],
    // Only the tasks the event changed: a link that stays (perhaps to a task this viewer may not see) is not its news.
    taskIds: (e) => [...ids(e.old).filter((id) => !ids(e.new).includes(id)), ...ids(e.new).filter((id) => !ids(e.old).includes(id))],
    // A parent chosen on the create form is worth a line, like an owner.
    hiddenOnCreate: () => false,
    describe: (e, ctx) => describeLinks(side, e, ctx),
    check: (c, from, to) => checkLinks(c, side, from, to),
    afterWrite: (c, from, to) => writeLinks(c, side, from, to),
  };
}

/** The task's parent tasks; on the parent, the same edit reads as a subtask added. */
export const parents = relationType('parents');
export const subtasks = relationType('subtasks');
