import { FINISH_JOB_SQL, insertJob } from '../../server/jobs/repository';
import { JobRunner, type JobHandler } from '../../server/jobs/runner';
import type { Job } from '../../server/jobs/repository';
import { useTestApp } from '../support/app';
import { recordStatements } from '../support/statements';

describe('the job queue', () => {
  const t = useTestApp();
  const row = (id: number) => t.db('jobs').where({ id }).first('attempts', 'last_error', 'finished_at', 'claimed_until', t.db.raw('run_at > now() AS later'));

  test('a job is run once, then finished; a retry comes back after its delay, with the reason kept', async () => {
    const seen: number[] = [];
    const flaky: JobHandler = {
      kind: 'test-flaky',
      run: async (job: Job) => {
        seen.push(job.attempts);
        return job.attempts === 1 ? { retryInSeconds: 3600, error: 'not yet' } : undefined;
      },
    };
    const runner = new JobRunner(t.db, [flaky], (l) => t.errors.push(l));
    const id = await insertJob(t.db, 'test-flaky', {});
    await runner.kick();
    expect(seen).toEqual([1]);
    expect(await row(id)).toEqual({ attempts: 1, last_error: 'not yet', finished_at: null, claimed_until: null, later: true });
    // Not due yet: a second pass leaves it alone.
    await runner.kick();
    expect(seen).toEqual([1]);
    await t.db('jobs').where({ id }).update({ run_at: t.db.raw(`now() - interval '1 second'`) });
    await runner.kick();
    expect(seen).toEqual([1, 2]);
    expect((await row(id)).finished_at).not.toBeNull();
  });

  test('a handler that ended its job in its own last write leaves nothing more to the runner', async () => {
    const ending: JobHandler = {
      kind: 'test-ending',
      run: async (job: Job) => {
        await t.db.raw(`WITH ended AS (${FINISH_JOB_SQL}) SELECT 1`, { jobId: job.id, jobError: 'ended by its handler' });
        return 'ended';
      },
    };
    const runner = new JobRunner(t.db, [ending], (l) => t.errors.push(l));
    const id = await insertJob(t.db, 'test-ending', {});
    const { statements } = await recordStatements(t.db, () => runner.kick());
    // The runner's own finish would have cleared the handler's reason.
    expect(await row(id)).toMatchObject({ attempts: 1, last_error: 'ended by its handler', claimed_until: null, finished_at: expect.any(Date) });
    expect(statements.filter((s) => /update jobs set finished_at/i.test(s.sql))).toHaveLength(1);
  });

  test('an unexpected error is logged and retried later; a job of a kind this process does not know waits', async () => {
    const logged: string[] = [];
    const broken: JobHandler = { kind: 'test-broken', run: () => Promise.reject(new Error('boom')) };
    const runner = new JobRunner(t.db, [broken], (l) => logged.push(l));
    const a = await insertJob(t.db, 'test-broken', {});
    const b = await insertJob(t.db, 'test-from-the-future', {});
    await runner.kick();
    expect(logged.join('\n')).toContain('boom');
    expect(await row(a)).toMatchObject({ attempts: 1, finished_at: null, later: true });
    expect((await row(a)).last_error).toContain('boom');
    expect(await row(b)).toMatchObject({ attempts: 1, finished_at: null, later: true, last_error: 'No handler for jobs of kind "test-from-the-future" in this process.' });
  });

  test('many workers in two runners run each of many jobs exactly once', async () => {
    const runs = new Map<number, number>();
    const counting: JobHandler = {
      kind: 'test-count',
      run: async (job) => {
        runs.set(Number(job.payload.n), (runs.get(Number(job.payload.n)) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 2));
      },
    };
    for (let n = 0; n < 40; n++) await insertJob(t.db, 'test-count', { n });
    const one = new JobRunner(t.db, [counting], (l) => t.errors.push(l), 3);
    const two = new JobRunner(t.db, [counting], (l) => t.errors.push(l), 3);
    await Promise.all([one.kick(), two.kick()]);
    expect(runs.size).toBe(40);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
  });

  test('the poll gives way to web requests in flight; a direct kick does not', async () => {
    const ran: number[] = [];
    const quick: JobHandler = { kind: 'test-quick', run: async (job) => void ran.push(Number(job.payload.n)) };
    const runner = new JobRunner(t.db, [quick], (l) => t.errors.push(l), 1);
    await insertJob(t.db, 'test-quick', { n: 1 });
    runner.requests.started();
    const pass = runner.kick({ background: true });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ran).toEqual([]);
    runner.requests.ended();
    await pass;
    expect(ran).toEqual([1]);

    await insertJob(t.db, 'test-quick', { n: 2 });
    runner.requests.started();
    try {
      const started = Date.now();
      await runner.kick();
      expect(ran).toEqual([1, 2]);
      expect(Date.now() - started).toBeLessThan(150);
    } finally {
      runner.requests.ended();
    }
  });
});
