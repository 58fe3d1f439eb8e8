import { CONNECTIONS_PER_MAILER, mailerOrder } from '../../server/mail/mailers';
import { queueMail, type OutgoingMail } from '../../server/mail/outbox';
import { GIVE_UP_AFTER_SECONDS, retryDelaySeconds } from '../../server/mail/send-job';
import { useTestApp } from '../support/app';
import { recordStatements } from '../support/statements';
import { createUser } from '../support/factories';
import { attemptsOf, mailRunner, makeDue, messageRow } from '../support/mail';
import { hangingProvider, localMailer, refusingPort, smtpProvider, type Provider } from '../support/smtp';

const note = (to: string, subject = 'Hello'): OutgoingMail => ({ kind: 'test', to: [to], subject, text: `Body of ${subject}.`, html: `<p>Body of ${subject}.</p>` });

describe('sending the outbox through a chain of mailers', () => {
  const t = useTestApp();
  const providers: Provider[] = [];
  let accept: Provider, second: Provider, busy: Provider, refuses: Provider, hangs: Provider, untrusted: Provider;
  let closedPort: number;

  beforeAll(async () => {
    [accept, second, busy, refuses, hangs, untrusted] = await Promise.all([
      smtpProvider('accept'),
      smtpProvider('accept'),
      smtpProvider('temporary'),
      smtpProvider('permanent'),
      hangingProvider(),
      smtpProvider('starttls'),
    ]);
    providers.push(accept, second, busy, refuses, hangs, untrusted);
    closedPort = await refusingPort();
  });
  afterAll(async () => {
    await Promise.all(providers.map((p) => p.close()));
  });
  beforeEach(() => {
    for (const p of providers) p.received.length = 0;
  });

  test('with no mailer configured, a message is kept and voided with the reason', async () => {
    const id = await queueMail(t.db, note('ann@example.com'));
    await mailRunner(t, []).kick();
    expect(await messageRow(t, id)).toMatchObject({ status: 'void', status_reason: 'No mailers are configured.', attempts: 0 });
    expect(await t.db('mail_messages').where({ id }).first('subject', 'text_body')).toEqual({ subject: 'Hello', text_body: 'Body of Hello.' });
  });

  test('mailers are tried by priority; refused connections, silence, 4xx and untrusted TLS move on to the next', async () => {
    const runner = mailRunner(t, [
      localMailer('accepting', accept.port, 10),
      localMailer('untrusted', untrusted.port, 15),
      localMailer('refused', closedPort, 30),
      localMailer('busy', busy.port, 20),
      localMailer('silent', hangs.port, 25, 300),
    ]);
    const id = await queueMail(t.db, { ...note('ann@example.com', 'Failover'), headers: { 'X-Trellis-Test': 'yes' } });
    await runner.kick();
    expect(await attemptsOf(t, id)).toEqual([
      { mailer_key: 'refused', outcome: 'temporary' },
      { mailer_key: 'silent', outcome: 'temporary' },
      { mailer_key: 'busy', outcome: 'temporary' },
      { mailer_key: 'untrusted', outcome: 'temporary' },
      { mailer_key: 'accepting', outcome: 'sent' },
    ]);
    expect(await messageRow(t, id)).toMatchObject({ status: 'sent', mailer_key: 'accepting', attempts: 1 });
    expect(accept.received).toHaveLength(1);
    const { mail, recipients, from } = accept.received[0]!;
    expect([from, recipients]).toEqual(['trellis@example.com', ['ann@example.com']]);
    expect(mail.subject).toBe('Failover');
    expect(mail.text?.trim()).toBe('Body of Failover.');
    expect(mail.html).toContain('<p>Body of Failover.</p>');
    expect(mail.messageId).toBe(`<trellis-mail-${id}@example.com>`);
    expect(mail.headers.get('x-trellis-test')).toBe('yes');
  });

  test("a message's last write ends its job: sent, refused or voided, no statement and no commit of the job's own", async () => {
    const sent = await queueMail(t.db, note('ann@example.com', 'One commit'));
    const sentRun = await recordStatements(t.db, () => mailRunner(t, [localMailer('accepting', accept.port)]).kick());
    const refused = await queueMail(t.db, note('nobody@example.com', 'Refused'));
    const refusedRun = await recordStatements(t.db, () => mailRunner(t, [localMailer('refusing', refuses.port)]).kick());
    const voided = await queueMail(t.db, note('ann@example.com', 'Nowhere to go'));
    const voidRun = await recordStatements(t.db, () => mailRunner(t, []).kick());
    expect(await messageRow(t, sent)).toMatchObject({ status: 'sent' });
    expect(await messageRow(t, refused)).toMatchObject({ status: 'failed' });
    expect(await messageRow(t, voided)).toMatchObject({ status: 'void' });
    const jobs = await t.db('jobs').whereRaw(`(payload ->> 'messageId')::int = ANY(?)`, [[sent, refused, voided]]).select('finished_at', 'claimed_until', 'last_error');
    expect(jobs).toEqual(Array(3).fill({ finished_at: expect.any(Date), claimed_until: null, last_error: null }));
    // Each job was claimed, and ended by the statement that settled its message: no separate finish.
    for (const run of [sentRun, refusedRun, voidRun]) {
      expect(run.statements.filter((s) => s.name === 'trellis_job_claim')).not.toEqual([]);
      expect(run.statements.filter((s) => s.name === 'trellis_job_finish')).toEqual([]);
    }
  });

  test('a permanent refusal fails the message with the reason, and it is never retried', async () => {
    const runner = mailRunner(t, [localMailer('refusing', refuses.port, 20), localMailer('accepting', accept.port, 10)]);
    const id = await queueMail(t.db, note('nobody@example.com'));
    await runner.kick();
    const row = await messageRow(t, id);
    expect(row).toMatchObject({ status: 'failed', attempts: 1 });
    expect(row.status_reason).toContain('No such user here: nobody@example.com');
    expect(await attemptsOf(t, id)).toEqual([{ mailer_key: 'refusing', outcome: 'permanent' }]);
    await makeDue(t, [id]);
    await runner.kick();
    expect(accept.received).toHaveLength(0);
    expect(await attemptsOf(t, id)).toHaveLength(1);
  });

  test('when every mailer fails for now the message waits, longer each time, and goes out once one recovers', async () => {
    const runner = mailRunner(t, [localMailer('busy', busy.port, 20), localMailer('refused', closedPort, 10)]);
    const id = await queueMail(t.db, note('ann@example.com', 'Patience'));
    await runner.kick();
    let row = await messageRow(t, id);
    expect(row).toMatchObject({ status: 'queued', attempts: 1 });
    expect(row.last_error).toContain('busy: 451 Mailbox busy, try again later');
    expect(row.last_error).toContain('refused: ');
    const wait = async () =>
      Number((await t.db('jobs').whereRaw(`payload ->> 'messageId' = ?`, [String(id)]).first(t.db.raw('extract(epoch FROM run_at - now()) AS s'))).s);
    expect(await wait()).toBeGreaterThan(50);
    expect(await wait()).toBeLessThanOrEqual(60);

    // A restart changes nothing: the queue is in the database, and a new process finds the job when it is due.
    await makeDue(t, [id]);
    await mailRunner(t, [localMailer('busy', busy.port, 20), localMailer('refused', closedPort, 10)]).kick();
    expect(await messageRow(t, id)).toMatchObject({ status: 'queued', attempts: 2 });
    expect(await wait()).toBeGreaterThan(110);

    busy.behaviour = 'accept';
    try {
      await makeDue(t, [id]);
      await runner.kick();
    } finally {
      busy.behaviour = 'temporary';
    }
    expect(await messageRow(t, id)).toMatchObject({ status: 'sent', mailer_key: 'busy', attempts: 3 });
    expect(busy.received.map((r) => r.mail.subject)).toEqual(['Patience']);
  });

  test('the waits grow and stop at about two days, after which the message is failed', async () => {
    const waits = Array.from({ length: 30 }, (_, i) => retryDelaySeconds(i + 1));
    expect(waits.slice(0, 4)).toEqual([60, 120, 240, 480]);
    expect(Math.max(...waits)).toBe(4 * 3600);
    expect(GIVE_UP_AFTER_SECONDS).toBe(48 * 3600);

    const runner = mailRunner(t, [localMailer('busy', busy.port)]);
    const id = await queueMail(t.db, note('ann@example.com', 'Too late'));
    await t.db('mail_messages').where({ id }).update({ created_at: t.db.raw(`now() - interval '47 hours 59 minutes'`), attempts: 17 });
    await runner.kick();
    const row = await messageRow(t, id);
    expect(row.status).toBe('failed');
    expect(row.status_reason).toMatch(/^No mailer took this message in 18 attempts over two days\. Last errors: busy: 451 Mailbox busy/);
    expect(await t.db('jobs').whereRaw(`payload ->> 'messageId' = ?`, [String(id)]).first('finished_at')).toEqual({ finished_at: expect.any(Date) });
  });

  test('mailers of equal priority share the load; a lower priority is only a fallback', () => {
    const mailers = [localMailer('a', 1, 10), localMailer('b', 2, 10), localMailer('c', 3, 5), localMailer('in-only', 4, 99)];
    mailers[3] = { ...mailers[3]!, outbound: false };
    const firsts = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const order = mailerOrder(mailers).map((m) => m.key);
      expect(order.slice(2)).toEqual(['c']);
      firsts.set(order[0]!, (firsts.get(order[0]!) ?? 0) + 1);
    }
    expect(firsts.get('a')).toBeGreaterThan(50);
    expect(firsts.get('b')).toBeGreaterThan(50);
    expect(mailerOrder(mailers, 'c').map((m) => m.key)).toEqual(['c']);
  });

  test('two processes sending at once send every message exactly once', async () => {
    const mailers = [localMailer('a', accept.port, 10), localMailer('b', second.port, 10)];
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push(await queueMail(t.db, note(`person${i}@example.com`, `Message ${i}`)));
    const one = mailRunner(t, mailers);
    const two = mailRunner(t, mailers);
    await Promise.all([one.kick(), two.kick()]);
    const subjects = [...accept.received, ...second.received].map((r) => r.mail.subject).sort();
    expect(subjects).toEqual(ids.map((_, i) => `Message ${i}`).sort());
    expect(accept.received.length).toBeGreaterThan(0);
    expect(second.received.length).toBeGreaterThan(0);
    expect(await t.db('mail_attempts').whereIn('message_id', ids).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 30 }]);
  });

  test('a mailer\'s connections are kept and reused from message to message, and closed when the runner stops', async () => {
    const runner = mailRunner(t, [localMailer('pooled', second.port)]);
    const before = second.connections;
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push(await queueMail(t.db, note(`reader${i}@example.com`, `Pooled ${i}`)));
    await runner.kick();
    for (let i = 0; i < 6; i++) ids.push(await queueMail(t.db, note(`late${i}@example.com`, `Later ${i}`)));
    await runner.kick();
    expect(second.received.map((r) => r.mail.subject).sort()).toEqual([...ids.keys()].map((i) => (i < 12 ? `Pooled ${i}` : `Later ${i - 12}`)).sort());
    expect(second.connections - before).toBeGreaterThan(0);
    expect(second.connections - before).toBeLessThanOrEqual(CONNECTIONS_PER_MAILER);
    expect(second.open).toBeGreaterThan(0);
    await runner.stop();
    for (let tries = 0; second.open > 0 && tries < 100; tries++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(second.open).toBe(0);
  });
});

describe('mail to a person who turned mail off', () => {
  const t = useTestApp();

  test('is kept and voided, unless it is mandatory', async () => {
    const user = await createUser(t.db, { username: 'hermit', email: 'hermit@example.com' });
    await t.db('mail_preferences').insert({ user_id: user.id, enabled: false });
    const ordinary = await queueMail(t.db, { ...note('hermit@example.com', 'Welcome'), userId: user.id });
    const reset = await queueMail(t.db, { ...note('hermit@example.com', 'Reset your password'), userId: user.id, mandatory: true });
    expect(await messageRow(t, ordinary)).toMatchObject({ status: 'void', status_reason: 'Recipient turned mail off.' });
    expect(await messageRow(t, reset)).toMatchObject({ status: 'queued' });
  });
});
