import { useTestApp } from '../support/app';
import { PASSWORD, createUser } from '../support/factories';
import { Browser, fieldError, loggedIn, textOf } from '../support/http';
import { enrolMfa, nextCode, wrongCode } from '../support/mfa';

const NEW_PASSWORD = 'a brand new passphrase';

describe('/settings/', () => {
  const t = useTestApp({ trustProxy: true });

  test('shows the account and saves the real name; visitors are sent to log in', async () => {
    await createUser(t.db, { username: 'alice', realname: 'Alice', email: 'alice@example.com' });
    const b = await loggedIn(t.app, 'alice');
    const page = await b.get('/settings/');
    expect(page.status).toBe(200);
    expect(textOf(page.dom.querySelector('.current-email')!)).toBe('alice@example.com');
    expect(page.dom.querySelector('#f-realname')!.getAttribute('value')).toBe('Alice');

    const saved = await b.post('/settings/realname', { realname: '  Alice Moreau ' }, '/settings/');
    expect([saved.status, saved.location]).toEqual([303, '/settings/']);
    expect((await t.db('users').where({ username: 'alice' }).first()).realname).toBe('Alice Moreau');

    const tooLong = await b.post('/settings/realname', { realname: 'x'.repeat(256) }, '/settings/');
    expect(tooLong.status).toBe(422);
    expect(fieldError(tooLong, 'realname', '#realname-form')).toBe('Real names are at most 255 characters.');
    expect(tooLong.dom.querySelector('#f-realname')!.getAttribute('value')).toBe('x'.repeat(256));

    const visitor = await new Browser(t.app).get('/settings/');
    expect([visitor.status, visitor.location]).toEqual([303, '/login?next=%2Fsettings%2F']);
  });

  test('lists the sessions with browser, address and times; ends one, or all others', async () => {
    await createUser(t.db, { username: 'bob' });
    const browsers: Browser[] = [];
    for (const [address, agent] of [
      ['198.51.100.1', 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0'],
      ['198.51.100.2', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1'],
      ['198.51.100.3', 'curl/8.5.0'],
    ]) {
      const b = new Browser(t.app);
      b.agent.set('X-Forwarded-For', address!).set('User-Agent', agent!);
      await b.login('bob');
      browsers.push(b);
    }
    const [laptop, phone, script] = browsers as [Browser, Browser, Browser];
    const page = await laptop.get('/settings/');
    const rows = page.dom.querySelectorAll('.sessions-table tbody tr').map((r) => r.querySelectorAll('td').map((c) => textOf(c)));
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => [r[0], r[1]]).sort()).toEqual([
      ['Firefox on Linux This session', '198.51.100.1'],
      ['Safari on iOS', '198.51.100.2'],
      ['curl', '198.51.100.3'],
    ]);
    // The stored session ids (hashes of the cookies) are never on the page.
    for (const s of await t.db('sessions')) expect(page.html).not.toContain(s.id);

    const phoneRow = page.dom.querySelectorAll('.sessions-table tbody tr').find((r) => textOf(r).includes('Safari on iOS'))!;
    const endUrl = phoneRow.querySelector('form')!.getAttribute('action')!;
    expect((await laptop.post(endUrl, {}, '/settings/')).status).toBe(303);
    expect((await phone.get('/settings/')).status).toBe(303);
    expect((await script.get('/settings/')).status).toBe(200);
    // Someone else's session number is like one that does not exist.
    const carol = await createUser(t.db, { username: 'carol' });
    const other = await loggedIn(t.app, 'carol');
    const carolRef = (await t.db('sessions').where({ user_id: carol.id }).first()).ref;
    expect((await laptop.post(`/settings/sessions/${carolRef}/end`, {}, '/settings/')).status).toBe(404);
    expect((await other.get('/settings/')).status).toBe(200);

    expect((await laptop.post('/settings/sessions/end-others', {}, '/settings/')).status).toBe(303);
    expect((await script.get('/settings/')).status).toBe(303);
    expect((await laptop.get('/settings/')).status).toBe(200);
  });

  test('changing the password needs the current one and ends every other session', async () => {
    await createUser(t.db, { username: 'dave' });
    const b = await loggedIn(t.app, 'dave');
    const elsewhere = await loggedIn(t.app, 'dave');

    const wrong = await b.post('/settings/password', { current: 'not it', password: NEW_PASSWORD, confirm: NEW_PASSWORD }, '/settings/');
    expect(wrong.status).toBe(422);
    expect(fieldError(wrong, 'current', '#password-form')).toBe('That is not your current password.');
    const differ = await b.post('/settings/password', { current: PASSWORD, password: NEW_PASSWORD, confirm: 'something else' }, '/settings/');
    expect(fieldError(differ, 'confirm', '#password-form')).toBe('The two passwords differ.');
    const short = await b.post('/settings/password', { current: PASSWORD, password: 'short', confirm: 'short' }, '/settings/');
    expect(fieldError(short, 'password', '#password-form')).toBe('Passwords are at least 8 characters.');

    const done = await b.post('/settings/password', { current: PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD }, '/settings/');
    expect([done.status, done.location]).toEqual([303, '/settings/?notice=password']);
    expect((await b.get('/settings/?notice=password')).text).toContain('Your password is changed. Every other session has ended.');
    expect((await elsewhere.get('/settings/')).status).toBe(303);

    const old = new Browser(t.app);
    expect((await old.post('/login', { username: 'dave', password: PASSWORD }, '/login')).status).toBe(401);
    expect((await old.post('/login', { username: 'dave', password: NEW_PASSWORD }, '/login')).status).toBe(303);
  });

  test('with MFA, a password change also needs a fresh code, asked for beside the code field', async () => {
    const erin = await createUser(t.db, { username: 'erin' });
    const b = await loggedIn(t.app, 'erin');
    const { secret } = await enrolMfa(b, t.db, erin.id);
    await t.db('sessions').where({ user_id: erin.id }).update({ elevated_until: null });

    const page = await b.get('/settings/');
    expect(page.dom.querySelector('#password-form input[name="mfa_code"]')).not.toBeNull();
    const fields = { current: PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD };
    const missing = await b.post('/settings/password', fields, '/settings/');
    expect(missing.status).toBe(422);
    expect(fieldError(missing, 'mfa_code', '#password-form')).toBe('This is a sensitive action: enter a code from your authenticator app.');
    const wrong = await b.post('/settings/password', { ...fields, mfa_code: wrongCode(secret) }, '/settings/');
    expect(fieldError(wrong, 'mfa_code', '#password-form')).toMatch(/^That code is not right\./);
    expect((await new Browser(t.app).post('/login', { username: 'erin', password: NEW_PASSWORD }, '/login')).status).toBe(401);

    // Changing the address asks for the code too.
    const email = await b.post('/settings/email', { email: 'erin@new.example', current: PASSWORD }, '/settings/');
    expect(email.status).toBe(422);
    expect(fieldError(email, 'mfa_code', '#email-form')).toBe('This is a sensitive action: enter a code from your authenticator app.');
    expect(email.dom.querySelector('#f-email')!.getAttribute('value')).toBe('erin@new.example');
    expect(await t.db('login_links').where({ user_id: erin.id })).toHaveLength(0);

    const done = await b.post('/settings/password', { ...fields, mfa_code: await nextCode(t.db, erin.id, secret) }, '/settings/');
    expect(done.status).toBe(303);
    expect((await new Browser(t.app).post('/login', { username: 'erin', password: NEW_PASSWORD }, '/login')).location).toBe('/auth/finish/');
  });
});
