import { ValidationError } from '../../errors';
import type { CheckResult, RelatedContext } from '../events/types';
import { canView } from '../policy';
import { findTasksByIds } from '../repository';
import { hiddenIds, visibleTasks } from './checks';
import { addSubtaskEdges, findPathDown, removeSubtaskEdges } from './repository';

/** Which end of the edges a relation edit names: a task's parents, or its subtasks. */
export type Side = 'parents' | 'subtasks';

const OTHER: Record<Side, Side> = { parents: 'subtasks', subtasks: 'parents' };

const minus = (a: number[], b: number[]) => a.filter((x) => !b.includes(x));

/** Tasks named to be linked must exist and be visible; links to tasks the actor can not see stay. */
export async function checkLinks(c: RelatedContext, side: Side, from: number[], to: number[]): Promise<CheckResult<number[]>> {
  if (c.taskId !== null && to.includes(c.taskId)) {
    throw new ValidationError({ [side]: side === 'parents' ? 'A task can not be its own parent.' : 'A task can not be its own subtask.' });
  }
  await visibleTasks(c, minus(to, from), side);
  const kept = await hiddenIds(c, minus(from, to));
  return kept.length ? { value: [...to, ...kept].sort((a, b) => a - b) } : {};
}

/**
 * Puts the edit on the other tasks' timelines (an edit of each, which needs the actor's edit
 * rights there too), writes the edges, then refuses the whole edit if an added edge closed a
 * cycle. The graph lock, taken before any task, makes this check see every committed edge.
 */
export async function writeLinks(c: RelatedContext & { taskId: number }, side: Side, from: number[], to: number[]): Promise<void> {
  const added = minus(to, from);
  const removed = minus(from, to);
  for (const id of [...added, ...removed].sort((a, b) => a - b)) {
    await c.editOther(id, [{ type: OTHER[side], value: added.includes(id) ? { add: [c.taskId] } : { remove: [c.taskId] } }]);
  }
  const edge = (other: number) => (side === 'parents' ? { parentId: other, childId: c.taskId } : { parentId: c.taskId, childId: other });
  await removeSubtaskEdges(c.trx, removed.map(edge));
  await addSubtaskEdges(c.trx, added.map(edge));
  for (const e of added.map(edge)) {
    const path = await findPathDown(c.trx, e.childId, e.parentId);
    if (path) throw new ValidationError({ [side]: await cycleSentence(c, e.parentId, e.childId, path) });
  }
}

/** "T9 can not be a subtask of T5: T5 is already a subtask of T9.", naming the path when the actor may see all of it. */
async function cycleSentence(c: RelatedContext, parentId: number, childId: number, path: number[]): Promise<string> {
  const head = `T${childId} can not be a subtask of T${parentId}:`;
  if (path.length === 2) return `${head} T${parentId} is already a subtask of T${childId}.`;
  const seen = (await findTasksByIds(c.trx, path)).filter((t) => canView(c.actor, t));
  if (seen.length < new Set(path).size) return `${head} T${parentId} is already below T${childId}.`;
  return `${head} T${parentId} is already below T${childId} (${path.map((id) => `T${id}`).join(' › ')}).`;
}
