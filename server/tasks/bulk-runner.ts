import { isDatabaseUnavailable } from '../db/unavailable';
import { findUserById } from '../users/repository';
import type { User } from '../users/user';
import { bulkEditTask, type TaskOutcome } from './bulk';
import { claimBulkEdit, finishBulkEdit, pendingTargets, recordOutcome, releaseBulkEdit, renewLease, type BulkEdit } from './bulk-repository';
import type { Domain } from './editor';
import { errorText, logLine } from '../log';

/** A process holds a job this long without renewing; past it, another process may take the job over. */
const LEASE_SECONDS = 60;
/** A lease this close to lapsing is not given back: the clocks of two machines may differ by that much. */
const LEASE_MARGIN_MS = 5_000;
/** Tasks edited between two lease renewals. */
const BATCH = 50;

/**
 * Works through queued bulk edits in the background. Every app process runs
 * one: a job is held by a lease in the database, so two processes never edit
 * the same job's tasks, and a job whose process died is taken up by another
 * once its lease lapses. A task whose edit was made but not yet recorded when
 * a process died is edited again, which changes nothing the second time.
 */
export class BulkEditRunner {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /** When, by this process's clock, the lease on the job in hand lapses at the earliest. */
  private leaseUntil = 0;
  /**
   * Jobs dropped while the database was out of reach, with their lease's end:
   * given back first thing once it answers, unless the lease has lapsed, when
   * another process may hold the job by now.
   */
  private readonly dropped = new Map<number, number>();

  constructor(
    private readonly d: Domain,
    private readonly log: (line: string) => void,
  ) {}

  /** Looks for jobs now and every `pollMs`: jobs left by a process that stopped are found this way. */
  start(pollMs = 10_000): void {
    this.timer = setInterval(() => void this.kick(), pollMs);
    this.timer.unref();
    void this.kick();
  }

  /** Works through every job that can be claimed; resolves when there is none left. Never rejects. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      // A job queued while the runner was finishing another is picked up by one more pass.
      this.again = true;
      return this.running;
    }
    this.running = this.drain()
      .catch((err: unknown) =>
        this.log(
          isDatabaseUnavailable(err)
            ? // The poll tries again; an outage is worth a line, not a stack, each time.
              logLine({ level: 'warn', msg: 'bulk edit runner paused: database unreachable', error: String((err as Error).message) })
            : logLine({ level: 'error', msg: 'bulk edit runner failed', error: errorText(err) }),
        ),
      )
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          void this.kick();
        }
      });
    return this.running;
  }

  /** Stops taking jobs and waits for the task in hand; an unfinished job is given back to the queue. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async drain(): Promise<void> {
    for (const [id, until] of this.dropped) {
      if (Date.now() < until - LEASE_MARGIN_MS) await releaseBulkEdit(this.d.db, id);
      this.dropped.delete(id);
    }
    while (!this.stopped) {
      const job = await this.leased(() => claimBulkEdit(this.d.db, LEASE_SECONDS));
      if (!job) return;
      try {
        await this.work(job);
      } catch (err) {
        // Given back, the job goes on as soon as the database answers again, not once its lease lapses.
        await releaseBulkEdit(this.d.db, job.id).catch(() => this.dropped.set(job.id, this.leaseUntil));
        throw err;
      }
    }
  }

  /** Takes or renews a lease, noting when it lapses; the clock is read before asking, so the note is never late. */
  private async leased<T>(take: () => Promise<T>): Promise<T> {
    const asked = Date.now();
    const result = await take();
    this.leaseUntil = asked + LEASE_SECONDS * 1000;
    return result;
  }

  private async work(job: BulkEdit): Promise<void> {
    const actor = await findUserById(this.d.db, job.actorId);
    for (;;) {
      const batch = await pendingTargets(this.d.db, job.id, BATCH);
      if (!batch.length) return finishBulkEdit(this.d.db, job.id);
      for (const target of batch) {
        if (this.stopped) return releaseBulkEdit(this.d.db, job.id);
        const result = await this.editOne(job, actor, target.taskId);
        await recordOutcome(this.d.db, job.id, target.position, result.outcome, result.reason);
      }
      await this.leased(() => renewLease(this.d.db, job.id, LEASE_SECONDS));
    }
  }

  private async editOne(job: BulkEdit, actor: User | null, taskId: number): Promise<TaskOutcome> {
    if (!actor || actor.disabledAt) return { outcome: 'refused', reason: 'The account that started this bulk edit is disabled.' };
    try {
      return await bulkEditTask(this.d, actor, taskId, job.changes);
    } catch (err) {
      // The task is not at fault when the database is out of reach: it stays pending, to be edited when it is back.
      if (isDatabaseUnavailable(err)) throw err;
      // One task's unexpected failure must not stop the job on it forever: it is reported, and logged.
      this.log(logLine({ level: 'error', msg: `bulk edit ${job.id} failed on T${taskId}`, error: errorText(err) }));
      return { outcome: 'refused', reason: 'This task could not be edited because of an error in Trellis; the error was logged.' };
    }
  }
}
