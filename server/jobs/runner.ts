import type { Knex } from 'knex';
import { isDatabaseUnavailable } from '../db/unavailable';
import { errorText, logLine } from '../log';
import { RequestsInFlight } from './give-way';
import { claimJob, claimJobById, ensureRecurringJob, finishJob, releaseJob, renewJob, rescheduleJob, retryJob, type Job, type Leases } from './repository';

/**
 * What became of a job's run. Returning nothing means done; 'ended' means done and already marked
 * so by the handler's own last write (FINISH_JOB_SQL), which the runner then leaves as it is.
 */
export type JobResult = { retryInSeconds: number; error: string } | { failed: string } | 'release' | 'ended' | void;

export interface JobContext {
  /** Extends the lease (by `seconds`, else the usual lease); a handler working for long renews it between steps. */
  renew(seconds?: number): Promise<void>;
  /** True once the process is stopping: a long handler gives its job back ('release') at the next step. */
  stopping(): boolean;
  /** Seconds left of the lease, by this process's clock: a handler renews only when its next step may outlast it. */
  leaseLeft(): number;
}

export interface JobHandler {
  kind: string;
  run(job: Job, ctx: JobContext): Promise<JobResult>;
  /** The lease a claim of this kind takes, when the usual one would not cover its first step (a mailer's longest wait). */
  leaseSeconds?: number;
  /** A recurring kind: one job of it is kept queued, and runs again this many seconds after each run. */
  everySeconds?: number;
  /** Lets go of what the handler keeps open between jobs (a mailer's connections), once the runner stops. */
  close?(): void;
}

/** A process holds a job this long without renewing; past it, another process may take the job over. */
export const LEASE_SECONDS = 60;
/** An unexpected error is retried with a growing delay, at most this many times. */
const MAX_UNEXPECTED_FAILURES = 10;
/** A lease this close to lapsing is not given back: the clocks of two machines may differ by that much. */
const LEASE_MARGIN_MS = 5_000;
/**
 * While web requests never pause, one worker of the process takes a job this
 * often anyway: each process still runs 2 jobs a second.
 */
const GIVE_WAY_MS = 500;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Works through the one job queue in the background. Every app process runs
 * one, each with a few workers (bounded: they share the process with its web
 * requests, and give way to them): a job is held by a lease in the database, so
 * no two workers run the same job, and a job whose process died is taken up
 * by another once its lease lapses.
 */
export class JobRunner {
  private readonly handlers: Map<string, JobHandler>;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  /**
   * Jobs this process held when the database went out of reach, with when
   * (by this process's clock) their lease lapses at the earliest: given back
   * first thing once the database answers, unless the lease has lapsed, when
   * another process may hold the job by now.
   */
  private readonly dropped = new Map<number, number>();
  /** Set from the first failure to reach the database until it answers again. */
  private outage = false;
  /** The web requests of this process, which jobs give way to; the app counts them. */
  readonly requests = new RequestsInFlight();
  /** Set by a direct kick until the passes it asked for are over: no giving way meanwhile. */
  private urgent = false;
  /** Whether the recurring jobs were found or queued; tried again at each poll until the database answers. */
  private recurringQueued = false;

  constructor(
    private readonly db: Knex,
    handlers: JobHandler[],
    private readonly log: (line: string) => void,
    private readonly workers = 4,
  ) {
    this.handlers = new Map(handlers.map((h) => [h.kind, h]));
  }

  /** Adds a kind of job; the app assembles its handlers from several domains. */
  register(handler: JobHandler): void {
    this.handlers.set(handler.kind, handler);
  }

  private leases(): Leases {
    const byKind: Record<string, number> = {};
    for (const h of this.handlers.values()) if (h.leaseSeconds) byKind[h.kind] = h.leaseSeconds;
    return { seconds: LEASE_SECONDS, byKind };
  }

  /** When (by this process's clock, read before the claim was asked) a claim of this job lapses. */
  private leaseEnd(job: Job, asked: number): number {
    return asked + (this.handlers.get(job.kind)?.leaseSeconds ?? LEASE_SECONDS) * 1000;
  }

  /** Looks for due jobs now and every `pollMs`: delayed jobs and jobs left by a stopped process are found this way. */
  start(pollMs = 1000): void {
    const poll = async () => {
      await this.queueRecurring();
      await this.kick({ background: true });
    };
    this.timer = setInterval(() => void poll(), pollMs);
    this.timer.unref();
    void poll();
  }

  private async queueRecurring(): Promise<void> {
    if (this.recurringQueued) return;
    try {
      for (const h of this.handlers.values()) if (h.everySeconds) await ensureRecurringJob(this.db, h.kind);
      this.recurringQueued = true;
    } catch (err) {
      this.report('could not queue the recurring jobs', err);
    }
  }

