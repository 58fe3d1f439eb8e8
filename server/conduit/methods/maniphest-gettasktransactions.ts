import { z } from 'zod';
import { revisionOf } from '../../tasks/events/comment-revision';
import { eventVisibility, visibleTaskIds } from '../../tasks/read';
import { timelineUserIds } from '../../tasks/timeline';
import { findUsersByIds } from '../../users/repository';
import { defineMethod } from '../method';
import { INT4_MAX, intList } from '../params';
import { policyValue } from '../policy';
import { apiFieldTransaction } from '../custom-fields';
import type { Tracker } from '../../tasks/task';
import { findEventsOfTasks, type ApiEvent } from '../repository';

/** The most tasks one call reads: every event of each is returned. */
const MAX_TASKS = 100;

const Params = z
  .object({ ids: intList('task ID', 1, INT4_MAX).pipe(z.array(z.number()).max(MAX_TASKS, { error: `must list at most ${MAX_TASKS} tasks.` })) })
  .strict();

const userIdList = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is number => typeof x === 'number') : []);

/**
 * One event as Phabricator's older transaction list gives it: its raw transaction type and
 * values. Kinds Phabricator has no type for keep Trellis's name and carry no values, which could
 * otherwise name tasks the caller may not see.
 */
function legacyTransaction(e: ApiEvent, phidOf: (id: number | null) => string | null, tracker: Tracker) {
  let type = e.type;
  let oldValue: unknown = null;
  let newValue: unknown = null;
  let meta: Record<string, string> = {};
  let comments: string | null = null;
  switch (e.type) {
    case 'create':
      type = 'core:create';
      break;
    case 'comment':
      type = 'core:comment';
      comments = String(e.new ?? '');
      break;
    case 'title':
      oldValue = e.old === '' ? null : e.old;
      newValue = e.new;
      break;
    case 'description':
    case 'status':
    case 'priority':
    case 'due':
      [oldValue, newValue] = [e.old, e.new];
      break;
    case 'points':
      // Switched off, points keep their kind but show no values.
      if (tracker.points.enabled) [oldValue, newValue] = [e.old, e.new];
      break;
    case 'owner':
      type = 'reassign';
      [oldValue, newValue] = [phidOf(e.old as number | null), phidOf(e.new as number | null)];
      break;
    case 'subscribers':
      type = 'core:subscribers';
      [oldValue, newValue] = [userIdList(e.old).map(phidOf), userIdList(e.new).map(phidOf)];
      break;
    case 'view':
      type = 'core:view-policy';
      [oldValue, newValue] = [e.old === null ? null : policyValue(String(e.old)), policyValue(String(e.new))];
      break;
    case 'custom': {
      type = 'core:customfield';
      const t = apiFieldTransaction(tracker, e, phidOf);
      [oldValue, newValue] = [t.old, t.new];
      meta = { 'customfield:key': t.key.slice('custom.'.length) };
      break;
    }
  }
  return {
    taskID: String(e.taskId),
    transactionID: String(e.id),
    transactionPHID: e.phid,
    transactionType: type,
    oldValue,
    newValue,
    meta,
    comments,
    authorPHID: phidOf(e.actorId),
    dateCreated: String(Math.floor(e.createdAt.getTime() / 1000)),
  };
}

export const maniphestGettasktransactions = defineMethod({
  name: 'maniphest.gettasktransactions',
  summary: "Every transaction of some tasks, oldest first, in the shape of Phabricator's older method (transaction.search is the newer way).",
  needsToken: true,
  params: Params,
  docs: [{ name: 'ids', type: 'required list<int>', description: `Task IDs, at most ${MAX_TASKS}. Tasks you may not see are left out, as missing ones are.` }],
  example: { ids: [1] },
  async call({ db, tracker, viewer }, p) {
    const seen = await visibleTaskIds(db, viewer, p.ids);
    const events = await findEventsOfTasks(db, [...seen]);
    const visible = await eventVisibility(db, viewer, events);
    // A comment's edits are no transactions of their own: the comment shows its text as it now reads.
    const shown = events.filter((e) => visible(e) && !revisionOf(e));
    const users = await findUsersByIds(db, timelineUserIds(shown));
    const phidOf = (id: number | null) => (id === null ? null : (users.get(id)?.phid ?? null));
    const result: Record<string, ReturnType<typeof legacyTransaction>[]> = {};
    for (const id of p.ids) if (seen.has(id)) result[String(id)] = [];
    for (const e of shown) result[String(e.taskId)]!.push(legacyTransaction(e, phidOf, tracker));
    return result;
  },
});
