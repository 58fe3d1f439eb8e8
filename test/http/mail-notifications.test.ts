import { replyAddress } from '../../server/mail/reply-address';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { loggedIn, timelineLines } from '../support/http';
import { mailRunner } from '../support/mail';
import { localMailer, smtpProvider, type Provider, type Received } from '../support/smtp';

describe('mail about task changes', () => {
  const t = useTestApp();
  let sink: Provider;
  const users = {} as Record<'alice' | 'bob' | 'carol' | 'dave' | 'mia' | 'quiet' | 'gone', User>;

  beforeAll(async () => {
    sink = await smtpProvider('accept');
    for (const name of ['alice', 'bob', 'carol', 'dave'] as const) users[name] = await createUser(t.db, { username: name, email: `${name}@example.com` });
    users.mia = await createUser(t.db, { username: 'mia', role: 'maintainer', email: 'mia@example.com' });
    users.quiet = await createUser(t.db, { username: 'quiet', email: null });
    users.gone = await createUser(t.db, { username: 'gone', email: 'gone@example.com' });
  });
  afterAll(() => sink.close());
  beforeEach(() => {
    sink.received.length = 0;
  });

  /** Sends what is queued, as the app's own job runner would, with replies configured. */
  const deliver = () => mailRunner(t, [localMailer('sink', sink.port)], { replyDomain: 'reply.example.com' }).kick();
  const mailTo = (name: string): Received[] => sink.received.filter((r) => r.recipients.includes(`${name}@example.com`));
  const only = (name: string): Received => {
    const list = mailTo(name);
    expect(list).toHaveLength(1);
    return list[0]!;
  };
  const anchors = async (taskId: number) => (await t.db('task_events').where({ task_id: taskId }).orderBy('id').pluck('id')) as number[];

  test('a new task mails its owner (To) and the people it mentions (Cc), with subject, parts, links, stamps and a reply address', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const created = await alice.post(
      '/maniphest/task/edit/',
      { title: 'Printer on fire', description: 'Smoke from tray 2. @carol knows the printer.', owner: 'bob', priority: 'high' },
      '/maniphest/task/edit/',
    );
    const id = Number(created.location!.slice(2));
    await deliver();
    // The author acted, so the author is not told.
    expect(mailTo('alice')).toHaveLength(0);
    const bob = only('bob');
    expect(bob.mail.to).toMatchObject({ value: [{ address: 'bob@example.com' }] });
    expect(bob.mail.cc).toBeUndefined();
    expect(bob.mail.subject).toBe(`[Trellis] [Created] T${id}: Printer on fire`);
    const [first] = await anchors(id);
    expect(bob.mail.text).toContain(
      [
        'alice created this task.',
        'alice assigned this task to bob.',
        'alice triaged this task as High priority.',
        '',
        'TASK DESCRIPTION',
        '  Smoke from tray 2. @carol knows the printer.',
        '',
        'TASK DETAIL',
        `  http://localhost:3000/T${id}#${first}`,
      ].join('\n'),
    );
    expect(bob.mail.text).toContain('EMAIL PREFERENCES\n  http://localhost:3000/settings/mail/');
    expect(bob.mail.html).toContain(`<a href="http://localhost:3000/T${id}#${first}"`);
    expect(bob.mail.html).toContain('<a href="http://localhost:3000/settings/mail/">Email preferences</a>');
    expect(bob.mail.html).toContain('<a href="http://localhost:3000/p/carol/" class="user-ref">@carol</a>');
    expect(bob.mail.replyTo?.value[0]?.address).toBe(replyAddress(t.deps.secret, 'reply.example.com', { taskId: id, userId: users.bob.id }));
    const phid = (await t.db('tasks').where({ id }).first('phid')).phid as string;
    expect(bob.mail.messageId).toBe(`<trellis-task-${phid}@example.com>`);
    expect(bob.mail.headers.get('x-trellis-stamps')).toBe(
      `actor(@alice) author(@alice) monogram(T${id}) task-owner(@bob) task-priority(80) task-status(open) subscriber(@alice) subscriber(@bob) subscriber(@carol) mention(@carol) via(web)`,
    );
    expect(bob.mail.headers.get('auto-submitted')).toBe('auto-generated');

    const carol = only('carol');
    expect(carol.mail.cc).toMatchObject({ value: [{ address: 'carol@example.com' }] });
    expect(carol.mail.to).toBeUndefined();
    expect(carol.mail.replyTo?.value[0]?.address).toBe(replyAddress(t.deps.secret, 'reply.example.com', { taskId: id, userId: users.carol.id }));
    expect(await t.db('mail_messages').where({ task_id: id }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 2 }]);
  });

  test('three mails about one task thread together; the action word is the strongest change', async () => {
    // Sent one by one, so that they arrive in order.
    const id = await createTask(t.domain, users.alice, { title: 'Threaded', owner: users.bob.id });
    await deliver();
    await edit(t.domain, users.carol, id, { comment: 'Seen it too.', priority: 'low' });
    await deliver();
    await edit(t.domain, users.mia, id, { status: 'resolved' });
    await deliver();
    const bob = mailTo('bob');
    expect(bob.map((r) => r.mail.subject)).toEqual([`[Trellis] [Created] T${id}: Threaded`, `[Trellis] [Triaged] T${id}: Threaded`, `[Trellis] [Closed] T${id}: Threaded`]);
    const thread = bob[0]!.mail.messageId!;
    expect(thread).toMatch(/^<trellis-task-PHID-TASK-[a-z0-9]+@example\.com>$/);
    for (const later of bob.slice(1)) {
      expect(later.mail.inReplyTo).toBe(thread);
      expect(later.mail.references).toBe(thread);
      expect(later.mail.messageId).not.toBe(thread);
    }
    expect(new Set(bob.map((r) => r.mail.messageId)).size).toBe(3);
    expect(bob[1]!.mail.text).toMatch(/^carol triaged this task as Low priority\.\n\n {2}Seen it too\.\n/);
    expect(bob[2]!.mail.text).toMatch(/^mia closed this task as Resolved\.\n/);
  });

  test('commenting subscribes you, and so does being assigned; both hear about later changes', async () => {
    const id = await createTask(t.domain, users.alice, { title: 'Join in' });
    await edit(t.domain, users.dave, id, { comment: 'Me too.' });
    await edit(t.domain, users.alice, id, { owner: users.bob.id });
    expect(((await t.db('task_subscribers').where({ task_id: id }).pluck('user_id')) as number[]).sort()).toEqual(
      [users.alice.id, users.bob.id, users.dave.id].sort(),
    );
    // Stored as events, but said by the comment and the assignment themselves: no line of their own.
    expect(await t.db('task_events').where({ task_id: id, type: 'subscribers' }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 3 }]);
    expect(timelineLines(await (await loggedIn(t.app, 'alice')).get(`/T${id}`))).toEqual([
      'alice created this task.',
      'dave added a comment.',
      'alice assigned this task to bob.',
    ]);
    sink.received.length = 0;
    await t.db('mail_messages').where({ task_id: id }).del();
    await edit(t.domain, users.carol, id, { priority: 'high' });
    await deliver();
    expect(mailTo('bob').map((r) => [r.mail.to, r.mail.cc])).toEqual([[{ value: [{ address: 'bob@example.com', name: '' }], html: expect.any(String), text: 'bob@example.com' }, undefined]]);
    expect(mailTo('dave').map((r) => [r.mail.to, r.mail.cc])).toEqual([[undefined, { value: [{ address: 'dave@example.com', name: '' }], html: expect.any(String), text: 'dave@example.com' }]]);
    expect(mailTo('alice')).toHaveLength(1);
  });

  test('each recipient sees only what they may: a hidden task is plain text, a task they cannot see sends nothing', async () => {
    const secret = await createTask(t.domain, users.mia, { title: 'Secret plans', view: 'maintainers' });
    const id = await createTask(t.domain, users.alice, { title: 'Open work' });
    await edit(t.domain, users.alice, id, { subscribers: { add: ['mia', 'carol'] } });
    await deliver();
    sink.received.length = 0;
    await edit(t.domain, users.bob, id, { comment: `Blocked on T${secret} for now.` });
    await deliver();
    const carol = only('carol');
    expect(carol.mail.text).toContain(`Blocked on T${secret} for now.`);
    expect(carol.mail.html).not.toContain('Secret plans');
    expect(carol.mail.html).toContain(`Blocked on T${secret} for now.`);
    const mia = only('mia');
    expect(mia.mail.html).toContain(`T${secret}: Secret plans`);

    await edit(t.domain, users.mia, secret, { subscribers: { add: ['carol'] } });
    sink.received.length = 0;
    await edit(t.domain, users.mia, secret, { priority: 'low' });
    await deliver();
    expect(mailTo('carol')).toHaveLength(0);
  });

  test('disabled accounts, accounts without an address, no-op edits and self-subscribing send nothing', async () => {
    const id = await createTask(t.domain, users.alice, { title: 'Quiet' });
    await edit(t.domain, users.alice, id, { subscribers: { add: ['quiet', 'gone', 'carol'] } });
    await t.db('users').where({ id: users.gone.id }).update({ disabled_at: t.db.fn.now() });
    await deliver();
    sink.received.length = 0;
    const before = Number((await t.db('mail_messages').count<{ n: number }[]>({ n: '*' }))[0]!.n);
    await edit(t.domain, users.bob, id, { title: 'Quiet' });
    await edit(t.domain, users.bob, id, { subscribers: { add: ['bob'] } });
    expect(Number((await t.db('mail_messages').count<{ n: number }[]>({ n: '*' }))[0]!.n)).toBe(before);
    await edit(t.domain, users.bob, id, { comment: 'Anyone?' });
    await deliver();
    expect(sink.received.flatMap((r) => r.recipients).sort()).toEqual(['alice@example.com', 'carol@example.com']);
    await t.db('users').where({ id: users.gone.id }).update({ disabled_at: null });
  });

  test('your own actions mail you only when you ask for it', async () => {
    await t.db('mail_preferences').insert({ user_id: users.dave.id, self_actions: true });
    const id = await createTask(t.domain, users.dave, { title: 'Mine' });
    await deliver();
    expect(only('dave').mail.subject).toBe(`[Trellis] [Created] T${id}: Mine`);
  });

  test("closing a subtask mails the parent's owner and subscribers; a copy with nothing its reader may see is voided, not sent empty", async () => {
    const parent = await createTask(t.domain, users.alice, { title: 'Launch', owner: users.bob.id });
    const child = await createTask(t.domain, users.mia, { title: 'Write the notes' });
    const hidden = await createTask(t.domain, users.mia, { title: 'Sign the contract', view: 'maintainers' });
    await edit(t.domain, users.mia, parent, { subtasks: { add: [`T${child}`, `T${hidden}`] }, subscribers: { add: ['carol', 'mia'] } });
    await deliver();
    sink.received.length = 0;

    await edit(t.domain, users.mia, child, { status: 'resolved' });
    await deliver();
    const bob = mailTo('bob').filter((r) => r.mail.subject?.includes(`T${parent}:`));
    expect(bob.map((r) => r.mail.subject)).toEqual([`[Trellis] [Closed Subtask] T${parent}: Launch`]);
    expect(bob[0]!.mail.text).toMatch(new RegExp(`^mia closed T${child}: Write the notes, a subtask of T${parent}, as Resolved\\.\n`));
    expect(bob[0]!.mail.inReplyTo).toMatch(/^<trellis-task-PHID-TASK-/);
    expect(mailTo('carol').map((r) => r.mail.subject)).toEqual([`[Trellis] [Closed Subtask] T${parent}: Launch`]);

    // Someone who wants no mail about subtasks is left out.
    await t.db('mail_preferences').insert({ user_id: users.carol.id, ignored_tags: JSON.stringify(['subtasks']) });
    sink.received.length = 0;
    await edit(t.domain, users.mia, child, { status: 'open' });
    await deliver();
    expect(mailTo('bob').map((r) => r.mail.subject)).toEqual([`[Trellis] [Reopened Subtask] T${parent}: Launch`]);
    expect(mailTo('carol')).toHaveLength(0);

    // The parent is Bob's, but the subtask is one only maintainers see: his copy would say nothing, so it is voided with the reason.
    sink.received.length = 0;
    await edit(t.domain, users.mia, hidden, { status: 'resolved' });
    await deliver();
    expect(mailTo('bob')).toHaveLength(0);
    const voided = (await t.db('mail_messages').where({ task_id: parent, user_id: users.bob.id }).orderBy('id', 'desc').first('status', 'status_reason')) as Record<string, string>;
    expect(voided).toEqual({ status: 'void', status_reason: 'Nothing in it is visible to the recipient.' });
  });
  test('the watchers of a tagged project are mailed with the owner, each once', async () => {
    const alice = await loggedIn(t.app, 'alice');
    await alice.post('/project/edit/', { name: 'Printers', watchers: 'dave, bob' }, '/project/edit/');
    const created = await alice.post('/maniphest/task/edit/', { title: 'Tray 3 jams', owner: 'bob', projects: '#printers' }, '/maniphest/task/edit/');
    const id = Number(created.location!.slice(2));
    await deliver();
    expect(only('dave').mail.subject).toBe(`[Trellis] [Created] T${id}: Tray 3 jams`);
    expect(only('bob').mail.subject).toBe(`[Trellis] [Created] T${id}: Tray 3 jams`);
    expect(mailTo('carol')).toHaveLength(0);
  });
});
