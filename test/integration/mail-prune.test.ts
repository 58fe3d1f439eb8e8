import { createJobRunner } from '../../server/jobs/handlers';
import { MAIL_PRUNE_JOB } from '../../server/mail/prune-job';
import { useTestApp } from '../support/app';

describe('mail is not kept forever', () => {
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
    t.db('jobs').where({ kind: MAIL_PRUNE_JOB }).whereNull('finished_at').select('attempts', t.db.raw(`extract(epoch FROM run_at - now()) AS wait`)) as Promise<
      { attempts: number; wait: string }[]
    >;

  const sentDaysAgo = async (days: number, subject: string, status = 'sent') => {
    const [row] = await t.db('mail_messages')
      .insert({ kind: 'test', status, to_addresses: JSON.stringify(['ann@example.com']), cc_addresses: '[]', subject, headers: '{}', created_at: t.db.raw(`now() - make_interval(days => ?)`, [days]) })
      .returning('id');
    await t.db('mail_attempts').insert({ message_id: (row as { id: number }).id, mailer_key: 'primary', outcome: 'sent' });
  };

  test('a daily job forgets mail sent or received more than 90 days ago, never mail still queued; one such job is queued however many processes start', async () => {
    await sentDaysAgo(91, 'Old and sent');
    await sentDaysAgo(95, 'Old and voided', 'void');
    await sentDaysAgo(91, 'Old, still waiting for a mailer', 'queued');
    await sentDaysAgo(89, 'Recent');
    await receivedDaysAgo(91, 'T1+1+old@reply.example.com');
    await receivedDaysAgo(89, 'T1+1+recent@reply.example.com');
    await receivedDaysAgo(0, 'T1+1+today@reply.example.com');
    const otherJob = (kind: string, finishedDaysAgo: number | null) =>
      t.db('jobs').insert({ kind, payload: '{}', run_at: t.db.raw(`now() + interval '1 day'`), finished_at: finishedDaysAgo === null ? null : t.db.raw(`now() - make_interval(days => ?)`, [finishedDaysAgo]) });
    await otherJob('test-old-finished', 91);
    await otherJob('test-recent-finished', 89);
    await otherJob('test-still-to-run', null);
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
    expect(await t.db('mail_messages').orderBy('id').pluck('subject')).toEqual(['Old, still waiting for a mailer', 'Recent']);
    expect(await t.db('mail_attempts').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 2 }]);
    expect(logged).toEqual([expect.stringContaining('forgot mail older than 90 days: 2 sent, failed or voided, 1 received; 1 finished jobs')]);
    expect(await t.db('jobs').where('kind', 'like', 'test-%').orderBy('id').pluck('kind')).toEqual(['test-recent-finished', 'test-still-to-run']);
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
