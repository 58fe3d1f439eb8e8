import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { notificationsSent } from '../db/after-commit';
import { AppError, NotFoundError, ValidationError } from '../errors';
import { attachNamedFiles } from '../files/files';
import { queueTaskMail } from '../mail/notify';
import { findUserById, findUserByUsername, findUsersByIds, findUsersByUsernames } from '../users/repository';
import { can, type Actor } from '../users/roles';
import { revisionOf } from './events/comment-revision';
import { eventType } from './events/registry';
import type { Change, ParseContext, RelatedContext } from './events/types';
import { planBoards, writeBoards } from '../projects/board-rules';
import { projectLookup } from '../projects/lookup';
import { announceStatusToParents } from './graph/announce';
import { lockGraph } from './graph/repository';
import { checkFieldConflicts } from '../fields/conflicts';
import { applyFieldDefaults } from '../fields/create';
import { writeFieldValues } from '../fields/repository';
import { findNewMentions, writeBackLinks } from './mentions';
import { canView } from './policy';
import * as repo from './repository';
import { lockTaskState } from './state-repository';
import type { Task, TaskState, Tracker } from './task';
import { dueInstant } from './due';
import { applyPlan, checkCapabilities, checkConflicts, checkRelated, checkWorkflow, expand, newTexts, parseChanges, stateOf } from './edit-plan';
import { type EventInsert, type EventWithPhid, findComment, reviseComment } from './event-repository';

export interface Domain {
  db: Knex;
  tracker: Tracker;
}

export type Source = 'web' | 'cli' | 'api' | 'email';

export interface EditOptions {
  source?: Source;
  /** The last event id the editing form was loaded at; enables the lost-edit check. */
  baseVersion?: number;
  /** Made on behalf of an edit of another task (the other end of a link or merge): it changes nothing beyond this task. */
  inverse?: boolean;
  /** When the edit happened, for history loaded after the fact (the demo data); now by default. */
  at?: Date;
}

export interface EditResult {
  taskId: number;
  taskPhid: string;
  groupId: string;
  events: EventWithPhid[];
}

/** The sort key of grouping by owner, kept on the row: the owner's lowercased username. */
async function ownerOrdering(trx: Knex.Transaction, ownerId: number | null): Promise<string> {
  return ownerId === null ? '' : ((await findUserById(trx, ownerId))?.username.toLowerCase() ?? '');
}

/**
 * The one write path for tasks. In one database transaction: lock the task,
 * parse and validate the changes, drop those without effect, check each
 * against the actor's capabilities, then write the task row and its events.
 */
