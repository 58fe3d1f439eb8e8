import type { Knex } from 'knex';
import type { Change } from './events/types';

export type BulkOutcomeKind = 'changed' | 'unchanged' | 'refused';

export interface BulkEdit {
  id: number;
  actorId: number;
  changes: Change[];
  back: string;
  finishedAt: Date | null;
}

interface BulkEditRow {
  id: number;
  actor_id: number;
  changes: Change[] | string;
  back: string;
  finished_at: Date | null;
}

const toBulkEdit = (r: BulkEditRow): BulkEdit => ({
  id: r.id,
  actorId: r.actor_id,
  changes: typeof r.changes === 'string' ? (JSON.parse(r.changes) as Change[]) : r.changes,
  back: r.back,
  finishedAt: r.finished_at ? new Date(r.finished_at) : null,
});

const COLUMNS = ['id', 'actor_id', 'changes', 'back', 'finished_at'];

/** The job's record and its targets, in the caller's transaction (with the queue entry that runs it). */
export async function insertBulkEdit(trx: Knex.Transaction, actorId: number, changes: Change[], back: string, taskIds: number[]): Promise<number> {
  const [row] = (await trx('bulk_edits').insert({ actor_id: actorId, changes: JSON.stringify(changes), back }).returning('id')) as { id: number }[];
  const id = row!.id;
  if (taskIds.length) {
    await trx.raw(
      `INSERT INTO bulk_edit_tasks (bulk_edit_id, position, task_id)
       SELECT ?, t.n, t.id FROM unnest(?::int[]) WITH ORDINALITY AS t(id, n)`,
      [id, taskIds],
    );
  } else {
    await trx('bulk_edits').where({ id }).update({ finished_at: trx.fn.now() });
  }
  return id;
}

export async function findBulkEdit(db: Knex, id: number): Promise<BulkEdit | null> {
  const row = (await db('bulk_edits').select(COLUMNS).where({ id }).first()) as BulkEditRow | undefined;
  return row ? toBulkEdit(row) : null;
}

export async function finishBulkEdit(db: Knex, id: number): Promise<void> {
  await db('bulk_edits').where({ id }).update({ finished_at: db.fn.now() });
}

export async function pendingTargets(db: Knex, id: number, limit: number): Promise<{ position: number; taskId: number }[]> {
  const rows = (await db('bulk_edit_tasks').where({ bulk_edit_id: id }).whereNull('outcome').orderBy('position').limit(limit).select('position', 'task_id')) as {
    position: number;
    task_id: number;
  }[];
  return rows.map((r) => ({ position: r.position, taskId: r.task_id }));
}

export async function recordOutcome(db: Knex, id: number, position: number, outcome: BulkOutcomeKind, reason: string | null): Promise<void> {
  await db('bulk_edit_tasks').where({ bulk_edit_id: id, position }).update({ outcome, reason });
}

export interface BulkTarget {
  taskId: number;
  outcome: BulkOutcomeKind | null;
  reason: string | null;
}

export async function listTargets(db: Knex, id: number): Promise<BulkTarget[]> {
  const rows = (await db('bulk_edit_tasks').where({ bulk_edit_id: id }).orderBy('position').select('task_id', 'outcome', 'reason')) as {
    task_id: number;
    outcome: BulkOutcomeKind | null;
    reason: string | null;
  }[];
  return rows.map((r) => ({ taskId: r.task_id, outcome: r.outcome, reason: r.reason }));
}
