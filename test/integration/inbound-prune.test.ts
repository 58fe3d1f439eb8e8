import { createJobRunner } from '../../server/jobs/handlers';
import { INBOUND_PRUNE_JOB } from '../../server/mail/inbound/prune-job';
import { useTestApp } from '../support/app';

describe('received mail is not kept forever', () => {
  const t = useTestApp();

  const receivedDaysAgo = (days: number, recipient: string) =>
    t.db('inbound_mail').insert({
      received_at: t.db.raw(`now() - make_interval(days => ?)`, [days]),
      message_id: `<${recipient}@mail.example.com>`,
      recipient,
      sender: 'ann@example.com',
      kind: 'reply',
      outcome: 'applied',
    });
  const pending = () =>
    t.db('jobs').where({ kind: INBOUND_PRUNE_JOB }).whereNull('finished_at').select('attempts', t.db.raw(`extract(epoch FROM run_at - now()) AS wait`)) as Promise<
      { attempts: number; wait: string }[]
    >;

  test('a daily job forgets mail received more than 90 days ago, and one such job is queued however many processes start', async () => {
    await receivedDaysAgo(91, 'T1+1+old@reply.example.com');
    await receivedDaysAgo(89, 'T1+1+recent@reply.example.com');
    await receivedDaysAgo(0, 'T1+1+today@reply.example.com');
    const logged: string[] = [];
    const processes = [1, 2].map(() => createJobRunner({ ...t.deps, log: (line) => logged.push(line) }));
    for (const p of processes) p.start(60_000);
    for (let tries = 0; (await t.db('inbound_mail').count<{ n: number }[]>({ n: '*' }))[0]!.n > 2 && tries < 200; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    for (let tries = 0; (await pending()).some((j) => Number(j.wait) < 60) && tries < 200; tries++) await new Promise((resolve) => setTimeout(resolve, 25));
    await Promise.all(processes.map((p) => p.stop()));

    expect(((await t.db('inbound_mail').orderBy('id').pluck('recipient')) as string[]).map((r) => r.split('+')[2])).toEqual([
      'recent@reply.example.com',
      'today@reply.example.com',
    ]);
    expect(logged).toEqual([expect.stringContaining('forgot 1 received mail older than 90 days')]);
    // Done for today: the same job comes back tomorrow, its claims counted afresh.
    const [job, ...others] = await pending();
    expect(others).toEqual([]);
    expect(job!.attempts).toBe(0);
    expect(Number(job!.wait)).toBeGreaterThan(24 * 3600 - 60);
    expect(Number(job!.wait)).toBeLessThanOrEqual(24 * 3600);

    // Another start finds it queued and adds none.
    const again = createJobRunner({ ...t.deps, log: (line) => logged.push(line) });
    again.start(60_000);
    await again.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await pending()).toHaveLength(1);
  });
});
