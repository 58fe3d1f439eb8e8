import type { Knex } from 'knex';
import type { Refusal } from '../../server/mail/inbound/refusal';
import { setDisabled } from '../../server/users/repository';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { loggedIn, timelineLines } from '../support/http';
import { CREATE_ADDRESS, deliver, fixture, inboundMailConfig, inboundRows, smtpDialogue, startInbound, takeInboundLog, type Inbound } from '../support/inbound';

interface EventRow {
  type: string;
  actor_id: number;
  new_value: unknown;
  source: string;
}

describe('replying to task mail, over real SMTP', () => {
  const t = useTestApp();
  let inbound: Inbound;
  const refusals: { refusal: Refusal; userId: number; taskId: number | null }[] = [];
  let alice: User;
  let bob: User;
  let maya: User;
  let rita: User;
  let dora: User;
  let serial = 0;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'engineer', email: 'alice@example.com' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer', email: 'bob@example.com' });
    maya = await createUser(t.db, { username: 'maya', role: 'maintainer', email: 'Maya@Example.com' });
    rita = await createUser(t.db, { username: 'rita', role: 'reader', email: 'rita@example.com' });
    dora = await createUser(t.db, { username: 'dora', role: 'engineer', email: 'dora@example.com' });
    await setDisabled(t.db, dora.id, true);
    inbound = await startInbound(t, async (_trx: Knex.Transaction, refusal, about) => {
      refusals.push({ refusal, ...about });
    });
  });

  afterAll(async () => {
    await inbound?.close();
  });

  beforeEach(() => {
    refusals.length = 0;
  });

  const eventsOf = (taskId: number): Promise<EventRow[]> =>
    t.db('task_events').select('type', 'actor_id', 'new_value', 'source').where({ task_id: taskId }).orderBy('id');
  const newTask = (overrides: Parameters<typeof createTask>[2] = {}) => createTask(t.domain, bob, { title: 'Login page crashes on Safari', ...overrides });
  const taskRow = (id: number) => t.db('tasks').where({ id }).first();

  /** A reply as a mail client sends it: From the person, to their reply address for the task. */
  function reply(user: User, taskId: number, text: string, extra: { from?: string; headers?: Record<string, string>; envelopeFrom?: string } = {}) {
    const to = inbound.replyTo(taskId, user.id);
    return deliver(inbound.port, {
      envelope: { from: extra.envelopeFrom ?? extra.from ?? user.email!, to: [to] },
      from: extra.from ?? user.email!,
      to,
      subject: `Re: [Trellis] T${taskId}: Login page crashes on Safari`,
      messageId: `<reply-${++serial}@client.example.com>`,
      headers: extra.headers,
      text,
    });
  }

  async function expectApplied(taskId: number) {
    const log = takeInboundLog(t);
    expect(log.map((l) => [l.outcome, l.taskId])).toEqual([['applied', taskId]]);
  }

  /** The mail was dropped: logged with the reason, nothing written to the task, nobody answered. */
  async function expectDropped(taskId: number, reason: RegExp, before: EventRow[]) {
    const log = takeInboundLog(t);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ level: 'warn', outcome: 'dropped' });
    expect(String(log[0]!.reason)).toMatch(reason);
    expect(await eventsOf(taskId)).toEqual(before);
    expect(refusals).toEqual([]);
  }

  /** The mail was refused: nothing of it applied, and the person was answered with what went wrong and the commands. */
  async function expectRefused(taskId: number, user: User, problem: RegExp, before: EventRow[]) {
    const log = takeInboundLog(t);
    expect(log.map((l) => l.outcome)).toEqual(['refused']);
    expect(await eventsOf(taskId)).toEqual(before);
    expect(refusals).toHaveLength(1);
    const { refusal, userId } = refusals[0]!;
    expect(userId).toBe(user.id);
    expect(refusal.to).toBe(user.email);
    expect(refusal.text).toMatch(problem);
    expect(refusal.text).toContain('nothing was changed');
    for (const command of ['!close', '!claim', '!assign USERNAME', '!priority KEYWORD', '!status KEY', '!subscribe', '!unsubscribe']) {
      expect(refusal.text).toContain(command);
    }
    expect(refusal.headers['Auto-Submitted']).toBe('auto-replied');
    return refusal;
  }

  describe('a reply from the person the address was made for', () => {
    test('becomes a comment sent by email, shown in the timeline with a mark', async () => {
      const id = await newTask();
      const answer = await reply(alice, id, 'It happens on Safari 17 as well.\n\nOn Tue, Dec 1, 2026 at 10:02 AM Trellis wrote:\n> bob created this task.\n');
      expect(answer).toMatchObject({ ok: true, code: 250 });
      await expectApplied(id);
      // Commenting subscribes the sender: an implied event beside the comment, which says it.
      const events = (await eventsOf(id)).filter((e) => e.type !== 'subscribers');
      expect(events.slice(-1)).toEqual([{ type: 'comment', actor_id: alice.id, new_value: 'It happens on Safari 17 as well.', source: 'email' }]);

      const page = await (await loggedIn(t.app, 'bob')).get(`/T${id}`);
      const group = page.dom.querySelectorAll('.timeline .event-group').at(-1)!;
      expect(group.querySelector('.event-via')?.textContent).toBe('via email');
      expect(group.querySelector('.event-time')?.getAttribute('title')).toBe('Via Email');
      expect(group.querySelector('.comment')?.textContent.trim()).toBe('It happens on Safari 17 as well.');
      expect(timelineLines(page).at(-1)).toBe('alice added a comment.');
      // A group typed on the web carries no mark.
      expect(page.dom.querySelectorAll('.timeline .event-group')[0]!.querySelector('.event-via')).toBeNull();
      expect(await inboundRows(t.db)).toContainEqual(
        expect.objectContaining({ kind: 'reply', outcome: 'applied', sender: 'alice@example.com', task_id: id, user_id: alice.id }),
      );
    });

    test('sent twice by a relay (same Message-ID) is applied once', async () => {
      const id = await newTask();
      const to = inbound.replyTo(id, alice.id);
      const mail = { envelope: { from: alice.email!, to: [to] }, from: alice.email!, to, subject: 'Re: T', messageId: '<twice@client.example.com>', text: 'Once only.' };
      expect((await deliver(inbound.port, mail)).ok).toBe(true);
      expect((await deliver(inbound.port, mail)).ok).toBe(true);
      expect((await eventsOf(id)).filter((e) => e.type === 'comment')).toHaveLength(1);
      expect(takeInboundLog(t).map((l) => l.outcome)).toEqual(['applied', 'duplicate']);
    });

    test('a failure while applying answers 451, so the relay retries, and the retry is applied', async () => {
      const id = await newTask();
      const to = inbound.replyTo(id, alice.id);
      const mail = { envelope: { from: alice.email!, to: [to] }, from: alice.email!, to, subject: 'Re: T', messageId: '<retried@client.example.com>', text: 'Doomed' };
      await t.db.raw(`ALTER TABLE task_events ADD CONSTRAINT test_refuse_doomed CHECK (new_value IS DISTINCT FROM '"Doomed"'::jsonb)`);
      try {
        expect(await deliver(inbound.port, mail)).toMatchObject({ ok: false, code: 451 });
      } finally {
        await t.db.raw('ALTER TABLE task_events DROP CONSTRAINT test_refuse_doomed');
      }
      expect(takeInboundLog(t)).toEqual([expect.objectContaining({ level: 'error', outcome: 'failed' })]);
      expect((await inboundRows(t.db)).filter((r: { task_id: number }) => r.task_id === id)).toEqual([]);
      expect((await deliver(inbound.port, mail)).ok).toBe(true);
      await expectApplied(id);
      expect((await eventsOf(id)).filter((e) => e.type === 'comment').map((e) => e.new_value)).toEqual(['Doomed']);
    });

    test('a Message-ID of any length and alphabet is recorded and applied', async () => {
      const id = await newTask();
      const to = inbound.replyTo(id, alice.id);
      // Varied three-byte characters, which no index compression shrinks.
      const long = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join('');
      const raw = `From: alice@example.com\r\nTo: ${to}\r\nSubject: Re: T\r\nMessage-ID: <${long}@client.example.com>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nLong id.\r\n`;
      expect((await deliver(inbound.port, { envelope: { from: alice.email!, to: [to] }, raw: Buffer.from(raw, 'utf8') })).ok).toBe(true);
      await expectApplied(id);
    });

    test('to two tasks at once is applied to each', async () => {
      const one = await newTask();
      const two = await newTask();
      const to = [inbound.replyTo(one, alice.id), inbound.replyTo(two, alice.id)];
      const answer = await deliver(inbound.port, { envelope: { from: alice.email!, to }, from: alice.email!, to, subject: 'Re: both', text: 'Same cause for both.' });
      expect(answer.ok).toBe(true);
      for (const id of [one, two]) expect((await eventsOf(id)).filter((e) => e.type === 'comment').at(-1)).toMatchObject({ new_value: 'Same cause for both.' });
      expect(takeInboundLog(t).map((l) => l.taskId)).toEqual([one, two]);
    });
  });

  describe('mail from common clients, quoted text and signatures stripped', () => {
    const cases: [string, string, (id: number) => Promise<void>][] = [
      [
        'gmail-reply.eml',
        'I can reproduce this on Safari 17 too. The stack trace points at the\nsession cookie parser.',
        async (id) => expect((await taskRow(id)).owner_id).toBe(alice.id),
      ],
      ['gmail-html-only.eml', 'Fixed by reverting the cookie change; please verify on staging.', async () => undefined],
      ['gmail-german.eml', 'Ich schaue mir das morgen an.', async (id) => expect((await taskRow(id)).priority).toBe(80)],
      ['outlook-reply.eml', "This only happens behind the corporate proxy. I'll raise it with IT.\n\nKind regards,\nAlice", async () => undefined],
      ['outlook-html-only.eml', 'Agreed, lowering this: it only affects the beta.', async (id) => expect((await taskRow(id)).priority).toBe(25)],
      ['outlook-original-message.eml', 'Duplicate of the proxy issue, see T2.', async () => undefined],
      [
        'apple-mail-reply.eml',
        'Seen it on my phone as well.',
        async (id) => expect((await t.db('task_subscribers').where({ task_id: id, user_id: alice.id })).length).toBe(1),
      ],
      ['apple-mail-html-only.eml', 'The fix is in the next build.', async () => undefined],
      ['plain-bottom-posted.eml', 'Only when the cookie is larger than 4 KB, in my tests.\n\nThat link works.', async () => undefined],
    ];

    test.each(cases)('%s', async (name, comment, check) => {
      const id = await newTask();
      const to = inbound.replyTo(id, alice.id);
      const answer = await deliver(inbound.port, { envelope: { from: 'alice@example.com', to: [to] }, raw: fixture(name, to) });
      expect(answer.ok).toBe(true);
      await expectApplied(id);
      const events = await eventsOf(id);
      expect(events.filter((e) => e.type === 'comment')).toEqual([{ type: 'comment', actor_id: alice.id, new_value: comment, source: 'email' }]);
      await check(id);
    });
  });

  describe('commands', () => {
    test('!close closes as the first closed status, and the rest of the mail is the comment', async () => {
      const id = await newTask();
      await reply(maya, id, '!close\n\nShipped in 4.2.');
      await expectApplied(id);
      const task = await taskRow(id);
      expect(task.status).toBe('resolved');
      expect(task.owner_id).toBe(maya.id);
      const page = await (await loggedIn(t.app, 'bob')).get(`/T${id}`);
      expect(timelineLines(page).slice(-2)).toEqual(['maya closed this task as Resolved.', 'maya claimed this task.']);
      expect(page.dom.querySelectorAll('.timeline .event-group').at(-1)!.querySelector('.comment')?.textContent.trim()).toBe('Shipped in 4.2.');
    });

    test('!claim, !assign, !priority, !status at the top or the bottom, in one group', async () => {
      const id = await newTask();
      await reply(maya, id, '!priority high\n!assign @bob\n\nBob knows this code.\n\n!status wontfix');
      await expectApplied(id);
      const task = await taskRow(id);
      expect([task.priority, task.owner_id, task.status]).toEqual([80, bob.id, 'wontfix']);
      const events = (await eventsOf(id)).filter((e) => e.actor_id === maya.id);
      // Commenting subscribes maya, and being given the task subscribes bob: one implied subscribers event.
      expect(events.map((e) => e.type).sort()).toEqual(['comment', 'owner', 'priority', 'status', 'subscribers']);
      expect(events.find((e) => e.type === 'comment')!.new_value).toBe('Bob knows this code.');
      expect(new Set(events.map((e) => e.source))).toEqual(new Set(['email']));

      const other = await newTask();
      await reply(alice, other, 'Mine.\n!claim');
      await expectApplied(other);
      expect((await taskRow(other)).owner_id).toBe(alice.id);
    });

    test('a "!" line in the middle of the text is prose, not a command', async () => {
      const id = await newTask();
      await reply(alice, id, 'First line.\n!close is what I would do\nLast line.');
      await expectApplied(id);
      expect((await taskRow(id)).status).toBe('open');
      expect((await eventsOf(id)).filter((e) => e.type === 'comment').at(-1)!.new_value).toBe('First line.\n!close is what I would do\nLast line.');
    });

    test('!subscribe and !unsubscribe, for oneself or for others', async () => {
      const id = await newTask();
      const subscribers = async () => (await t.db('task_subscribers').where({ task_id: id }).orderBy('user_id')).map((r: { user_id: number }) => r.user_id);
      await reply(alice, id, '!subscribe');
      await expectApplied(id);
      expect(await subscribers()).toEqual([alice.id, bob.id]);
      await reply(alice, id, '!subscribe maya');
      await expectApplied(id);
      expect(await subscribers()).toEqual([alice.id, bob.id, maya.id]);
      await reply(alice, id, '!unsubscribe');
      await expectApplied(id);
      expect(await subscribers()).toEqual([bob.id, maya.id]);
      const page = await (await loggedIn(t.app, 'bob')).get(`/T${id}`);
      expect(timelineLines(page).slice(-3)).toEqual(['alice subscribed.', 'alice added a subscriber: maya.', 'alice unsubscribed.']);
    });
  });

  describe('refusals: nothing of the mail is applied, and the person is told why', () => {
    test("an engineer's !close is refused with the web's words, and the comment beside it is kept back", async () => {
      const id = await newTask();
      const before = await eventsOf(id);
      await reply(alice, id, '!close\n\nI think this is done.');
      const refusal = await expectRefused(id, alice, /"!close": You do not have permission to change the status of this task\./, before);
      expect(refusal.subject).toBe(`Re: [Trellis] T${id}: Login page crashes on Safari`);
      expect(refusal.text).toContain('> I think this is done.');
      expect(refusal.headers['In-Reply-To']).toMatch(/^<reply-\d+@client\.example\.com>$/);
      expect((await taskRow(id)).status).toBe('open');
    });

    test('an unknown command', async () => {
      const id = await newTask();
      const before = await eventsOf(id);
      await reply(alice, id, 'Looks fine.\n\n!frobnicate now');
      await expectRefused(id, alice, /"!frobnicate now": "!frobnicate" is not a command\./, before);
    });

    test('commands written wrongly, or naming what does not exist, are all listed at once', async () => {
      const id = await newTask();
      const before = await eventsOf(id);
      await reply(maya, id, '!assign\n!claim me');
      const refusal = await expectRefused(id, maya, /"!assign": Write it as "!assign USERNAME"\./, before);
      expect(refusal.text).toContain('"!claim me": !claim takes nothing after it.');
      refusals.length = 0;
      await reply(maya, id, '!priority urgent\n!assign nobody-here');
      const second = await expectRefused(id, maya, /"!priority urgent": "urgent" is not a valid priority\. Use a priority keyword: unbreak, triage, high, normal, low, wish\./, before);
      expect(second.text).toContain('"!assign nobody-here": There is no user named "nobody-here".');
    });

    test('a reply with neither text nor commands', async () => {
      const id = await newTask();
      const before = await eventsOf(id);
      await reply(alice, id, 'On Tue, Dec 1, 2026 at 10:02 AM Trellis wrote:\n> bob created this task.\n\n-- \nAlice\n');
      await expectRefused(id, alice, /found neither text nor commands/, before);
    });

    test("a reader's comment", async () => {
      const id = await newTask();
      const before = await eventsOf(id);
      await reply(rita, id, 'Me too!');
      await expectRefused(id, rita, /Your comment: You do not have permission to comment on this task\./, before);
    });

    test('a comment longer than a task may hold, under a larger size limit', async () => {
      const roomy = await startInbound(t, async (_trx, refusal, about) => void refusals.push({ refusal, ...about }), inboundMailConfig({ maxMessageBytes: 1024 * 1024 }));
      try {
        const id = await newTask();
        const before = await eventsOf(id);
        const to = roomy.replyTo(id, alice.id);
        const answer = await deliver(roomy.port, { envelope: { from: alice.email!, to: [to] }, from: alice.email!, to, subject: 'Re: logs', text: 'log line\n'.repeat(30_000) });
        expect(answer.ok).toBe(true);
        const refusal = await expectRefused(id, alice, /This text is too long: at most 262144 characters\./, before);
        expect(refusal.text).toContain('What you wrote is too long to quote back here; your sent mail has it.');
        expect(refusal.text.length).toBeLessThan(5000);
      } finally {
        await roomy.close();
      }
    });

    test('a task the person may no longer see', async () => {
      const id = await newTask();
      await t.db('tasks').where({ id }).update({ view_policy: 'maintainers' });
      const before = await eventsOf(id);
      await reply(alice, id, 'Any news?');
      await expectRefused(id, alice, new RegExp(`T${id} does not exist, or you can not see it\\.`), before);
    });
  });

  describe('mail that is dropped: logged, never applied, never answered', () => {
    test('a forged or unknown reply address is refused at RCPT with 550', async () => {
      const id = await newTask();
      const real = inbound.replyTo(id, alice.id);
      const forged = real.replace(`+${alice.id}+`, `+${bob.id}+`);
      for (const to of [forged, `T${id}+${alice.id}+${'0'.repeat(20)}@reply.trellis.test`, 'someone@reply.trellis.test', real.replace('reply.trellis.test', 'elsewhere.test')]) {
        const answer = await deliver(inbound.port, { envelope: { from: alice.email!, to: [to] }, from: alice.email!, to, subject: 'x', text: '!claim' });
        expect(answer).toMatchObject({ ok: false, code: 550 });
      }
      expect((await taskRow(id)).owner_id).toBeNull();
      expect(takeInboundLog(t)).toEqual([]);
    });

    test('a sender other than the person the address was made for', async () => {
      const id = await newTask();
      const before = await eventsOf(id);
      expect((await reply(alice, id, '!claim', { from: 'mallory@example.net' })).ok).toBe(true);
      await expectDropped(id, /the sender is not the address of @alice/, before);
      // Another account's own address is not the person's either.
      await reply(alice, id, '!claim', { from: bob.email! });
      await expectDropped(id, /the sender is not the address of @alice/, before);
    });

    test('the sender address compares without case', async () => {
      const id = await newTask();
      await reply(maya, id, 'Case does not matter.', { from: 'MAYA@example.COM' });
      await expectApplied(id);
    });

    test('a disabled account', async () => {
      const id = await newTask();
      const before = await eventsOf(id);
      await reply(dora, id, 'Still here.');
      await expectDropped(id, /the account @dora is disabled/, before);
    });

    test('a mail without a From header, and bytes that are not a mail at all', async () => {
      const id = await newTask();
      const before = await eventsOf(id);
      const to = inbound.replyTo(id, alice.id);
      const noFrom = `To: ${to}\r\nSubject: hello\r\nMessage-ID: <nofrom@client.example.com>\r\n\r\n!claim\r\n`;
      expect((await deliver(inbound.port, { envelope: { from: alice.email!, to: [to] }, raw: noFrom })).ok).toBe(true);
      await expectDropped(id, /no single From address/, before);
      const garbage = Buffer.from([0, 1, 2, 255, 254, 13, 10, 0x3a, 0x3a, 13, 10, 200, 201]);
      expect((await deliver(inbound.port, { envelope: { from: alice.email!, to: [to] }, raw: garbage })).ok).toBe(true);
      await expectDropped(id, /no single From address/, before);
      const twoFroms = `From: alice@example.com, bob@example.com\r\nTo: ${to}\r\nSubject: hi\r\n\r\n!claim\r\n`;
      expect((await deliver(inbound.port, { envelope: { from: alice.email!, to: [to] }, raw: twoFroms })).ok).toBe(true);
      await expectDropped(id, /no single From address/, before);
    });

    test('a mail over the size limit is refused during DATA with 552, and nothing is recorded', async () => {
      const id = await newTask();
      const before = await eventsOf(id);
      const answer = await reply(alice, id, 'x'.repeat(70 * 1024));
      expect(answer).toMatchObject({ ok: false, code: 552 });
      expect(await eventsOf(id)).toEqual(before);
      expect(takeInboundLog(t)).toEqual([]);
      expect((await inboundRows(t.db)).filter((r: { task_id: number }) => r.task_id === id)).toEqual([]);
    });

    test('a relay that announces an oversized mail is refused at MAIL FROM, before sending it', async () => {
      const id = await newTask();
      const codes = await smtpDialogue(inbound.port, ['EHLO relay.example.com', `MAIL FROM:<alice@example.com> SIZE=${1024 * 1024}`, 'QUIT']);
      expect(codes).toEqual([220, 250, 552, 221]);
      const fits = await smtpDialogue(inbound.port, ['EHLO relay.example.com', 'MAIL FROM:<alice@example.com> SIZE=1000', `RCPT TO:<${inbound.replyTo(id, alice.id)}>`, 'RCPT TO:<postmaster@reply.trellis.test>', 'QUIT']);
      expect(fits).toEqual([220, 250, 250, 250, 550, 221]);
    });

    test.each([
      ['Trellis\'s own mail coming back', { 'X-Trellis-Stamps': 'actor(@bob) monogram(T1)' }, /Trellis's own x-trellis-stamps header/],
      ['an out-of-office reply', { 'Auto-Submitted': 'auto-replied' }, /Auto-Submitted: auto-replied/],
      ['generated mail', { 'Auto-Submitted': 'auto-generated; owner-email="x@example.com"' }, /Auto-Submitted/],
      ['bulk mail', { Precedence: 'bulk' }, /Precedence: bulk/],
      ['junk', { Precedence: 'junk' }, /Precedence: junk/],
      ['list traffic', { Precedence: 'list' }, /Precedence: list/],
    ])('loop protection: %s', async (_what, headers, reason) => {
      const id = await newTask();
      const before = await eventsOf(id);
      expect((await reply(alice, id, 'I am out of the office until Monday.', { headers })).ok).toBe(true);
      await expectDropped(id, reason, before);
    });

    test('loop protection: a delivery report (empty envelope sender)', async () => {
      const id = await newTask();
      const before = await eventsOf(id);
      const to = inbound.replyTo(id, alice.id);
      const bounce = `From: alice@example.com\r\nTo: ${to}\r\nSubject: Undelivered Mail Returned to Sender\r\n\r\nThe mail could not be delivered.\r\n`;
      expect((await deliver(inbound.port, { envelope: { from: '', to: [to] }, raw: bounce })).ok).toBe(true);
      await expectDropped(id, /delivery report/, before);
    });

    test('X-Auto-Response-Suppress is no sign of a machine (Exchange puts it on people\'s mail): applied, but a refusal is not answered', async () => {
      const id = await newTask();
      const headers = { 'X-Auto-Response-Suppress': 'DR, OOF, AutoReply' };
      await reply(alice, id, 'Written in Outlook.', { headers });
      await expectApplied(id);
      const before = await eventsOf(id);
      await reply(alice, id, '!close', { headers });
      const log = takeInboundLog(t);
      expect(log.map((l) => l.outcome)).toEqual(['refused']);
      expect(String(log[0]!.reason)).toBe(
        '"!close": You do not have permission to change the status of this task. Not answered: it asks not to be answered (X-Auto-Response-Suppress: dr, oof, autoreply).',
      );
      expect(await eventsOf(id)).toEqual(before);
      expect(refusals).toEqual([]);
    });

    test('"Auto-Submitted: no" is a person writing, and is applied', async () => {
      const id = await newTask();
      await reply(alice, id, 'Written by hand.', { headers: { 'Auto-Submitted': 'no' } });
      await expectApplied(id);
    });
  });

  describe('creating a task by mail', () => {
    const create = (from: string, subject: string, text: string) =>
      deliver(inbound.port, { envelope: { from, to: [CREATE_ADDRESS] }, from, to: CREATE_ADDRESS, subject, text, messageId: `<create-${++serial}@client.example.com>` });
    const newest = () => t.db('tasks').orderBy('id', 'desc').first();

    test('subject to title, body to description, sender to author, with commands', async () => {
      expect((await create('Alice@Example.com', 'Fwd: Export times out', '!priority high\n\nThe CSV export of 10k tasks times out after 30 s.\n\n-- \nAlice\nFrontend team')).ok).toBe(true);
      const task = await newest();
      expect(task).toMatchObject({ title: 'Export times out', description: 'The CSV export of 10k tasks times out after 30 s.', author_id: alice.id, priority: 80 });
      const log = takeInboundLog(t);
      expect(log).toEqual([expect.objectContaining({ outcome: 'created', kind: 'create', taskId: task.id, userId: alice.id })]);
      const events = await eventsOf(task.id);
      expect(new Set(events.map((e) => e.source))).toEqual(new Set(['email']));
      const page = await (await loggedIn(t.app, 'alice')).get(`/T${task.id}`);
      expect(page.dom.querySelector('.timeline .event-group .event-via')?.textContent).toBe('via email');
      expect(timelineLines(page)[0]).toBe('alice created this task.');
    });

    test('a mail without a subject gets a title all the same', async () => {
      await create('alice@example.com', '', 'No subject here.');
      expect(await newest()).toMatchObject({ title: 'Untitled Task', description: 'No subject here.' });
      takeInboundLog(t);
    });

    test('an unknown sender is dropped and no task is made', async () => {
      const count = async () => Number((await t.db('tasks').count({ n: '*' }).first())!.n);
      const tasks = await count();
      expect((await create('stranger@example.net', 'Buy cheap watches', 'Click here')).ok).toBe(true);
      expect((await create('dora@example.com', 'From a disabled account', 'Hello')).ok).toBe(true);
      expect(await count()).toBe(tasks);
      expect(takeInboundLog(t).map((l) => [l.outcome, l.reason])).toEqual([
        ['dropped', 'the sender is not the address of any enabled account'],
        ['dropped', 'the sender is not the address of any enabled account'],
      ]);
      expect(refusals).toEqual([]);
    });

    test("a reader may not create tasks, and is told so", async () => {
      const newestBefore = (await newest()).id;
      await create('rita@example.com', 'Please add dark mode', 'It would be nice.');
      expect((await newest()).id).toBe(newestBefore);
      expect(takeInboundLog(t).map((l) => l.outcome)).toEqual(['refused']);
      expect(refusals).toHaveLength(1);
      expect(refusals[0]!.refusal.text).toContain('You do not have permission to create tasks.');
      expect(refusals[0]!.refusal.text).toContain('> It would be nice.');
      expect(refusals[0]!.taskId).toBeNull();
    });
  });
});
