import { queueRefusal } from '../../server/mail/inbound/refusal';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { CREATE_ADDRESS, deliver, startInbound, takeInboundLog, type Inbound } from '../support/inbound';
import { mailRunner } from '../support/mail';
import { localMailer, smtpProvider, type Provider } from '../support/smtp';

/**
 * A refused reply is answered through the outbox and the mailers, like any
 * mail Trellis sends: a reply arrives over SMTP, the answer leaves over SMTP
 * to an in-process provider.
 */
describe('the answer to a refused mail, end to end', () => {
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

  const outbox = () => t.db('mail_messages').select('kind', 'to_addresses', 'user_id', 'task_id', 'mandatory', 'status').orderBy('id');

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

    const queued = await outbox();
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
    expect((await t.db('mail_messages').first('status')).status).toBe('sent');

    // The answer coming back (a mailbox forwarding it to the reply address) is recognised and dropped.
    const back = await deliver(inbound.port, { envelope: { from: 'alice@example.com', to: [to] }, raw: provider.received[0]!.raw });
    expect(back.ok).toBe(true);
    const log = takeInboundLog(t);
    expect(log.map((l) => l.outcome)).toEqual(['dropped']);
    expect(String(log[0]!.reason)).toMatch(/Trellis's own mail/);
    expect(await outbox()).toHaveLength(1);
  });

  test('dropped mail queues nothing: an unknown sender to the create address', async () => {
    const before = (await outbox()).length;
    await deliver(inbound.port, { envelope: { from: 'stranger@example.net', to: [CREATE_ADDRESS] }, from: 'stranger@example.net', to: CREATE_ADDRESS, subject: 'Hi', text: '!frobnicate' });
    expect(takeInboundLog(t).map((l) => l.outcome)).toEqual(['dropped']);
    expect(await outbox()).toHaveLength(before);
  });
});
