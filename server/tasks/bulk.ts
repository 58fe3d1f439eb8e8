import type { Knex } from 'knex';
import { insertJob } from '../jobs/repository';
import { allTasks } from '../search/engine';
import { MAX_LIST_ITEMS, count } from '../limits';
import { splitList } from '../search/params';
import type { TaskQuery } from '../search/query';
import { AppError, NotFoundError, ValidationError } from '../errors';
import { findUsersByUsernames } from '../users/repository';
import type { Actor } from '../users/roles';
import { insertBulkEdit, type BulkOutcomeKind } from './bulk-repository';
import { applyEdit, type Domain } from './editor';
import { parseDue } from './due';
import { FieldProblem, type Change } from './events/types';
import { parsePoints, PointsProblem } from './points';
import type { Tracker } from './task';
import { planFieldBulkEdit } from '../fields/bulk';

/** "All results of this query" edits at most this many tasks; a bigger query is refused before any change. */
export const BULK_LIMIT = 10000;

/** The bulk form's fields; an empty field means "no change". */
export interface BulkRequest {
  priority?: string;
  status?: string;
  /** A username, or "nobody" to unassign. */
  owner?: string;
  addSubscribers?: string;
  removeSubscribers?: string;
  /** Points to set on every task, when the install has points. */
  points?: string;
  /** A due date ("YYYY-MM-DD", "YYYY-MM-DDTHH:MM"), or "none" to remove it. */
  due?: string;
  /** A custom field's key, and the value every task gets ("" clears it). */
  field?: string;
  fieldValue?: string;
}

const names = (v: string | undefined) =>
  splitList(v)
    .map((s) => s.replace(/^@/, ''))
    .filter(Boolean);

/**
 * Turns the form into the changes every task gets. Names and keywords are
 * checked once here, so a typo is one message rather than one per task.
 */
export async function planBulkEdit(db: Knex, tracker: Tracker, form: BulkRequest): Promise<Change[]> {
  const problems: Record<string, string> = {};
  const changes: Change[] = [];

  const priority = form.priority?.trim().toLowerCase();
  if (priority) {
    if (tracker.priorityByKey(priority)) changes.push({ type: 'priority', value: priority });
    else problems.priority = `"${form.priority}" is not a priority. Use ${tracker.priorities.map((p) => p.keyword).join(', ')}.`;
  }
  const points = form.points?.trim();
  if (points) {
    // Switched off, the form has no points field: the problem is the whole form's.
    if (!tracker.points.enabled) problems.form = 'Points are not enabled on this install.';
    else {
      try {
        changes.push({ type: 'points', value: parsePoints(points) });
      } catch (err) {
        if (!(err instanceof PointsProblem)) throw err;
        problems.points = err.message;
      }
    }
  }
  const status = form.status?.trim().toLowerCase();
  if (status) {
    const found = tracker.status(status);
    if (found && !found.reserved) changes.push({ type: 'status', value: status });
    else problems.status = `"${form.status}" is not a status you can choose. Use ${tracker.pickableStatuses.map((s) => s.key).join(', ')}.`;
  }

  const due = form.due?.trim();
  if (due) {
    try {
      changes.push({ type: 'due', value: due.toLowerCase() === 'none' ? null : parseDue(due) });
    } catch (err) {
      if (!(err instanceof FieldProblem)) throw err;
      problems.due = err.message;
    }
  }

  const owner = names(form.owner);
  const add = names(form.addSubscribers);
  const remove = names(form.removeSubscribers);
  for (const [field, list] of [['addSubscribers', add], ['removeSubscribers', remove]] as const) {
    if (list.length > MAX_LIST_ITEMS) problems[field] = `This names ${count(list.length)} people; name at most ${count(MAX_LIST_ITEMS)} at once.`;
  }
  if (problems.addSubscribers || problems.removeSubscribers) throw new ValidationError(problems);
  const users = new Map(
    (await findUsersByUsernames(db, [...owner.filter((n) => n.toLowerCase() !== 'nobody'), ...add, ...remove])).map((u) => [u.username.toLowerCase(), u]),
  );
  const resolve = (list: string[], field: string): number[] => {
    const ids: number[] = [];
    for (const name of list) {
      const user = users.get(name.toLowerCase());
      if (!user) problems[field] ??= `There is no user named "${name}".`;
      else if (user.disabledAt) problems[field] ??= `The account "${user.username}" is disabled.`;
      else ids.push(user.id);
    }
    return [...new Set(ids)];
  };

  if (owner.length > 1) problems.owner = 'A task has one owner: name one person, or "nobody".';
  else if (owner.length === 1) {
    if (owner[0]!.toLowerCase() === 'nobody') changes.push({ type: 'owner', value: null });
    else {
      const [id] = resolve(owner, 'owner');
      if (id !== undefined) changes.push({ type: 'owner', value: id });
    }
  }
  const adding = resolve(add, 'addSubscribers');
  const removing = resolve(remove, 'removeSubscribers');
  if (adding.some((id) => removing.includes(id))) problems.removeSubscribers = 'Someone is both added and removed; choose one.';
  if (adding.length || removing.length) changes.push({ type: 'subscribers', value: { add: adding, remove: removing } });
  if (form.field?.trim()) {
    const change = await planFieldBulkEdit(db, tracker, form.field.trim(), form.fieldValue ?? '', problems);
    if (change) changes.push(change);
  }

  if (Object.keys(problems).length) throw new ValidationError(problems);
  if (!changes.length) throw new ValidationError({ form: 'Choose at least one change to make.' });
  return changes;
}

/** The ids of every result of a query, in its order; collected before any edit, so edits cannot move the paging under it. */
export async function bulkTargets(db: Knex, tracker: Tracker, viewer: Actor, query: TaskQuery): Promise<number[]> {
  const ids: number[] = [];
  for await (const task of allTasks(db, tracker, viewer, query)) {
    if (ids.length === BULK_LIMIT) {
      throw new AppError(
        422,
        'too-many',
        `This query has more than ${BULK_LIMIT.toLocaleString('en-US')} results, too many to edit at once. Narrow it down and try again; nothing was changed.`,
        'scope',
      );
    }
    ids.push(task.id);
  }
  return ids;
}

/** What became of one task of a bulk edit. */
export interface TaskOutcome {
  outcome: BulkOutcomeKind;
  reason: string | null;
}

/**
 * Edits one task through the editor, as if by hand: its own transaction, its
 * own group of events and its own permission check. A task the actor may not
 * edit is refused with the reason, for the report.
 */
export async function bulkEditTask(d: Domain, actor: Actor, id: number, changes: Change[]): Promise<TaskOutcome> {
  try {
    const result = await applyEdit(d, actor, id, changes, { source: 'web' });
    return { outcome: result.events.length ? 'changed' : 'unchanged', reason: null };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { outcome: 'refused', reason: err instanceof NotFoundError ? 'There is no such task, or you may not see it.' : err.message };
  }
}

/** Stores the bulk edit and queues the job that runs it; the tasks are edited in the order given, each once. */
export function queueBulkEdit(db: Knex, actor: Actor, ids: number[], changes: Change[], back: string): Promise<number> {
  const targets = [...new Set(ids)];
  return db.transaction(async (trx) => {
    const id = await insertBulkEdit(trx, actor.id, changes, back, targets);
    if (targets.length) await insertJob(trx, 'bulk-edit', { bulkEditId: id });
    return id;
  });
}
