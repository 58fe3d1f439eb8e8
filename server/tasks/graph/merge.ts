import { ValidationError } from '../../errors';
import { findUsersByIds } from '../../users/repository';
import type { Change, CheckResult, RelatedContext } from '../events/types';
import { canView } from '../policy';
import { findSubscriberIds } from '../repository';
import type { Task } from '../task';
import { visibleTasks } from './checks';
import { addMergeEdges } from './repository';

/**
 * Merging closes duplicates into a survivor: each duplicate gets the reserved
 * Duplicate status ("closed this task as a duplicate of T5"), the survivor lists
 * them ("merged T9 into this task") and gains their people as subscribers.
 */

/** The people of the duplicates (author, owner, subscribers) who may see the survivor and are not yet subscribed. */
async function inheritedSubscribers(c: RelatedContext, survivor: Pick<Task, 'view' | 'ownerId'>, already: number[], duplicates: Task[]): Promise<number[]> {
  const ids = new Set<number>();
  for (const d of duplicates) {
    ids.add(d.authorId);
    if (d.ownerId !== null) ids.add(d.ownerId);
    for (const id of await findSubscriberIds(c.trx, d.id)) ids.add(id);
  }
  for (const id of already) ids.delete(id);
  const users = await findUsersByIds(c.trx, ids);
  return [...users.values()].filter((u) => !u.disabledAt && canView(u, survivor)).map((u) => u.id).sort((a, b) => a - b);
}

function subscribe(userIds: number[]): Change[] {
  return userIds.length ? [{ type: 'subscribers', value: { add: userIds } }] : [];
}

function refuse(field: string, message: string): never {
  throw new ValidationError({ [field]: message });
}

/** Close As Duplicate: this task into `into`, which must be another open task the actor may see. */
export async function checkMergeInto(c: RelatedContext, into: number): Promise<void> {
  if (c.taskId === null) refuse('mergedinto', 'A new task can not be closed as a duplicate: create it first.');
  if (into === c.taskId) refuse('mergedinto', 'A task can not be merged into itself.');
  const survivor = (await visibleTasks(c, [into], 'mergedinto')).get(into)!;
  if (c.tracker.isClosed(survivor.status)) refuse('mergedinto', `T${into} is closed: merge into an open task.`);
  if (c.before.status === c.after.status) refuse('mergedinto', 'This task is already closed as a duplicate.');
}

export async function writeMergeInto(c: RelatedContext & { taskId: number }, into: number): Promise<void> {
  const survivor = (await visibleTasks(c, [into], 'mergedinto')).get(into)!;
  const self: Task = { ...survivor, id: c.taskId, authorId: c.authorId, ownerId: c.after.ownerId };
  const people = await inheritedSubscribers(c, survivor, await findSubscriberIds(c.trx, into), [self]);
  await c.editOther(into, [{ type: 'mergedfrom', value: [c.taskId] }, ...subscribe(people)]);
  await addMergeEdges(c.trx, c.taskId, into);
}

/** Merge Duplicates In: open tasks the actor may see into this one, which must be open too. */
export async function checkMergeFrom(c: RelatedContext, ids: number[]): Promise<CheckResult<number[]>> {
  if (c.taskId === null) refuse('mergedfrom', 'Tasks can not be merged into a task that is being created.');
  if (!c.tracker.duplicateStatus) refuse('mergedfrom', 'This install has no reserved Duplicate status, so tasks can not be merged.');
  if (ids.includes(c.taskId)) refuse('mergedfrom', 'A task can not be merged into itself.');
  if (c.tracker.isClosed(c.after.status)) refuse('mergedfrom', 'This task is closed: reopen it before merging tasks into it.');
  const found = await visibleTasks(c, ids, 'mergedfrom');
  const closed = ids.filter((id) => c.tracker.isClosed(found.get(id)!.status));
  if (closed.length) {
    refuse('mergedfrom', `${closed.map((id) => `T${id}`).join(', ')} ${closed.length === 1 ? 'is' : 'are'} already closed: only open tasks can be merged.`);
  }
  const people = await inheritedSubscribers(c, c.after, c.after.subscriberIds, [...found.values()]);
  return { implied: subscribe(people) };
}

export async function writeMergeFrom(c: RelatedContext & { taskId: number }, ids: number[]): Promise<void> {
  for (const id of ids) {
    await c.editOther(id, [{ type: 'mergedinto', value: c.taskId }]);
    await addMergeEdges(c.trx, id, c.taskId);
  }
}
