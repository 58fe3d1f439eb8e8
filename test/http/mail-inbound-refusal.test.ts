import { queueRefusal } from '../../server/mail/inbound/refusal';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { CREATE_ADDRESS, deliver, REPLY_DOMAIN, startInbound, takeInboundLog, type Inbound } from '../support/inbound';
import { mailRunner } from '../support/mail';
import { localMailer, smtpProvider, type Provider } from '../support/smtp';

/**
 * Mail both ways over SMTP: task mail leaves through the outbox to an
 * in-process provider, the person answers it from a mail client to the
 * listener, and a refused answer is itself answered through the outbox.
 */
describe('replies and refusals, end to end', () => {
  const t = useTestApp();
  let inbound: Inbound;
  let provider: Provider;
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'engineer', email: 'alice@example.com' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer', email: 'bob@example.com' });
    inbound = await startInbound(t, queueRefusal);
    provider = await smtpProvider('accept');
  });

  afterAll(async () => {
    await inbound?.close();
    await provider?.close();
  });

  const refusalsQueued = () => t.db('mail_messages').where({ kind: 'inbound-refusal' }).select('kind', 'to_addresses', 'user_id', 'task_id', 'mandatory', 'status').orderBy('id');

  test('a task mail, answered from a mail client to its Reply-To, lands as a comment by email', async () => {
    const id = await createTask(t.domain, bob, { title: 'Slow search', owner: 'alice' });
    await mailRunner(t, [localMailer('provider', provider.port)], { replyDomain: REPLY_DOMAIN }).kick();
    const sent = provider.received.find((r) => r.recipients.includes('alice@example.com'))!.mail;
    const replyTo = (sent.replyTo?.value[0]?.address ?? '').toLowerCase();
    expect(replyTo).toBe(inbound.replyTo(id, alice.id).toLowerCase());
    provider.received.length = 0;

    // What Gmail sends back: the new text, the attribution, the whole mail quoted.
    const quoted = (sent.text ?? '').split('\n').map((l) => `> ${l}`).join('\n');
    const answer = await deliver(inbound.port, {
      envelope: { from: 'alice@example.com', to: [replyTo] },
      from: 'Alice <alice@example.com>',
      to: replyTo,
      subject: `Re: ${sent.subject}`,
      inReplyTo: sent.messageId,
      references: [sent.messageId!],
      text: `Looking at it now.\n\n!priority high\n\nOn Wed, Dec 2, 2026 at 9:00 AM Trellis <trellis@example.com> wrote:\n\n${quoted}\n`,
    });
    expect(answer.ok).toBe(true);
    expect(takeInboundLog(t).map((l) => l.outcome)).toEqual(['applied']);
    const events = await t.db('task_events').where({ task_id: id, actor_id: alice.id }).orderBy('id').select('type', 'new_value', 'source');
    expect(events).toEqual([
      { type: 'priority', new_value: 80, source: 'email' },
      { type: 'comment', new_value: 'Looking at it now.', source: 'email' },
    ]);

    // Bob hears of it by mail in turn, in the same thread, stamped as sent by email.
    await mailRunner(t, [localMailer('provider', provider.port)], { replyDomain: REPLY_DOMAIN }).kick();
    const news = provider.received.find((r) => r.recipients.includes('bob@example.com'))?.mail;
    expect(news?.text).toContain('Looking at it now.');
    expect(String(news?.headers.get('x-trellis-stamps'))).toContain('via(email)');
    provider.received.length = 0;
  });

  test("an engineer's !close: nothing applied, the answer queued with the refusal and delivered to their account's address", async () => {
    const id = await createTask(t.domain, bob, { title: 'Crash on save' });
    const to = inbound.replyTo(id, alice.id);
    const answer = await deliver(inbound.port, {
      envelope: { from: 'ALICE@example.com', to: [to] },
      from: 'Alice <ALICE@example.com>',
      to,
      subject: `Re: [Trellis] T${id}: Crash on save`,
      messageId: '<close-attempt@client.example.com>',
      references: '<thread@trellis.example.com>',
      text: '!close\n\nFixed in the last release.',
    });
    expect(answer.ok).toBe(true);
    expect(takeInboundLog(t).map((l) => l.outcome)).toEqual(['refused']);
    expect(await t.db('task_events').where({ task_id: id }).whereNot({ type: 'create' }).whereNot({ actor_id: bob.id })).toEqual([]);

    const queued = await refusalsQueued();
    expect(queued).toHaveLength(1);
    expect(queued[0]).toMatchObject({ kind: 'inbound-refusal', user_id: alice.id, task_id: id, mandatory: true, status: 'queued' });

    await mailRunner(t, [localMailer('provider', provider.port)]).kick();
    expect(provider.received).toHaveLength(1);
    const { mail, recipients } = provider.received[0]!;
    expect(recipients).toEqual(['alice@example.com']);
    expect(mail.subject).toBe(`Re: [Trellis] T${id}: Crash on save`);
    expect(mail.inReplyTo).toBe('<close-attempt@client.example.com>');
    expect(mail.references).toEqual(['<thread@trellis.example.com>', '<close-attempt@client.example.com>']);
    expect(mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(mail.text).toContain(`Trellis could not apply your mail to T${id}, so nothing was changed`);
    expect(mail.text).toContain('- "!close": You do not have permission to change the status of this task.');
    expect(mail.text).toContain('!assign USERNAME');
    expect(mail.text).toContain('> Fixed in the last release.');
    expect((await refusalsQueued())[0]!.status).toBe('sent');

    // The answer coming back (a mailbox forwarding it to the reply address) is recognised and dropped.
    const back = await deliver(inbound.port, { envelope: { from: 'alice@example.com', to: [to] }, raw: provider.received[0]!.raw });
    expect(back.ok).toBe(true);
    const log = takeInboundLog(t);
    expect(log.map((l) => l.outcome)).toEqual(['dropped']);
    expect(String(log[0]!.reason)).toMatch(/Trellis's own mail/);
    expect(await refusalsQueued()).toHaveLength(1);
  });

  test('dropped mail queues nothing: an unknown sender to the create address', async () => {
    const before = Number((await t.db('mail_messages').count({ n: '*' }).first())!.n);
    await deliver(inbound.port, { envelope: { from: 'stranger@example.net', to: [CREATE_ADDRESS] }, from: 'stranger@example.net', to: CREATE_ADDRESS, subject: 'Hi', text: '!frobnicate' });
    expect(takeInboundLog(t).map((l) => l.outcome)).toEqual(['dropped']);
    expect(Number((await t.db('mail_messages').count({ n: '*' }).first())!.n)).toBe(before);
  });
});