  /**
   * Works through every job that is due and can be claimed; resolves when
   * there is none left. Never rejects. A background pass (the poll) gives way
   * to web requests; a direct one (a request waiting on its bulk edit, a mail
   * someone just asked for) does not, and hurries a background pass under way.
   */
  kick(opts: { background?: boolean } = {}): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!opts.background) this.urgent = true;
    if (this.running) {
      // A job queued while the runner was finishing is picked up by one more pass.
      this.again = true;
      return this.running.then(() => this.running ?? undefined);
    }
    this.running = Promise.all(Array.from({ length: this.workers }, () => this.drain()))
      .then(() => undefined)
      .finally(() => {
        this.running = null;
        if (!this.again) this.urgent = false;
        if (this.again) {
          this.again = false;
          void this.kick({ background: !this.urgent });
        }
      });
    return this.running;
  }

  /** Stops taking jobs and waits for those in hand; an unfinished long job is given back to the queue. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    for (const h of this.handlers.values()) h.close?.();
  }

  /** Runs one given job here and now (a command-line send); false when another process holds it or it is finished. */
  async runNow(id: number): Promise<boolean> {
    const asked = Date.now();
    const job = await claimJobById(this.db, id, this.leases());
    if (!job) return false;
    await this.runOne(job, this.leaseEnd(job, asked));
    return true;
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      let job: Job | null;
      let asked: number;
      // Web requests first: a job starts in a pause between them, and every job lets waiting I/O (a request that arrived) run before the next.
      if (!this.urgent) await this.requests.quiet(GIVE_WAY_MS);
      await nextTurn();
      if (this.stopped) return;
      try {
        await this.giveBackDropped();
        // The clock is read before asking, so the noted end of the lease is never late.
        asked = Date.now();
        job = await claimJob(this.db, this.leases());
      } catch (err) {
        this.report('could not claim a job', err);
        return;
      }
      if (this.outage) {
        this.outage = false;
        this.log(logLine({ level: 'info', msg: 'the database answers again: jobs go on' }));
      }
      if (!job) return;
      await this.runOne(job, this.leaseEnd(job, asked));
    }
  }

  private async giveBackDropped(): Promise<void> {
    // Taken out of the map before the first await: the other workers must not give back a job this one then claims.
    const due = [...this.dropped];
    this.dropped.clear();
    for (const [i, [id, until]] of due.entries()) {
      if (Date.now() >= until - LEASE_MARGIN_MS) continue;
      try {
        await releaseJob(this.db, id);
      } catch (err) {
        for (const [laterId, laterUntil] of due.slice(i)) this.dropped.set(laterId, laterUntil);
        throw err;
      }
    }
  }

  private async runOne(job: Job, claimedUntil: number): Promise<void> {
    const handler = this.handlers.get(job.kind);
    let leaseUntil = claimedUntil;
    try {
      if (!handler) return await retryJob(this.db, job.id, 3600, `No handler for jobs of kind "${job.kind}" in this process.`);
      const result = await handler.run(job, {
        renew: async (seconds = LEASE_SECONDS) => {
          const asked = Date.now();
          await renewJob(this.db, job.id, seconds);
          leaseUntil = asked + seconds * 1000;
        },
        stopping: () => this.stopped,
        leaseLeft: () => (leaseUntil - Date.now()) / 1000,
      });
      if (result === 'ended') return;
      if (result === 'release') await releaseJob(this.db, job.id);
      else if (result && 'failed' in result) await finishJob(this.db, job.id, result.failed);
      else if (result) await retryJob(this.db, job.id, result.retryInSeconds, result.error);
      else if (handler.everySeconds && job.payload.recurring === true) await rescheduleJob(this.db, job.id, handler.everySeconds);
      else await finishJob(this.db, job.id);
    } catch (err) {
      this.report(`job ${job.id} (${job.kind}) failed`, err);
      if (isDatabaseUnavailable(err)) {
        // Not the job's fault: given back uncounted, it goes on as soon as the database answers, not once its lease lapses.
        await releaseJob(this.db, job.id).catch(() => this.dropped.set(job.id, leaseUntil));
        return;
      }
      try {
        // A recurring job is never given up: finished, it would not come back until the next start.
        const recurring = Boolean(handler?.everySeconds && job.payload.recurring === true);
        if (job.attempts >= MAX_UNEXPECTED_FAILURES && !recurring) await finishJob(this.db, job.id, errorText(err));
        else await retryJob(this.db, job.id, Math.min(30 * 2 ** job.attempts, 3600), errorText(err));
      } catch (inner) {
        // The lease lapses and another worker retries it; nothing more can be done from here.
        this.report(`job ${job.id} could not be put back`, inner);
      }
    }
  }

  /**
   * Every worker polls every second: an outage is worth one warning, not a
   * stack per worker per poll, and one line when it is over.
   */
  private report(msg: string, err: unknown): void {
    if (!isDatabaseUnavailable(err)) return this.log(logLine({ level: 'error', msg, error: errorText(err) }));
    if (this.outage) return;
    this.outage = true;
    this.log(logLine({ level: 'warn', msg: `${msg}: database unreachable; jobs wait until it answers`, error: String((err as Error).message) }));
  }
}
