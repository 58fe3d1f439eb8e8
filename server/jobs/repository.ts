import type { Knex } from 'knex';
import { insertInBatches } from '../db/lists';
import { prepared } from '../db/prepared';

/** A queued piece of work, as the runner hands it to its handler. */
export interface Job {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  /** How many times the job has been claimed, this time included. */
  attempts: number;
  createdAt: Date;
}

interface JobRow {
  id: number;
  kind: string;
  payload: Record<string, unknown> | string;
  attempts: number;
  created_at: Date;
}

const toJob = (r: JobRow): Job => ({
  id: r.id,
  kind: r.kind,
  payload: typeof r.payload === 'string' ? (JSON.parse(r.payload) as Record<string, unknown>) : r.payload,
  attempts: r.attempts,
  createdAt: new Date(r.created_at),
});

/** Queues a job, in the caller's transaction when given one, so it exists exactly when what it works on does. */
export async function insertJob(db: Knex | Knex.Transaction, kind: string, payload: Record<string, unknown>, delaySeconds = 0): Promise<number> {
  return (await insertJobs(db, kind, [payload], delaySeconds))[0]!;
}

/** Queues jobs of one kind in as few statements as the parameter limit allows, all due after `delaySeconds`. */
export async function insertJobs(db: Knex | Knex.Transaction, kind: string, payloads: Record<string, unknown>[], delaySeconds = 0): Promise<number[]> {
  if (!payloads.length) return [];
  const runAt = db.raw('now() + make_interval(secs => ?)', [delaySeconds]);
  const rows = await insertInBatches<{ id: number }>(
    db,
    'jobs',
    payloads.map((payload) => ({ kind, payload: JSON.stringify(payload), run_at: runAt })),
    'id',
  );
  return rows.map((r) => r.id);
}

/** How long a claim holds a job: `seconds`, or the kind's own lease when it has one. */
export interface Leases {
  seconds: number;
  byKind: Record<string, number>;
}

const LEASE_SQL = `claimed_until = now() + make_interval(secs => coalesce((?::jsonb ->> kind)::float8, ?))`;

/**
 * Takes the job due first that nobody holds (or whose holder let its lease
 * lapse) and holds it for its lease. SKIP LOCKED: processes asking at
 * once get different jobs, never the same one.
 */
export async function claimJob(db: Knex, leases: Leases): Promise<Job | null> {
  // Named, like every statement a job runs each time: unnamed, PostgreSQL would parse and plan it on every claim.
  const result = await prepared(
    'job_claim',
    db.raw(
      `UPDATE jobs SET ${LEASE_SQL}, attempts = attempts + 1
       WHERE id = (
         SELECT id FROM jobs
         WHERE finished_at IS NULL AND run_at <= now() AND (claimed_until IS NULL OR claimed_until < now())
         ORDER BY run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED
       )
       RETURNING id, kind, payload, attempts, created_at`,
      [JSON.stringify(leases.byKind), leases.seconds],
    ),
  );
  const row = (result.rows as JobRow[])[0];
  return row ? toJob(row) : null;
}

/** Takes one given job, if it is unfinished and nobody holds it. */
export async function claimJobById(db: Knex, id: number, leases: Leases): Promise<Job | null> {
  const result = await prepared(
    'job_claim_by_id',
    db.raw(
      `UPDATE jobs SET ${LEASE_SQL}, attempts = attempts + 1
       WHERE id = (SELECT id FROM jobs WHERE id = ? AND finished_at IS NULL AND (claimed_until IS NULL OR claimed_until < now()) FOR UPDATE SKIP LOCKED)
       RETURNING id, kind, payload, attempts, created_at`,
      [JSON.stringify(leases.byKind), leases.seconds, id],
    ),
  );
  const row = (result.rows as JobRow[])[0];
  return row ? toJob(row) : null;
}

export async function renewJob(db: Knex, id: number, leaseSeconds: number): Promise<void> {
  await db.raw('UPDATE jobs SET claimed_until = now() + make_interval(secs => ?) WHERE id = ? AND finished_at IS NULL', [leaseSeconds, id]);
}

/**
 * Ends a job: the runner's last word on it, or, as a common table expression, part of the handler's
 * last write (`JobResult` 'ended'), so that ending it costs no statement and no commit of its own.
 * Named bindings: `:jobId` (null ends nothing) and `:jobError`. A null id is compared as 0, no job's:
 * planned for a null, the statement would look cheaper than its generic plan every time, and be
 * planned again on every call.
 */
export const FINISH_JOB_SQL = 'UPDATE jobs SET finished_at = now(), claimed_until = NULL, last_error = :jobError WHERE id = coalesce(:jobId, 0)';

export async function finishJob(db: Knex, id: number, error: string | null = null): Promise<void> {
  await prepared('job_finish', db.raw(FINISH_JOB_SQL, { jobId: id, jobError: error }));
}

/** Forgets jobs finished more than `days` ago; jobs still to run, recurring ones included, stay. */
export async function pruneFinishedJobs(db: Knex, days: number): Promise<number> {
  const result = await db.raw('DELETE FROM jobs WHERE finished_at < now() - make_interval(days => ?)', [days]);
  return result.rowCount ?? 0;
}

/** Puts a job back to run again after `delaySeconds` (0: at once), noting why. */
export async function retryJob(db: Knex, id: number, delaySeconds: number, error: string | null): Promise<void> {
  await db.raw('UPDATE jobs SET claimed_until = NULL, run_at = now() + make_interval(secs => ?), last_error = ? WHERE id = ? AND finished_at IS NULL', [
    delaySeconds,
    error,
    id,
  ]);
}

/** Gives a job back unfinished without counting the claim, so the next process to look takes it up at once. */
export async function releaseJob(db: Knex, id: number): Promise<void> {
  await db.raw('UPDATE jobs SET claimed_until = NULL, attempts = greatest(attempts - 1, 0) WHERE id = ? AND finished_at IS NULL', [id]);
}

/** Queues the one job of a recurring kind, due now, unless it is queued already (by this process or another). */
export async function ensureRecurringJob(db: Knex, kind: string): Promise<void> {
  await db.raw(
    `INSERT INTO jobs (kind, payload) VALUES (?, '{"recurring": true}')
     ON CONFLICT (kind) WHERE finished_at IS NULL AND (payload ->> 'recurring') = 'true' DO NOTHING`,
    [kind],
  );
}

/** A recurring job ran: it is due again after `delaySeconds`, its count of claims started afresh. */
export async function rescheduleJob(db: Knex, id: number, delaySeconds: number): Promise<void> {
  await db.raw(
    'UPDATE jobs SET claimed_until = NULL, attempts = 0, last_error = NULL, run_at = now() + make_interval(secs => ?) WHERE id = ? AND finished_at IS NULL',
    [delaySeconds, id],
  );
}

/** Ends the unfinished jobs of a kind whose payload names this value (a message being sent afresh). */
export async function finishJobsFor(db: Knex | Knex.Transaction, kind: string, key: string, value: number): Promise<void> {
  await db('jobs').where({ kind }).whereNull('finished_at').whereRaw('payload ->> ? = ?', [key, String(value)]).update({ finished_at: db.fn.now(), claimed_until: null });
}
