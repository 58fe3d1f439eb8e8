import { useTestApp } from '../support/app';
import { PASSWORD, createUser } from '../support/factories';
import { Browser, fieldError, loggedIn, textOf, type Page } from '../support/http';
import { enrolMfa, nextCode } from '../support/mfa';

const linkOn = (page: Page) => textOf(page.dom.querySelector('.one-time-link')!);
const pathOf = (url: string) => new URL(url).pathname;
const logLines = async (b: Browser) => (await b.get('/people/log/')).dom.querySelectorAll('.audit-table tbody tr').map((r) => textOf(r.querySelectorAll('td')[1]!));

describe('administrators manage accounts', () => {
  const t = useTestApp();

  test('adding an account shows a one-time link (no mailer); the link lets the person choose a password, once', async () => {
    await createUser(t.db, { username: 'alice', role: 'admin' });
    const admin = await loggedIn(t.app, 'alice');

    const bad = await admin.post('/people/', { username: 'bad name!', realname: 'Kept', email: 'not-an-address', role: 'engineer' }, '/people/');
    expect(bad.status).toBe(422);
    expect(fieldError(bad, 'username', '#add-account-form')).toMatch(/^Use letters, digits/);
    expect(fieldError(bad, 'email', '#add-account-form')).toBe('Enter a valid email address.');
    expect(bad.dom.querySelector('#f-new-realname')!.getAttribute('value')).toBe('Kept');

    const added = await admin.post('/people/', { username: 'newbie', realname: 'New Person', email: 'newbie@example.com', role: 'maintainer' }, '/people/');
    expect(added.status).toBe(200);
    const link = linkOn(added);
    expect(link).toMatch(/^http:\/\/localhost:3000\/login\/once\/[A-Za-z0-9_-]{43}\/$/);
    const row = await t.db('users').where({ username: 'newbie' }).first();
    expect([row.role, row.realname, row.email]).toEqual(['maintainer', 'New Person', 'newbie@example.com']);
    expect((await t.db('login_links').where({ user_id: row.id }).first()).token_hash).not.toContain(pathOf(link).split('/')[3]);

    // No password works before the person chooses one.
    expect((await new Browser(t.app).post('/login', { username: 'newbie', password: '!' }, '/login')).status).toBe(401);

    const person = new Browser(t.app);
    const landing = await person.get(pathOf(link));
    expect(landing.status).toBe(200);
    expect(landing.text).toContain('logs you in as newbie');
    expect(await person.agent.get(pathOf(link)).then((r) => r.headers['referrer-policy'])).toBe('no-referrer');
    // Opening the link (as a mail scanner would) uses nothing up.
    const used = await person.post(pathOf(link), {}, pathOf(link));
    expect([used.status, used.location]).toEqual([303, '/auth/password/']);
    expect((await person.get('/maniphest/')).location).toBe('/auth/password/');
    const set = await person.post('/auth/password/', { password: 'my own passphrase', confirm: 'my own passphrase' }, '/auth/password/');
    expect([set.status, set.location]).toEqual([303, '/']);
    expect((await person.get('/maniphest/')).dom.querySelector('.account .me')!.textContent.trim()).toBe('newbie');

    const again = new Browser(t.app);
    expect((await again.get(pathOf(link))).status).toBe(404);
    expect((await again.post(pathOf(link), {}, '/login')).status).toBe(404);
    expect((await again.post('/login', { username: 'newbie', password: 'my own passphrase' }, '/login')).status).toBe(303);

    expect(await logLines(admin)).toEqual(['alice made a one-time login link for newbie.', 'alice created the account newbie (Maintainer).']);
  });

  test('using one link revokes every other; only administrators may make them', async () => {
    await createUser(t.db, { username: 'bob' });
    const admin = await loggedIn(t.app, 'alice');
    const first = linkOn(await admin.post('/people/bob/login-link', {}, '/people/'));
    const second = linkOn(await admin.post('/people/bob/login-link', {}, '/people/'));
    expect((await new Browser(t.app).get(pathOf(first))).status).toBe(200);
    const b = new Browser(t.app);
    expect((await b.post(pathOf(second), {}, pathOf(second))).status).toBe(303);
    expect((await new Browser(t.app).get(pathOf(first))).status).toBe(404);

    expect((await admin.post('/people/bob/disable', { disabled: 'true' }, '/people/')).status).toBe(303);
    expect((await admin.post('/people/bob/disable', { disabled: 'false' }, '/people/')).status).toBe(303);
    expect((await logLines(admin)).slice(0, 2)).toEqual(['alice enabled bob.', 'alice disabled bob.']);

    const bob = await loggedIn(t.app, 'bob');
    expect((await bob.post('/people/', { username: 'sneaky', role: 'admin' }, '/maniphest/')).status).toBe(403);
    expect((await bob.post('/people/alice/login-link', {}, '/maniphest/')).status).toBe(403);
    expect((await bob.get('/people/log/')).status).toBe(403);
    expect(await t.db('users').where({ username: 'sneaky' }).first()).toBeUndefined();
  });

  test('an administrator with MFA gives a fresh code before changing roles; resetting a lost factor is logged', async () => {
    const root = await createUser(t.db, { username: 'root', role: 'admin' });
    const carol = await createUser(t.db, { username: 'carol' });
    const admin = await loggedIn(t.app, 'root');
    const { secret } = await enrolMfa(admin, t.db, root.id);
    await enrolMfa(await loggedIn(t.app, 'carol'), t.db, carol.id);
    const carolElsewhere = new Browser(t.app);
    await carolElsewhere.post('/login', { username: 'carol', password: PASSWORD }, '/login');
    await t.db('sessions').where({ user_id: root.id }).update({ elevated_until: null });

    const page = await admin.get('/people/');
    expect(page.text).toContain('Enter a code first');
    const refused = await admin.post('/people/carol/role', { role: 'maintainer' }, '/people/');
    expect([refused.status, refused.location]).toEqual([303, '/auth/elevate/?next=%2Fpeople%2F']);
    expect((await t.db('users').where({ id: carol.id }).first()).role).toBe('engineer');
    expect((await admin.post('/people/carol/mfa-reset', {}, '/people/')).status).toBe(303);
    expect(await t.db('mfa_factors').where({ user_id: carol.id }).first()).toBeTruthy();

    await admin.post('/auth/elevate/', { code: await nextCode(t.db, root.id, secret), next: '/people/' }, '/auth/elevate/');
    expect((await admin.post('/people/carol/role', { role: 'maintainer' }, '/people/')).location).toBe('/people/');
    const carolRow = (await admin.get('/people/')).dom.querySelectorAll('.people-table tbody tr').find((r) => textOf(r).startsWith('carol'))!;
    expect(textOf(carolRow.querySelector('td.mfa')!)).toBe('On Reset MFA');
    expect((await admin.post('/people/carol/mfa-reset', {}, '/people/')).location).toBe('/people/');
    expect(await t.db('mfa_factors').where({ user_id: carol.id }).first()).toBeUndefined();
    expect(await t.db('mfa_recovery_codes').where({ user_id: carol.id })).toHaveLength(0);
    // Whoever held a session of carol's (perhaps the one who took her phone) is out.
    expect(await t.db('sessions').where({ user_id: carol.id })).toHaveLength(0);
    expect((await new Browser(t.app).post('/login', { username: 'carol', password: PASSWORD }, '/login')).location).toBe('/');

    const lines = await logLines(admin);
    expect(lines.slice(0, 2)).toEqual(['root removed the second factor of carol.', 'root changed the role of carol from Engineer to Maintainer.']);
  });

  test('a login link to an account with MFA asks for the code before the new password', async () => {
    const dave = await createUser(t.db, { username: 'dave' });
    const { secret } = await enrolMfa(await loggedIn(t.app, 'dave'), t.db, dave.id);
    const admin = await loggedIn(t.app, 'alice');
    const link = pathOf(linkOn(await admin.post('/people/dave/login-link', {}, '/people/')));
    const b = new Browser(t.app);
    expect((await b.post(link, {}, link)).location).toBe('/auth/finish/');
    expect((await b.get('/auth/password/')).location).toBe('/auth/finish/');
    expect((await b.post('/auth/finish/', { code: await nextCode(t.db, dave.id, secret) }, '/auth/finish/')).location).toBe('/auth/password/');
    expect((await b.post('/auth/password/', { password: 'daves new words', confirm: 'daves new words' }, '/auth/password/')).location).toBe('/');
  });
});
