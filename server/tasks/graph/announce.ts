import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { SubtaskStatus } from '../events/subtask-status';
import { queueTaskMail } from '../../mail/notify';
import { findSubscriberIds, findTasksByIds } from '../repository';
import { insertEvents } from '../event-repository';

/**
 * When a task's status changes, each of its parents hears of it on its own timeline,
 * and the parent's owner and subscribers by mail, as for any edit of the parent.
 * Only events are written there: the parent row is not touched, so no edit of a
 * parent waits on this one or the other way round.
 */
export async function announceStatusToParents(
  trx: Knex.Transaction,
  meta: { taskId: number; parentIds: number[]; actorId: number; source: string; at: Date },
  from: string,
  to: string,
): Promise<void> {
  if (from === to) return;
  const change: SubtaskStatus = { task: meta.taskId, from, to };
  for (const parent of await findTasksByIds(trx, meta.parentIds)) {
    const events = await insertEvents(trx, { taskId: parent.id, groupId: crypto.randomUUID(), actorId: meta.actorId, source: meta.source, at: meta.at }, [
      { type: 'subtask-status', old: null, new: change },
    ]);
    const subscriberIds = await findSubscriberIds(trx, parent.id);
    await queueTaskMail(trx, { task: { id: parent.id, view: parent.view, ownerId: parent.ownerId }, actorId: meta.actorId, subscriberIds, events });
  }
}
