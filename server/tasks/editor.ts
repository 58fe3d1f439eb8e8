import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { ViewPolicy } from '../tracker-config';
import { notificationsSent } from '../db/after-commit';
import { AppError, NotFoundError, ValidationError } from '../errors';
import { attachNamedFiles } from '../files/files';
import { queueTaskMail } from '../mail/notify';
import { findUserById, findUserByUsername, findUsersByIds, findUsersByUsernames } from '../users/repository';
import { can, type Actor } from '../users/roles';
import { revisionOf } from './events/comment-revision';
import { eventType } from './events/registry';
import { FieldProblem, type Change, type ParseContext, type RelatedContext } from './events/types';
import { sameValue } from './events/values';
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
import { lockTaskState, type LockedTask } from './state-repository';
import { VIEW_NAMES, type Task, type TaskState, type Tracker } from './task';
import { dueInstant } from './due';
import { enforceWorkflow } from './workflow';
import { type EventInsert, type EventWithPhid, eventsSince, findComment, reviseComment } from './event-repository';

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

/** Fields whose concurrent edits are refused rather than silently overwritten. */
const GUARDED = ['title', 'description', 'status', 'priority', 'owner', 'view', 'points'];

function stateOf({ task, subscriberIds, projectIds, columns, parentIds, subtaskIds, custom }: LockedTask): TaskState {
  return {
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    ownerId: task.ownerId,
    view: task.view,
    points: task.points,
    subscriberIds,
    due: task.due,
    projectIds,
    columns,
    parentIds,
    subtaskIds,
    custom: custom ?? {},
  };
}

function applyPlan(state: TaskState, plan: Map<string, unknown>): TaskState {
  let next = state;
  for (const [type, value] of plan) next = eventType(type)!.apply(next, value);
  return next;
}

async function parseChanges(changes: Change[], ctx: ParseContext, state: TaskState): Promise<Map<string, unknown>> {
  const plan = new Map<string, unknown>();
  const problems: Record<string, string> = {};
  for (const change of changes) {
    const t = eventType(change.type);
    if (!t || t.internal) throw new AppError(400, 'unknown-change', `"${change.type}" is not a kind of change.`);
    try {
      // Parse relative to the plan so far: two subscriber edits in one submission compose.
      const current = t.current(applyPlan(state, plan));
      plan.set(t.type, await t.parse(change.value, ctx, current));
    } catch (err) {
      if (!(err instanceof FieldProblem)) throw err;
      if (err.status === 413) throw new AppError(413, 'too-large', err.message, err.field);
      problems[err.field] ??= err.message;
    }
  }
  if (Object.keys(problems).length) throw new ValidationError(problems);
  return plan;
}

/**
 * Drops guarded changes that only repeat the value the form was loaded with,
 * and refuses those that would overwrite someone else's newer value. Changes
 * `implied` by others (the status of a drop into a bound column) are never
 * dropped, only refused: the card and the status must move together.
 */
async function checkConflicts(trx: Knex.Transaction, taskId: number, plan: Map<string, unknown>, state: TaskState, base: number, d: Domain, implied: string[] = []) {
  const types = (implied.length ? implied : [...plan.keys()]).filter((t) => GUARDED.includes(t));
  const since = await eventsSince(trx, taskId, types, base);
  const conflicts: Record<string, string> = {};
  for (const type of types) {
    const first = since.find((e) => e.type === type);
    if (!first) continue;
    const t = eventType(type)!;
    const mine = plan.get(type);
    if (!implied.length && sameValue(mine, first.old)) plan.delete(type);
    else if (!t.isNoop(t.current(state), mine)) {
      conflicts[t.field] = `Someone else changed this while you were editing; it is now ${await describeValue(trx, type, t.current(state), d)}. Save again to replace it with yours.`;
    }
  }
  if (Object.keys(conflicts).length) throw new ValidationError(conflicts, 409, 'conflict');
}

/** The newer value as the form shows it: names, not the ids and keys stored. */
async function describeValue(trx: Knex.Transaction, type: string, v: unknown, d: Domain): Promise<string> {
  if (type === 'priority') return `"${d.tracker.priorityName(Number(v))}"`;
  if (type === 'status') return `"${d.tracker.statusName(String(v))}"`;
  if (type === 'view') return `"${VIEW_NAMES[v as ViewPolicy] ?? String(v)}"`;
  if (type === 'description') return 'a newer text (shown above the box)';
  if (type === 'owner') return v === null ? 'nobody' : `"${(await findUserById(trx, Number(v)))?.username ?? 'unknown user'}"`;
  if (v === null) return 'empty';
  return `"${String(v)}"`;
}

/** The sort key of grouping by owner, kept on the row: the owner's lowercased username. */
async function ownerOrdering(trx: Knex.Transaction, ownerId: number | null): Promise<string> {
  return ownerId === null ? '' : ((await findUserById(trx, ownerId))?.username.toLowerCase() ?? '');
}

/**
 * Adds what a change implies: the author, newly mentioned people, a commenter
 * and a new owner subscribe, a closer claims, a replaced owner stays subscribed.
 */
