import type { Knex } from 'knex';
import type { StoredEvent } from '../tasks/events/types';
import { canView } from '../tasks/policy';
import type { Task } from '../tasks/task';
import { shownOf } from '../tasks/timeline';
import { queueMessages } from './outbox';
import { tagOf } from './preferences';
import { recipientsFor } from './preferences-repository';
import { appendToDigest, type MessageInsert } from './repository';

/** What the editor knows after writing a group of events, all mail needs to decide on. */
export interface EditNews {
  task: Pick<Task, 'id' | 'view' | 'ownerId'>;
  actorId: number;
  subscriberIds: number[];
  events: StoredEvent[];
}

/**
 * Events a mail reports: what the timeline shows, less a person subscribing
 * or unsubscribing themselves, which is nobody else's news.
 */
export function newsworthy(events: StoredEvent[]): StoredEvent[] {
  const groups = new Map<string, StoredEvent[]>();
  for (const e of events) groups.set(e.groupId, [...(groups.get(e.groupId) ?? []), e]);
  return [...groups.values()].flatMap(shownOf).filter((e) => {
    if (e.type === 'subscribers') {
      const from = new Set((e.old as number[]) ?? []);
      const to = new Set((e.new as number[]) ?? []);
      const changed = [...to].filter((id) => !from.has(id)).concat([...from].filter((id) => !to.has(id)));
      return !changed.every((id) => id === e.actorId);
    }
    return e.type !== 'mentioned';
  });
}

/**
 * Decides, in the editor's transaction, who is told about a group of events:
 * the owner and the actor (To) and the subscribers (Cc), each their own copy,
 * each only if they may see the task, have an address and an enabled account,
 * and want this kind of change. The copies are rendered by the job that sends
 * them, with what each recipient may see; a digest collects groups until due.
 */
export async function queueTaskMail(trx: Knex.Transaction, news: EditNews): Promise<void> {
  const shown = newsworthy(news.events);
  if (!shown.length) return;
  const groupId = shown[0]!.groupId;
  const tags = new Set(shown.map((e) => tagOf(e.type)));
  const toIds = new Set([news.task.ownerId, news.actorId].filter((id): id is number => id !== null));
  // Watchers of the task's projects get all its mail, as subscribers do; the same query finds them.
  const people = await recipientsFor(trx, [...toIds, ...news.subscriberIds], news.task.id, { watchers: true });
  const everyone = [...new Set([...toIds, ...news.subscriberIds, ...people.keys()])];

  const now: MessageInsert[] = [];
  const digests = new Map<number, MessageInsert[]>();
  for (const id of everyone) {
    const p = people.get(id);
    if (!p || p.disabled || !p.email || !canView(p, news.task)) continue;
    if (id === news.actorId && !p.selfActions) continue;
    if (!p.enabled || [...tags].every((t) => p.ignored.includes(t))) continue;
    const to = toIds.has(id) ? [p.email] : [];
    const cc = toIds.has(id) ? [] : [p.email];
    const base = { to, cc, userId: id, taskId: news.task.id, eventGroups: [groupId] };
    if (p.muted) {
      now.push({ ...base, kind: 'task', status: 'void', statusReason: 'Recipient muted this task.', rendered: false });
    } else if (p.digestMinutes) {
      if (await appendToDigest(trx, news.task.id, id, groupId)) continue;
      const list = digests.get(p.digestMinutes) ?? [];
      list.push({ ...base, kind: 'digest', rendered: false });
      digests.set(p.digestMinutes, list);
    } else {
      now.push({ ...base, kind: 'task', rendered: false });
    }
  }
  await queueMessages(trx, now);
  for (const [minutes, list] of digests) await queueMessages(trx, list, minutes * 60);
}
