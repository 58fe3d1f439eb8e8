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

/** The job and its targets, in one transaction: a job is never seen without its tasks. */
export async function insertBulkEdit(db: Knex, actorId: number, changes: Change[], back: string, taskIds: number[]): Promise<number> {
  return db.transaction(async (trx) => {
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
  });
}

export async function findBulkEdit(db: Knex, id: number): Promise<BulkEdit | null> {
  const row = (await db('bulk_edits').select(COLUMNS).where({ id }).first()) as BulkEditRow | undefined;
  return row ? toBulkEdit(row) : null;
}

/**
 * Takes the oldest unfinished job nobody holds (or whose holder let its lease
 * lapse) and holds it for `leaseSeconds`. SKIP LOCKED: two processes asking at
 * once get different jobs, never the same one.
 */
export async function claimBulkEdit(db: Knex, leaseSeconds: number): Promise<BulkEdit | null> {
  const result = await db.raw(
    `UPDATE bulk_edits SET claimed_until = now() + make_interval(secs => ?)
     WHERE id = (
       SELECT id FROM bulk_edits
       WHERE finished_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
       ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED
     )
     RETURNING ${COLUMNS.join(', ')}`,
    [leaseSeconds],
  );
  const row = (result.rows as BulkEditRow[])[0];
  return row ? toBulkEdit(row) : null;
}

export async function renewLease(db: Knex, id: number, leaseSeconds: number): Promise<void> {
  await db.raw(`UPDATE bulk_edits SET claimed_until = now() + make_interval(secs => ?) WHERE id = ?`, [leaseSeconds, id]);
}

/** Gives a job back unfinished, so the next process to look takes it up at once. */
export async function releaseBulkEdit(db: Knex, id: number): Promise<void> {
  await db('bulk_edits').where({ id }).whereNull('finished_at').update({ claimed_until: null });
}

export async function finishBulkEdit(db: Knex, id: number): Promise<void> {
  await db('bulk_edits').where({ id }).update({ finished_at: db.fn.now(), claimed_until: null });
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