function expand(plan: Map<string, unknown>, state: TaskState, actor: Actor, isCreate: boolean, mentionedUserIds: number[], d: Domain) {
  const next = applyPlan(state, plan);
  let ownerId = next.ownerId;
  const closing = !d.tracker.isClosed(state.status) && d.tracker.isClosed(next.status);
  // An owner field that repeats "nobody" (the edit form always sends it) is no choice of owner; only unassigning someone is.
  if (closing && ownerId === null && state.ownerId === null && d.tracker.status(next.status)?.claim) {
    ownerId = actor.id;
    plan.set('owner', actor.id);
  }
  const subscribe: number[] = [...mentionedUserIds];
  if (isCreate) subscribe.push(actor.id);
  if (state.ownerId !== null && ownerId !== state.ownerId) subscribe.push(state.ownerId);
  if (ownerId !== null && ownerId !== state.ownerId) subscribe.push(ownerId);
  if (plan.has('comment') && String(plan.get('comment')).trim() !== '') subscribe.push(actor.id);
  const add = [...new Set(subscribe)].filter((id) => !next.subscriberIds.includes(id));
  if (add.length) plan.set('subscribers', [...next.subscriberIds, ...add].sort((a, b) => a - b));
}

/**
 * Checks what changes reach beyond the task (links, merges) against the other tasks; a check may
 * keep what the actor can not see, and add changes its own implies (a merge's subscribers).
 */
async function checkRelated(c: RelatedContext, plan: Map<string, unknown>, ctx: ParseContext) {
  for (const [type, value] of [...plan]) {
    const t = eventType(type)!;
    const from = t.current(c.before);
    if (!t.check || t.isNoop(from, value)) continue;
    const result = await t.check({ ...c, after: applyPlan(c.before, plan) }, from, value);
    if (result?.value !== undefined) plan.set(type, result.value);
    const implied = await parseChanges(result?.implied ?? [], ctx, applyPlan(c.before, plan));
    for (const [type, value] of implied) plan.set(type, value);
  }
}

/** Refuses, all at once, every explicit change the actor's role does not allow. */
function checkCapabilities(plan: Map<string, unknown>, state: TaskState, actor: Actor, tracker: Tracker) {
  const refused: Record<string, string> = {};
  for (const [type, value] of plan) {
    const t = eventType(type)!;
    const from = t.current(state);
    // Configured transitions replace the capability: the workflow check decides status changes.
    if (type === 'status' && tracker.workflow.transitions) continue;
    const needed = t.isNoop(from, value) ? null : t.capability(actor, from, value);
    if (needed && !can(actor, needed)) {
      refused[t.field] = t.refusal ?? `You do not have permission to change the ${t.field} of this task.`;
    }
  }
  if (Object.keys(refused).length) throw new ValidationError(refused, 403, 'forbidden');
}

/** The text a submission writes, where it may name people, tasks and files. */
function newTexts(plan: Map<string, unknown>): string[] {
  const revised = plan.get('comment.edit') as { text?: string | null } | undefined;
  return [plan.get('description'), plan.get('comment'), revised?.text].filter((t): t is string => typeof t === 'string' && t !== '');
}

/** The workflow rules of the configuration, on the edit as planned: the status it reaches, its comment, whether it changes anything. */
function checkWorkflow(plan: Map<string, unknown>, state: TaskState, actor: Actor, tracker: Tracker, inverse: boolean) {
  // Following a locked task is no edit of it: subscribing still works.
  const effective = [...plan].filter(([type, value]) => {
    const t = eventType(type)!;
    return type !== 'subscribers' && !t.isNoop(t.current(state), value);
  });
  const comment = plan.get('comment');
  enforceWorkflow(tracker.workflow, (key) => tracker.statusName(key), actor, {
    from: state.status,
    to: plan.has('status') ? String(plan.get('status')) : state.status,
    comment: typeof comment === 'string' ? comment : '',
    changes: effective.length > 0,
    inverse,
  });
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
    if (task && opts.baseVersion !== undefined) await checkConflicts(trx, task.id, plan, state, opts.baseVersion, d);
    if (task && opts.baseVersion !== undefined) await checkFieldConflicts(trx, task.id, plan, state, opts.baseVersion);
    const statusChosen = plan.has('status');
    await planBoards(trx, actor, plan, state, d.tracker, task?.id ?? null);
    if (task && opts.baseVersion !== undefined && !statusChosen && plan.has('status')) await checkConflicts(trx, task.id, plan, state, opts.baseVersion, d, ['status']);
    checkCapabilities(plan, state, actor, d.tracker);
    checkWorkflow(plan, state, actor, d.tracker, opts.inverse ?? false);
    if (!opts.inverse) {
      await checkRelated(related(state), plan, ctx);
      checkCapabilities(plan, state, actor, d.tracker);
    }
    const mentions = await findNewMentions(trx, actor, plan, state, applyPlan(state, plan), task?.id ?? null);
    expand(plan, state, actor, isCreate, mentions.userIds, d);

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
