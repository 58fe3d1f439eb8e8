import type { Express } from 'express';
import { createApp } from '../../server/app';
import type { JobRunner } from '../../server/jobs/runner';
import { DEFAULT_PREFERENCES } from '../../server/mail/preferences';
import { savePreferences } from '../../server/mail/preferences-repository';
import { useTestApp } from '../support/app';
import { PASSWORD, createTask, createUser } from '../support/factories';
import { Browser, loggedIn, textOf } from '../support/http';
import { mailRunner } from '../support/mail';
import { enrolMfa, nextCode, wrongCode } from '../support/mfa';
import { localMailer, smtpProvider, type Provider } from '../support/smtp';

const NEW_PASSWORD = 'the new passphrase';

/**
 * Through a real provider: the app queues the mail, a job runner sends it to
 * an in-process SMTP server, and the test reads the link out of what arrived.
 */
describe('password reset by mail, which a second factor protects', () => {
  const t = useTestApp({ trustProxy: true });
  let provider: Provider;
  let app: Express;
  let jobs: JobRunner;

  beforeAll(async () => {
    provider = await smtpProvider('accept');
    const mailers = [localMailer('local', provider.port, 10)];
    jobs = mailRunner(t, mailers);
    app = createApp({ ...t.deps, config: { ...t.deps.config, mail: { ...t.deps.config.mail, mailers } }, jobs });
  });
  afterAll(async () => {
    await jobs.stop();
    await provider.close();
  });
  beforeEach(() => {
    provider.received.length = 0;
  });

  /** A browser at its own client address, so the per-client limit of one test does not reach the next. */
  let nextAddress = 1;
  function browser(): Browser {
    const b = new Browser(app);
    b.agent.set('X-Forwarded-For', `203.0.113.${nextAddress++}`);
    return b;
  }

  async function askForReset(b: Browser, email: string) {
    const page = await b.post('/login/email/', { email }, '/login/email/');
    await jobs.kick();
    return page;
  }

  /** The one-time link in the newest mail to `to`, as a path. */
  function linkIn(to: string): string {
    const mail = [...provider.received].reverse().find((m) => m.recipients.includes(to));
    if (!mail) throw new Error(`No mail reached ${to}`);
    const url = /https?:\/\/\S+\/login\/once\/[A-Za-z0-9_-]+\//.exec(mail.mail.text ?? '')?.[0];
    if (!url) throw new Error(`No link in the mail to ${to}: ${mail.mail.text}`);
    return new URL(url).pathname;
  }

  test('the page answers alike for any address; a known one gets a one-hour link that sets a new password and ends every session', async () => {
    await createUser(t.db, { username: 'alice', email: 'alice@example.com', realname: 'Alice' });
    const aliceElsewhere = await loggedIn(app, 'alice');
    const login = await browser().get('/login');
    expect(login.dom.querySelector('a[href="/login/email/"]')!.textContent).toBe('Forgot your password?');

    const unknown = await askForReset(browser(), 'nobody@example.com');
    const known = await askForReset(browser(), 'Alice@Example.com');
    expect([unknown.status, known.status]).toEqual([200, 200]);
    expect(known.text.replace('Alice@Example.com', 'X')).toBe(unknown.text.replace('nobody@example.com', 'X'));
    expect(provider.received).toHaveLength(1);

    const { mail, recipients } = provider.received[0]!;
    expect(recipients).toEqual(['alice@example.com']);
    expect(mail.subject).toBe('[Trellis] Account Password Link');
    expect(mail.text).toContain('Follow this link within an hour to log in and choose a new password:');
    const link = linkIn('alice@example.com');
    expect(await t.db('mail_messages').where({ kind: 'password-reset' }).first('mandatory')).toEqual({ mandatory: true });

    const b = browser();
    expect((await b.get(link)).text).toContain('This one-time link logs you in as alice');
    expect((await b.post(link, {}, link)).location).toBe('/auth/password/');
    expect((await b.get('/maniphest/')).location).toBe('/auth/password/');
    expect((await b.post('/auth/password/', { password: NEW_PASSWORD, confirm: NEW_PASSWORD }, '/auth/password/')).location).toBe('/');
    expect((await b.get('/maniphest/')).dom.querySelector('.account .me')!.textContent.trim()).toBe('alice');
    expect((await aliceElsewhere.get('/settings/')).status).toBe(303);

    expect((await browser().post('/login', { username: 'alice', password: PASSWORD }, '/login')).status).toBe(401);
    expect((await browser().post('/login', { username: 'alice', password: NEW_PASSWORD }, '/login')).status).toBe(303);
    expect((await browser().get(link)).status).toBe(404);
  });

  test('using a link revokes every earlier one; a link older than an hour is refused; mail turned off does not stop it', async () => {
    const bob = await createUser(t.db, { username: 'bob', email: 'bob@example.com' });
    await savePreferences(t.db, bob.id, { ...DEFAULT_PREFERENCES, enabled: false });
    await askForReset(browser(), 'bob@example.com');
    const first = linkIn('bob@example.com');
    await askForReset(browser(), 'bob@example.com');
    const second = linkIn('bob@example.com');
    expect(second).not.toBe(first);
    expect((await browser().post(second, {}, second)).status).toBe(303);
    const gone = await browser().get(first);
    expect(gone.status).toBe(404);
    expect(gone.text).toContain('This link has expired, was used already, or was replaced by a newer one.');

    await askForReset(browser(), 'bob@example.com');
    const late = linkIn('bob@example.com');
    await t.db('login_links').whereNull('used_at').update({ expires_at: t.db.raw(`now() - interval '1 second'`) });
    expect((await browser().post(late, {}, '/login')).status).toBe(404);
  });

  test('an attacker holding only the reset mail gets nothing but the MFA prompt', async () => {
    const carol = await createUser(t.db, { username: 'carol', email: 'carol@example.com', role: 'admin' });
    await createTask(t.domain, carol, { title: 'Secret plans', view: 'users' });
    const { secret } = await enrolMfa(await loggedIn(app, 'carol'), t.db, carol.id);
    const rowsBefore = {
      user: await t.db('users').where({ id: carol.id }).first(),
      factor: await t.db('mfa_factors').where({ user_id: carol.id }).first('secret', 'confirmed_at'),
      tokens: await t.db('api_tokens').where({ user_id: carol.id }),
    };

    await askForReset(browser(), 'carol@example.com');
    const link = linkIn('carol@example.com');
    const attacker = browser();
    const landed = await attacker.post(link, {}, link);
    expect(landed.location).toBe('/auth/finish/');

    for (const path of ['/', '/maniphest/', '/T1', '/settings/', '/settings/mfa/', '/settings/mfa/qr.svg', '/settings/tokens/', '/auth/password/', '/auth/elevate/', '/people/', '/people/log/', '/p/carol/', '/conduit/', '/login', '/login/email/']) {
      const page = await attacker.get(path);
      expect({ path, status: page.status, location: page.location }).toEqual({ path, status: 303, location: '/auth/finish/' });
    }
    const prompt = await attacker.get('/auth/finish/');
    expect(prompt.status).toBe(200);
    expect(prompt.text).not.toContain('Secret plans');
    expect(prompt.dom.querySelector('.account .me')).toBeNull();

    // Forms posted with the partial session's own CSRF token change nothing.
    const csrf = await attacker.csrf('/auth/finish/');
    for (const [path, fields] of [
      ['/auth/password/', { password: 'attacker owns it', confirm: 'attacker owns it' }],
      ['/settings/mfa/remove', {}],
      ['/settings/tokens/', { name: 'backdoor' }],
      ['/settings/email', { email: 'attacker@example.net', current: 'x' }],
      ['/people/', { username: 'backdoor', role: 'admin' }],
      ['/people/carol/mfa-reset', {}],
      ['/maniphest/task/edit/', { title: 'Defaced' }],
    ] as const) {
      const res = await attacker.postRaw(path, { __csrf__: csrf, ...fields });
      expect({ path, status: res.status, location: res.location }).toEqual({ path, status: 303, location: '/auth/finish/' });
    }
    // Guessing codes locks the step after five.
    for (let i = 0; i < 5; i++) expect((await attacker.post('/auth/finish/', { code: wrongCode(secret) }, '/auth/finish/')).status).toBe(422);
    expect((await attacker.post('/auth/finish/', { code: '000000' }, '/auth/finish/')).status).toBe(429);

    expect(await t.db('users').where({ id: carol.id }).first()).toEqual(rowsBefore.user);
    expect(await t.db('mfa_factors').where({ user_id: carol.id }).first('secret', 'confirmed_at')).toEqual(rowsBefore.factor);
    expect(await t.db('api_tokens').where({ user_id: carol.id })).toEqual(rowsBefore.tokens);
    expect(await t.db('users').where({ username: 'backdoor' }).first()).toBeUndefined();
    expect(await t.db('tasks').where({ title: 'Defaced' }).first()).toBeUndefined();
    expect((await browser().post('/login', { username: 'carol', password: PASSWORD }, '/login')).location).toBe('/auth/finish/');

    // Carol herself, with her phone, gets through: the code, then a new password.
    await t.db('auth_attempts').where({ scope: 'mfa' }).del();
    await askForReset(browser(), 'carol@example.com');
    const hers = linkIn('carol@example.com');
    const c = browser();
    await c.post(hers, {}, hers);
    expect((await c.post('/auth/finish/', { code: await nextCode(t.db, carol.id, secret) }, '/auth/finish/')).location).toBe('/auth/password/');
    expect((await c.post('/auth/password/', { password: NEW_PASSWORD, confirm: NEW_PASSWORD }, '/auth/password/')).location).toBe('/');
    expect(textOf((await c.get('/maniphest/')).dom.querySelector('.account .me')!)).toBe('carol');
  });

  test('asking is limited per address and per client, with Retry-After', async () => {
    await createUser(t.db, { username: 'dave', email: 'dave@example.com' });
    for (let i = 0; i < 5; i++) expect((await askForReset(browser(), 'dave@example.com')).status).toBe(200);
    const limited = browser();
    const token = await limited.csrf('/login/email/');
    const res = await limited.agent.post('/login/email/').type('form').send({ __csrf__: token, email: 'DAVE@example.com' });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(59 * 60);
    expect(res.text).toContain('Too many login links were asked for. Try again in 60 minutes.');
    expect(provider.received).toHaveLength(5);

    const one = browser();
    for (let i = 0; i < 10; i++) expect((await askForReset(one, `someone${i}@example.com`)).status).toBe(200);
    expect((await askForReset(one, 'erin@example.com')).status).toBe(429);
    expect((await askForReset(browser(), 'erin@example.com')).status).toBe(200);
  });

  test('a new address is used only once the link mailed to it is followed', async () => {
    await createUser(t.db, { username: 'fay', email: 'fay@old.example' });
    const b = await loggedIn(app, 'fay');
    const refused = await b.post('/settings/email', { email: 'fay@new.example', current: 'wrong' }, '/settings/');
    expect(refused.status).toBe(422);
    expect(refused.dom.querySelector('#f-email')!.getAttribute('value')).toBe('fay@new.example');

    const asked = await b.post('/settings/email', { email: 'fay@new.example', current: PASSWORD }, '/settings/');
    expect(asked.status).toBe(200);
    expect(asked.text).toContain('A link is on its way to fay@new.example.');
    expect(asked.text).toContain('Waiting for verification: fay@new.example');
    await jobs.kick();
    const mail = provider.received.find((m) => m.recipients.includes('fay@new.example'))!;
    expect(mail.mail.subject).toBe('[Trellis] Verify Your Email Address');
    const link = new URL(/https?:\/\/\S+\/settings\/email\/verify\/[A-Za-z0-9_-]+\//.exec(mail.mail.text!)![0]).pathname;

    // Until then, resets still go to the old address.
    expect((await t.db('users').where({ username: 'fay' }).first()).email).toBe('fay@old.example');
    await askForReset(browser(), 'fay@new.example');
    expect(provider.received.filter((m) => m.mail.subject === '[Trellis] Account Password Link')).toHaveLength(0);

    const stranger = browser();
    expect((await stranger.get(link)).text).toContain('Use fay@new.example as the address of the account fay?');
    const done = await stranger.post(link, {}, link);
    expect(done.status).toBe(200);
    expect(done.text).toContain('fay@new.example is now the address of fay');
    expect((await t.db('users').where({ username: 'fay' }).first()).email).toBe('fay@new.example');
    expect((await browser().post(link, {}, '/login')).status).toBe(404);
    await askForReset(browser(), 'fay@new.example');
    expect(provider.received.filter((m) => m.recipients.includes('fay@new.example') && m.mail.subject === '[Trellis] Account Password Link')).toHaveLength(1);
  });

  test('an administrator adding an account with an address mails the link instead of showing it', async () => {
    await createUser(t.db, { username: 'root', role: 'admin', realname: 'Root Admin' });
    const admin = await loggedIn(app, 'root');
    const page = await admin.post('/people/', { username: 'gil', email: 'gil@example.com', role: 'engineer' }, '/people/');
    expect(page.status).toBe(200);
    expect(page.dom.querySelector('.one-time-link')).toBeNull();
    expect(page.text).toContain('A one-time link to choose a password was mailed to gil.');
    await jobs.kick();
    const mail = provider.received.find((m) => m.recipients.includes('gil@example.com'))!;
    expect(mail.mail.subject).toBe('[Trellis] Welcome to Trellis');
    expect(mail.mail.text).toContain('Root Admin made you a Trellis account with the username "gil".');
    const link = linkIn('gil@example.com');
    const gil = browser();
    expect((await gil.post(link, {}, link)).location).toBe('/auth/password/');
    expect((await gil.post('/auth/password/', { password: NEW_PASSWORD, confirm: NEW_PASSWORD }, '/auth/password/')).location).toBe('/');

    // Without an address, the link is shown even with a mailer.
    const shown = await admin.post('/people/', { username: 'hank', role: 'reader' }, '/people/');
    expect(shown.dom.querySelector('.one-time-link')).not.toBeNull();
  });
});
