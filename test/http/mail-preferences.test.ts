import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { Browser, fieldError, formValues, loggedIn, type Page } from '../support/http';
import { mailRunner, makeDue } from '../support/mail';
import { localMailer, smtpProvider, type Provider, type Received } from '../support/smtp';

describe('mail preferences, muting and digests', () => {
  const t = useTestApp();
  let sink: Provider;
  const users = {} as Record<'alice' | 'bob' | 'carol' | 'dave', User>;

  beforeAll(async () => {
    sink = await smtpProvider('accept');
    for (const name of ['alice', 'bob', 'carol', 'dave'] as const) {
      users[name] = await createUser(t.db, { username: name, email: `${name}@example.com`, role: name === 'bob' ? 'maintainer' : 'engineer' });
    }
  });
  afterAll(() => sink.close());
  beforeEach(() => {
    sink.received.length = 0;
  });

  const deliver = () => mailRunner(t, [localMailer('sink', sink.port)]).kick();
  const mailTo = (name: string): Received[] => sink.received.filter((r) => r.recipients.includes(`${name}@example.com`));
  /** A task alice files, bob owns and carol and dave follow; its creation mail is already out. */
  const followedTask = async (title: string) => {
    const id = await createTask(t.domain, users.alice, { title, owner: users.bob.id, priority: 'normal' });
    await edit(t.domain, users.alice, id, { subscribers: { add: ['carol', 'dave'] } });
    await deliver();
    sink.received.length = 0;
    return id;
  };
  /** The form as the browser would send it: the text field and the checked radio buttons, then the person's changes. */
  const current = (page: Page) => {
    const values: Record<string, string> = { digestMinutes: formValues(page, 'form.mail-preferences').digestMinutes! };
    for (const radio of page.dom.querySelectorAll('form.mail-preferences input[type="radio"][checked]')) values[radio.getAttribute('name')!] = radio.getAttribute('value')!;
    return values;
  };
  const save = async (browser: Browser, fields: Record<string, string>) => {
    const page = await browser.get('/settings/mail/');
    return browser.post('/settings/mail/', { ...current(page), ...fields }, '/settings/mail/');
  };

  test('the settings page saves each choice, and refuses a bad digest interval keeping what was typed', async () => {
    expect((await new Browser(t.app).get('/settings/mail/')).location).toBe('/login?next=%2Fsettings%2Fmail%2F');
    const dave = await loggedIn(t.app, 'dave');
    const blank = await dave.get('/settings/mail/');
    expect(formValues(blank, 'form.mail-preferences')).toMatchObject({ digestMinutes: '' });
    expect(blank.dom.querySelector('input[name="enabled"][value="on"]')!.hasAttribute('checked')).toBe(true);
    expect(blank.dom.querySelector('input[name="selfActions"][value="skip"]')!.hasAttribute('checked')).toBe(true);

    const saved = await save(dave, { enabled: 'on', selfActions: 'send', digestMinutes: '15', tag_priority: 'ignore', tag_subscribers: 'ignore' });
    expect([saved.status, saved.location]).toEqual([303, '/settings/mail/?saved=1']);
    expect(await t.db('mail_preferences').where({ user_id: users.dave.id }).first('enabled', 'self_actions', 'digest_minutes', 'ignored_tags')).toEqual({
      enabled: true,
      self_actions: true,
      digest_minutes: 15,
      ignored_tags: ['priority', 'subscribers'],
    });
    const shown = await dave.get('/settings/mail/?saved=1');
    expect(shown.text).toContain('Your email preferences were saved.');
    expect(shown.dom.querySelector('input[name="tag_priority"][value="ignore"]')!.hasAttribute('checked')).toBe(true);
    expect(shown.dom.querySelector('input[name="tag_status"][value="email"]')!.hasAttribute('checked')).toBe(true);

    const refused = await save(dave, { digestMinutes: 'soon', selfActions: 'skip' });
    expect(refused.status).toBe(422);
    expect(fieldError(refused, 'digestMinutes', 'form.mail-preferences')).toBe('Give a number of minutes from 1 to 1440, or leave it empty.');
    expect(formValues(refused, 'form.mail-preferences')).toMatchObject({ digestMinutes: 'soon' });
    expect(refused.dom.querySelector('input[name="selfActions"][value="skip"]')!.hasAttribute('checked')).toBe(true);
    expect((await t.db('mail_preferences').where({ user_id: users.dave.id }).first('digest_minutes')).digest_minutes).toBe(15);
    expect((await save(dave, { digestMinutes: '1441' })).status).toBe(422);
    expect((await dave.postRaw('/settings/mail/', { enabled: 'off' })).status).toBe(403);
    await t.db('mail_preferences').where({ user_id: users.dave.id }).del();
  });

  test('mail off means none; a kind set to Ignore is skipped unless the change also touches one set to Email', async () => {
    const id = await followedTask('Preferences');
    await save(await loggedIn(t.app, 'carol'), { enabled: 'off' });
    await save(await loggedIn(t.app, 'dave'), { tag_priority: 'ignore' });
    await edit(t.domain, users.bob, id, { priority: 'high' });
    await deliver();
    expect(mailTo('carol')).toHaveLength(0);
    expect(mailTo('dave')).toHaveLength(0);
    expect(mailTo('alice')).toHaveLength(1);
    await edit(t.domain, users.bob, id, { priority: 'low', comment: 'Not so urgent after all.' });
    await deliver();
    expect(mailTo('dave').map((r) => r.mail.subject)).toEqual([`[Trellis] [Lowered Priority] T${id}: Preferences`]);
    expect(mailTo('carol')).toHaveLength(0);
    await t.db('mail_preferences').del();
  });

  test('Mute Notifications on the task page stops its mail, shown as voided with the reason; unmuting starts it again', async () => {
    const id = await followedTask('Noisy');
    const carol = await loggedIn(t.app, 'carol');
    const page = await carol.get(`/T${id}`);
    expect(page.dom.querySelector(`form[action="/T${id}/mute"] button`)!.textContent).toBe('Mute Notifications');
    const muted = await carol.post(`/T${id}/mute`, { action: 'mute' }, `/T${id}`);
    expect([muted.status, muted.location]).toEqual([303, `/T${id}`]);
    expect((await carol.get(`/T${id}`)).dom.querySelector(`form[action="/T${id}/mute"] button`)!.textContent).toBe('Unmute Notifications');

    await edit(t.domain, users.bob, id, { comment: 'Still broken.' });
    await deliver();
    expect(mailTo('carol')).toHaveLength(0);
    expect(mailTo('dave')).toHaveLength(1);
    const voided = await t.db('mail_messages').where({ task_id: id, user_id: users.carol.id }).orderBy('id', 'desc').first('status', 'status_reason', 'subject');
    expect(voided).toEqual({ status: 'void', status_reason: 'Recipient muted this task.', subject: `[Trellis] [Commented On] T${id}: Noisy` });

    // A muted copy that can no longer be rendered (the task was hidden from Carol meanwhile) keeps its reason, and is done with.
    await edit(t.domain, users.bob, id, { comment: 'One more.' });
    await t.db('tasks').where({ id }).update({ view_policy: 'maintainers' });
    await deliver();
    await t.db('tasks').where({ id }).update({ view_policy: 'users' });
    const sealed = await t.db('mail_messages').where({ task_id: id, user_id: users.carol.id }).orderBy('id', 'desc').first('status', 'status_reason', 'rendered');
    expect(sealed).toEqual({ status: 'void', status_reason: 'Recipient muted this task.', rendered: true });

    await carol.post(`/T${id}/mute`, { action: 'unmute' }, `/T${id}`);
    await edit(t.domain, users.bob, id, { comment: 'Fixed now.' });
    await deliver();
    expect(mailTo('carol')).toHaveLength(1);

    const hidden = await createTask(t.domain, users.bob, { title: 'Maintainers only', view: 'maintainers' });
    expect((await carol.post(`/T${hidden}/mute`, { action: 'mute' }, `/T${id}`)).status).toBe(404);
    expect((await carol.post(`/T${id}/mute`, { action: 'shout' }, `/T${id}`)).status).toBe(422);
    expect((await new Browser(t.app).postRaw(`/T${id}/mute`, { action: 'mute' })).status).toBe(403);
  });

  test('a digest turns a burst of changes into one mail listing them in order, then starts afresh', async () => {
    const id = await followedTask('Busy');
    await save(await loggedIn(t.app, 'carol'), { digestMinutes: '10' });
    await edit(t.domain, users.bob, id, { comment: 'Looking.' });
    await edit(t.domain, users.alice, id, { priority: 'high' });
    await edit(t.domain, users.bob, id, { status: 'resolved', comment: 'Done.' });
    await deliver();
    // The others got a mail per change; carol's digest waits for its ten minutes.
    expect(mailTo('dave')).toHaveLength(3);
    expect(mailTo('carol')).toHaveLength(0);
    const digests = await t.db('mail_messages').where({ task_id: id, user_id: users.carol.id, kind: 'digest' }).select('id', 'status');
    expect(digests).toEqual([{ id: expect.any(Number), status: 'queued' }]);
    const wait = await t.db('jobs').whereRaw(`payload ->> 'messageId' = ?`, [String(digests[0].id)]).first(t.db.raw('extract(epoch FROM run_at - created_at) AS s'));
    expect(Number(wait.s)).toBeCloseTo(600, -1);

    await makeDue(t, [digests[0].id]);
    await deliver();
    const [digest] = mailTo('carol');
    expect(mailTo('carol')).toHaveLength(1);
    expect(digest!.mail.subject).toBe(`[Trellis] [Closed] T${id}: Busy`);
    expect(digest!.mail.text).toMatch(
      /^bob added a comment\.\n\n {2}Looking\.\n\nalice raised the priority of this task from Normal to High\.\n\nbob closed this task as Resolved\.\n\n {2}Done\.\n\nTASK DETAIL/,
    );

    await edit(t.domain, users.alice, id, { comment: 'Thanks!' });
    expect(await t.db('mail_messages').where({ task_id: id, user_id: users.carol.id, kind: 'digest' }).orderBy('id').pluck('status')).toEqual(['sent', 'queued']);
    await t.db('mail_preferences').del();
  });
});