export async function applyEdit(d: Domain, actor: Actor, taskId: number | null, changes: Change[], opts: EditOptions = {}): Promise<EditResult> {
  const isCreate = taskId === null;
  if (isCreate && !can(actor, 'task.create')) throw new AppError(403, 'forbidden', 'You do not have permission to create tasks.');

  let outermost: Knex.Transaction | null = null;
  const result = await d.db.transaction(async (trx) => {
    if (!trx.parentTransaction) outermost = trx;
    // Before any task row: every edit that links tasks takes this lock first, so none waits on another in a circle.
    if (changes.some((c) => eventType(c.type)?.locksGraph)) await lockGraph(trx);
    let state: TaskState;
    let task: Task | null = null;
    if (isCreate) {
      state = d.tracker.blankState();
    } else {
      // Without configured fields no change can touch the values, so they are not read.
      const locked = await lockTaskState(trx, taskId, d.tracker.fields.length > 0);
      if (!locked || !canView(actor, locked.task)) throw new NotFoundError();
      task = locked.task;
      state = stateOf(locked);
    }
    const related = (after: TaskState): RelatedContext => ({
      trx,
      tracker: d.tracker,
      actor,
      taskId: task?.id ?? null,
      authorId: task?.authorId ?? actor.id,
      before: state,
      after,
      editOther: async (otherId, otherChanges) => {
        await applyEdit({ db: trx, tracker: d.tracker }, actor, otherId, otherChanges, { source: opts.source, inverse: true, at: opts.at });
      },
    });
    const ctx: ParseContext = {
      tracker: d.tracker,
      findUserByName: (name) => findUserByUsername(trx, name),
      findUserById: (id) => findUserById(trx, id),
      projects: projectLookup(trx),
      findUsers: async (names, ids) => {
        const named = await findUsersByUsernames(trx, names);
        const byId = await findUsersByIds(trx, ids);
        return { byName: new Map(named.map((u) => [u.username.toLowerCase(), u])), byId };
      },
      visibleTaskIds: async (ids) => new Set((await repo.findTasksByIds(trx, ids)).filter((t) => canView(actor, t)).map((t) => t.id)),
      findComment: async (eventId) => (task ? findComment(trx, task.id, eventId) : null),
    };
    const plan = await parseChanges(changes, ctx, state);
    if (isCreate) await applyFieldDefaults(plan, ctx, d.tracker);
    if (isCreate && !plan.has('title')) throw new ValidationError({ title: 'Tasks must have a title.' });
    if (task && opts.baseVersion !== undefined) await checkConflicts(trx, task.id, plan, state, opts.baseVersion, d.tracker);
    if (task && opts.baseVersion !== undefined) await checkFieldConflicts(trx, task.id, plan, state, opts.baseVersion);
    const statusChosen = plan.has('status');
    await planBoards(trx, actor, plan, state, d.tracker, task?.id ?? null);
    if (task && opts.baseVersion !== undefined && !statusChosen && plan.has('status')) await checkConflicts(trx, task.id, plan, state, opts.baseVersion, d.tracker, ['status']);
    checkCapabilities(plan, state, actor, d.tracker);
    checkWorkflow(plan, state, actor, d.tracker, opts.inverse ?? false);
    if (!opts.inverse) {
      await checkRelated(related(state), plan, ctx);
      checkCapabilities(plan, state, actor, d.tracker);
    }
    const mentions = await findNewMentions(trx, actor, plan, state, applyPlan(state, plan), task?.id ?? null);
    expand(plan, state, actor, isCreate, mentions.userIds, d.tracker);

    const inserts: EventInsert[] = isCreate ? [{ type: 'create', old: null, new: true }] : [];
    let next = state;
    for (const [type, value] of plan) {
      const t = eventType(type)!;
      const from = t.current(next);
      if (t.isNoop(from, value)) continue;
      if (t.split) inserts.push(...t.split(from, value).map((part) => ({ type, ...part })));
      else inserts.push({ type, old: type === 'comment' ? null : from, new: value });
      next = t.apply(next, value);
    }
    if (!inserts.length) return { taskId: taskId!, taskPhid: task!.phid, groupId: '', events: [] };

    const at = opts.at ?? new Date();
    const wasClosed = d.tracker.isClosed(state.status);
    const isClosed = d.tracker.isClosed(next.status);
    const write: repo.TaskWrite = {
      state: next,
      closedAt: isClosed ? (wasClosed && task ? task.closedAt : at) : null,
      closerId: isClosed ? (wasClosed && task ? task.closerId : actor.id) : null,
      ownerOrdering: next.ownerId === state.ownerId ? undefined : await ownerOrdering(trx, next.ownerId),
      dueAt: dueInstant(next.due, d.tracker.timeZone),
      comment: plan.has('comment') && inserts.some((e) => e.type === 'comment') ? String(plan.get('comment')) : null,
    };
    const subs = new Set(next.subscriberIds);
    const had = new Set(state.subscriberIds);
    const subscribers = { add: [...subs].filter((u) => !had.has(u)), remove: [...had].filter((u) => !subs.has(u)) };
    const groupId = crypto.randomUUID();
    const source = opts.source ?? 'web';
    const meta = { groupId, actorId: actor.id, source, at };
    // The row, its subscribers and the events in one statement.
    const { id, phid, events } = task
      ? { id: task.id, phid: task.phid, events: await repo.updateTask(trx, task.id, write, subscribers, { meta, inserts }) }
      : await repo.insertTask(trx, actor.id, write, subscribers.add, { meta, inserts });
    await writeBoards(trx, id, state, next, plan);
    await writeFieldValues(trx, id, state.custom, next.custom, (key) => d.tracker.field(key)?.type);
    for (const e of events) {
      const revised = revisionOf(e);
      if (revised) await reviseComment(trx, id, revised.comment, revised.text ?? '');
    }
    await writeBackLinks(trx, actor, id, mentions.taskIds, { source, at });
    await attachNamedFiles(trx, actor, id, newTexts(plan));
    await queueTaskMail(trx, { task: { id, view: next.view, ownerId: next.ownerId }, actorId: actor.id, subscriberIds: [...subs], events });
    if (task) await announceStatusToParents(trx, { taskId: id, parentIds: next.parentIds, actorId: actor.id, source, at }, state.status, next.status);
    if (!opts.inverse) {
      for (const [type, value] of plan) {
        const t = eventType(type)!;
        const from = t.current(state);
        if (t.afterWrite && !t.isNoop(from, value)) await t.afterWrite({ ...related(next), taskId: id }, from, value);
      }
    }
    return { taskId: id, taskPhid: phid, groupId, events };
  });
  if (outermost) await notificationsSent(outermost);
  return result;
}
