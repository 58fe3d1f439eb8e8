import type { Knex } from 'knex';
import { AppError, ValidationError } from '../errors';
import { findUserById } from '../users/repository';
import { can, type Actor } from '../users/roles';
import type { ViewPolicy } from '../tracker-config';
import { eventsSince } from './event-repository';
import { eventType } from './events/registry';
import { FieldProblem, type Change, type ParseContext, type RelatedContext } from './events/types';
import { sameValue } from './events/values';
import type { LockedTask } from './state-repository';
import { VIEW_NAMES, type TaskState, type Tracker } from './task';
import { enforceWorkflow } from './workflow';

/**
 * An edit's plan, before anything is written: its changes parsed into one value per event type,
 * what they imply added, and the checks it must pass (lost edits, capabilities, workflow rules,
 * the other tasks a change reaches).
 */

/** Fields whose concurrent edits are refused rather than silently overwritten. */
const GUARDED = ['title', 'description', 'status', 'priority', 'owner', 'view', 'points'];

export function stateOf({ task, subscriberIds, projectIds, columns, parentIds, subtaskIds, custom }: LockedTask): TaskState {
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

export function applyPlan(state: TaskState, plan: Map<string, unknown>): TaskState {
  let next = state;
  for (const [type, value] of plan) next = eventType(type)!.apply(next, value);
  return next;
}

export async function parseChanges(changes: Change[], ctx: ParseContext, state: TaskState): Promise<Map<string, unknown>> {
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
export async function checkConflicts(trx: Knex.Transaction, taskId: number, plan: Map<string, unknown>, state: TaskState, base: number, tracker: Tracker, implied: string[] = []) {
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
      conflicts[t.field] = `Someone else changed this while you were editing; it is now ${await describeValue(trx, type, t.current(state), tracker)}. Save again to replace it with yours.`;
    }
  }
  if (Object.keys(conflicts).length) throw new ValidationError(conflicts, 409, 'conflict');
}

/** The newer value as the form shows it: names, not the ids and keys stored. */
async function describeValue(trx: Knex.Transaction, type: string, v: unknown, tracker: Tracker): Promise<string> {
  if (type === 'priority') return `"${tracker.priorityName(Number(v))}"`;
  if (type === 'status') return `"${tracker.statusName(String(v))}"`;
  if (type === 'view') return `"${VIEW_NAMES[v as ViewPolicy] ?? String(v)}"`;
  if (type === 'description') return 'a newer text (shown above the box)';
  if (type === 'owner') return v === null ? 'nobody' : `"${(await findUserById(trx, Number(v)))?.username ?? 'unknown user'}"`;
  if (v === null) return 'empty';
  return `"${String(v)}"`;
}

/**
 * Adds what a change implies: the author, newly mentioned people, a commenter
 * and a new owner subscribe, a closer claims, a replaced owner stays subscribed.
 */
export function expand(plan: Map<string, unknown>, state: TaskState, actor: Actor, isCreate: boolean, mentionedUserIds: number[], tracker: Tracker) {
  const next = applyPlan(state, plan);
  let ownerId = next.ownerId;
  const closing = !tracker.isClosed(state.status) && tracker.isClosed(next.status);
  // An owner field that repeats "nobody" (the edit form always sends it) is no choice of owner; only unassigning someone is.
  if (closing && ownerId === null && state.ownerId === null && tracker.status(next.status)?.claim) {
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
export async function checkRelated(c: RelatedContext, plan: Map<string, unknown>, ctx: ParseContext) {
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
export function checkCapabilities(plan: Map<string, unknown>, state: TaskState, actor: Actor, tracker: Tracker) {
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
export function newTexts(plan: Map<string, unknown>): string[] {
  const revised = plan.get('comment.edit') as { text?: string | null } | undefined;
  return [plan.get('description'), plan.get('comment'), revised?.text].filter((t): t is string => typeof t === 'string' && t !== '');
}

/** The workflow rules of the configuration, on the edit as planned: the status it reaches, its comment, whether it changes anything. */
export function checkWorkflow(plan: Map<string, unknown>, state: TaskState, actor: Actor, tracker: Tracker, inverse: boolean) {
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
