import crypto from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../server/app';
import type { AppError } from '../../server/errors';
import { changeRole, setAccountDisabled } from '../../server/users/accounts';
import { useTestApp, type TestApp } from '../support/app';
import { PASSWORD, createUser } from '../support/factories';
import { Browser, loggedIn, textOf, type Page } from '../support/http';

const NO_MATCH = 'That username and password do not match an active account.';

const fieldErrors = (page: Page) => page.dom.querySelectorAll('.field-error').map((e) => textOf(e));
const inputValue = (page: Page, name: string) => page.dom.querySelector(`input[name="${name}"]`)?.getAttribute('value');
/** The account name in the top bar, or null for a visitor. */
const signedInAs = (page: Page) => page.dom.querySelector('.account .me')?.textContent.trim() ?? null;

async function userCount(t: TestApp): Promise<number> {
  const [{ n }] = await t.db('users').count<{ n: number }[]>({ n: '*' });
  return Number(n);
}

async function sessionCount(t: TestApp, username: string): Promise<number> {
  const [{ n }] = await t.db('sessions as s').join('users as u', 'u.id', 's.user_id').where('u.username', username).count<{ n: number }[]>({ n: '*' });
  return Number(n);
}

function setCookie(res: request.Response, name: string): string | undefined {
  const all = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  return all.find((c) => c.startsWith(`${name}=`));
}

/** A cookie's attributes without their values (Path, HttpOnly, …), for checking flags. */
function flags(cookie: string): string[] {
  return cookie
    .split('; ')
    .slice(1)
    .map((a) => a.split('=')[0]);
}

/**
 * Logs in with plain requests, so the test sees the raw Set-Cookie headers and
 * can send headers a proxy would add. Returns the session cookie as set.
 */
async function logInRaw(app: Express, username: string, headers: Record<string, string> = {}) {
  const form = await request(app).get('/login').set(headers);
  const anon = setCookie(form, 'trellis_anon')!;
  const token = /name="__csrf__" value="([^"]+)"/.exec(form.text)![1];
  const res = await request(app)
    .post('/login')
    .set(headers)
    .set('Cookie', anon.split(';')[0])
    .type('form')
    .send({ __csrf__: token, username, password: PASSWORD });
  expect(res.status).toBe(303);
  const cookie = setCookie(res, 'trellis_session')!;
  return { anon, cookie, pair: cookie.split(';')[0], token: cookie.split(';')[0].split('=')[1] };
}

describe('first-run setup', () => {
  const t = useTestApp();
  const setupFields = { username: 'alice', realname: 'Alice Moreau', email: 'alice@example.com', password: 'a long passphrase', confirm: 'a long passphrase' };

  test('while no account exists, every page leads to the setup form', async () => {
    const b = new Browser(t.app);
    for (const path of ['/', '/maniphest/', '/T1', '/login', '/people/', '/p/alice/', '/maniphest/task/edit/', '/no/such/page']) {
      const page = await b.get(path);
      expect({ path, status: page.status, location: page.location }).toEqual({ path, status: 303, location: '/setup' });
    }
    const post = await b.postRaw('/login', { username: 'alice', password: 'whatever' });
    expect([post.status, post.location]).toEqual([303, '/setup']);

    const setup = await b.get('/setup');
    expect(setup.status).toBe(200);
    expect(textOf(setup.dom.querySelector('h1')!)).toBe('Welcome to Trellis');
    expect(setup.text).toContain('Create the first account. It will be an administrator, who can then add everyone else.');
  });

  test('a refused setup form shows the problem and keeps what was typed, creating nothing', async () => {
    const b = new Browser(t.app);
    const cases: [Record<string, string>, string][] = [
      [{ password: 'short', confirm: 'short' }, 'Passwords are at least 8 characters.'],
      [{ confirm: 'another passphrase' }, 'The two passwords differ.'],
      [{ username: 'al ice' }, 'Use letters, digits, ".", "_" and "-", starting with a letter or digit.'],
      [{ email: 'not-an-address' }, 'Enter a valid email address.'],
    ];
    for (const [change, message] of cases) {
      const input = { ...setupFields, ...change };
      const page = await b.post('/setup', input, '/setup');
      expect(page.status).toBe(422);
      expect(fieldErrors(page)).toEqual([message]);
      expect(inputValue(page, 'username')).toBe(input.username);
      expect(inputValue(page, 'realname')).toBe(input.realname);
      expect(inputValue(page, 'email')).toBe(input.email);
      expect(inputValue(page, 'password')).toBeUndefined();
    }
    expect(await userCount(t)).toBe(0);
  });

  test('the setup form creates the first administrator and logs them in', async () => {
    const b = new Browser(t.app);
    const done = await b.post('/setup', setupFields, '/setup');
    expect([done.status, done.location]).toEqual([303, '/']);

    const rows = await t.db('users').select('username', 'realname', 'email', 'role', 'password_hash', 'disabled_at');
    expect(rows).toEqual([{ username: 'alice', realname: 'Alice Moreau', email: 'alice@example.com', role: 'admin', password_hash: expect.stringMatching(/^\$argon2id\$/), disabled_at: null }]);
    expect(await sessionCount(t, 'alice')).toBe(1);

    const page = await b.get('/maniphest/');
    expect(page.status).toBe(200);
    expect(signedInAs(page)).toBe('alice');
    expect(page.dom.querySelector('.topnav a[href="/people/"]')).not.toBeNull();
  });

  test('setup happens once: afterwards the form is gone and a replayed POST creates nothing', async () => {
    const other = new Browser(t.app);
    const form = await other.get('/setup');
    expect([form.status, form.location]).toEqual([303, '/login']);

    const again = await other.post('/setup', { ...setupFields, username: 'mallory' }, '/login');
    expect([again.status, again.location]).toEqual([303, '/login']);
    expect(await t.db('users').pluck('username')).toEqual(['alice']);
    expect((await other.post('/login', { username: 'mallory', password: setupFields.password }, '/login')).status).toBe(401);
  });
});

describe('logging in and out', () => {
  const t = useTestApp();
  beforeAll(async () => {
    await createUser(t.db, { username: 'alice' });
  });

  test('a wrong password and an unknown user get the same answer, with the username kept', async () => {
    const answers = [];
    for (const [username, password] of [
      ['alice', 'not the password'],
      ['nobody', PASSWORD],
    ]) {
      const b = new Browser(t.app);
      const page = await b.post('/login', { username, password }, '/login');
      expect(page.status).toBe(401);
      expect(inputValue(page, 'username')).toBe(username);
      expect(inputValue(page, 'password')).toBeUndefined();
      expect(signedInAs(await b.get('/maniphest/'))).toBeNull();
      answers.push(fieldErrors(page));
    }
    expect(answers).toEqual([[NO_MATCH], [NO_MATCH]]);
    expect(await t.db('sessions').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
  });

  test('an empty username is refused beside the form, not with a crash', async () => {
    const page = await new Browser(t.app).post('/login', { username: '  ', password: 'x' }, '/login');
    expect(page.status).toBe(422);
    expect(fieldErrors(page)).toEqual(['Enter your username.']);
  });

  test('logging in starts a session; logging out with the form ends it', async () => {
    const b = new Browser(t.app);
    const login = await b.login('alice');
    expect(login.location).toBe('/');
    expect(await sessionCount(t, 'alice')).toBe(1);
    expect(signedInAs(await b.get('/maniphest/'))).toBe('alice');

    const forged = await b.postRaw('/logout', {});
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('This form has expired or did not come from this site.');
    expect(await sessionCount(t, 'alice')).toBe(1);

    const logout = await b.post('/logout', {}, '/maniphest/');
    expect([logout.status, logout.location]).toEqual([303, '/']);
    expect(await sessionCount(t, 'alice')).toBe(0);
    const after = await b.get('/maniphest/');
    expect(signedInAs(after)).toBeNull();
    expect(textOf(after.dom.querySelector('.account')!)).toBe('Log In');
  });

  test('a session cookie kept after logging out no longer works', async () => {
    const { pair } = await logInRaw(t.app, 'alice');
    const page = (cookie: string) => request(t.app).get('/maniphest/').set('Cookie', cookie);
    const before = await page(pair);
    expect(before.text).toContain('class="me"');
    const token = /name="__csrf__" value="([^"]+)"/.exec(before.text)![1];
    expect((await request(t.app).post('/logout').set('Cookie', pair).type('form').send({ __csrf__: token })).status).toBe(303);

    const after = await page(pair);
    expect(after.status).toBe(200);
    expect(after.text).not.toContain('class="me"');
    // The dead cookie is cleared rather than sent again on every request.
    expect(setCookie(after, 'trellis_session')).toMatch(/^trellis_session=;/);
  });

  test('logging in sweeps expired sessions away', async () => {
    const alice = (await t.db('users').where({ username: 'alice' }).first('id')) as { id: number };
    await t.db('sessions').insert({ id: 'e'.repeat(64), user_id: alice.id, expires_at: new Date(Date.now() - 1000) });
    await new Browser(t.app).login('alice');
    expect(await t.db('sessions').where({ id: 'e'.repeat(64) }).first()).toBeUndefined();
  });
});

describe('the session cookie', () => {
  const t = useTestApp();
  beforeAll(async () => {
    await createUser(t.db, { username: 'alice' });
  });

  test('is HttpOnly and SameSite=Lax, and not Secure over plain http', async () => {
    const { anon, cookie } = await logInRaw(t.app, 'alice');
    expect(flags(cookie).sort()).toEqual(['Expires', 'HttpOnly', 'Max-Age', 'Path', 'SameSite']);
    expect(cookie).toContain('; Path=/;');
    expect(cookie).toContain('; SameSite=Lax');
    expect(flags(anon).sort()).toEqual(['HttpOnly', 'Path', 'SameSite']);
  });

  test("a visitor's anonymous cookie comes with the first form, not with answers that have none", async () => {
    for (const path of ['/healthz', '/', '/static/css/trellis.css']) {
      const res = await request(t.app).get(path);
      expect({ path, cookies: res.headers['set-cookie'] }).toEqual({ path, cookies: undefined });
    }
    const form = await request(t.app).get('/login');
    expect(setCookie(form, 'trellis_anon')).toBeDefined();
    const again = await request(t.app).get('/login').set('Cookie', setCookie(form, 'trellis_anon')!.split(';')[0]);
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  test('ignores X-Forwarded-Proto unless the app is told to trust its proxy', async () => {
    const { cookie } = await logInRaw(t.app, 'alice', { 'X-Forwarded-Proto': 'https' });
    expect(flags(cookie)).not.toContain('Secure');
  });

  test('is Secure when the request came over https through a trusted proxy', async () => {
    const behindProxy = createApp({ ...t.deps, config: { ...t.deps.config, trustProxy: true } });
    const { anon, cookie } = await logInRaw(behindProxy, 'alice', { 'X-Forwarded-Proto': 'https' });
    expect(flags(cookie).sort()).toEqual(['Expires', 'HttpOnly', 'Max-Age', 'Path', 'SameSite', 'Secure']);
    expect(flags(anon).sort()).toEqual(['HttpOnly', 'Path', 'SameSite', 'Secure']);
  });
});

describe('sessions live in the database', () => {
  const t = useTestApp();
  beforeAll(async () => {
    await createUser(t.db, { username: 'alice' });
  });

  test('a second app process on the same database accepts the cookie and the form tokens of the first', async () => {
    const second = createApp(t.deps);
    const { pair, token } = await logInRaw(t.app, 'alice');
    // Only a hash of the cookie is stored: a copy of the table does not log anyone in.
    expect(await t.db('sessions').pluck('id')).toEqual([crypto.createHash('sha256').update(token).digest('hex')]);

    const there = await request(second).get('/maniphest/').set('Cookie', pair);
    expect(there.status).toBe(200);
    expect(there.text).toMatch(/class="me"[^>]*>alice</);

    const page = await request(t.app).get('/maniphest/').set('Cookie', pair);
    const csrf = /name="__csrf__" value="([^"]+)"/.exec(page.text)![1];
    const logout = await request(second).post('/logout').set('Cookie', pair).type('form').send({ __csrf__: csrf });
    expect(logout.status).toBe(303);
    expect(await t.db('sessions').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
    expect((await request(t.app).get('/maniphest/').set('Cookie', pair)).text).not.toContain('class="me"');
  });
});

describe("the administrator's people page", () => {
  const t = useTestApp();
  let admin: Browser;
  beforeAll(async () => {
    await createUser(t.db, { username: 'alice', role: 'admin', realname: 'Alice Moreau', email: 'alice@example.com' });
    await createUser(t.db, { username: 'bob', role: 'engineer', realname: 'Bob Okafor' });
    await createUser(t.db, { username: 'carol', role: 'reader' });
    admin = await loggedIn(t.app, 'alice');
  });

  const roleOf = async (username: string) => (await t.db('users').where({ username }).first()).role as string;

  async function peopleRows() {
    const page = await admin.get('/people/');
    expect(page.status).toBe(200);
    return page.dom.querySelectorAll('.people-table tbody tr').map((tr) => {
      const cells = tr.querySelectorAll('td');
      return {
        username: textOf(cells[0]),
        realname: textOf(cells[1]),
        email: textOf(cells[2]),
        role: textOf(cells[3].querySelector('option[selected]')!),
        account: textOf(cells[4]),
      };
    });
  }

  test('lists every account with its role; only administrators may open it', async () => {
    expect(await peopleRows()).toEqual([
      { username: 'alice', realname: 'Alice Moreau', email: 'alice@example.com', role: 'Administrator', account: '' },
      { username: 'bob', realname: 'Bob Okafor', email: '', role: 'Engineer', account: 'Disable' },
      { username: 'carol', realname: '', email: '', role: 'Reader', account: 'Disable' },
    ]);

    const bob = await loggedIn(t.app, 'bob');
    const refused = await bob.get('/people/');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('Only administrators manage accounts.');
    expect((await bob.get('/maniphest/')).dom.querySelector('.topnav a[href="/people/"]')).toBeNull();

    const visitor = await new Browser(t.app).get('/people/');
    expect(visitor.status).toBe(403);
    expect(visitor.text).toContain('You must log in to do that.');
  });

  test('an administrator changes roles; nobody else can', async () => {
    const done = await admin.post('/people/bob/role', { role: 'maintainer' }, '/people/');
    expect([done.status, done.location]).toEqual([303, '/people/']);
    expect(await roleOf('bob')).toBe('maintainer');
    expect((await peopleRows()).find((r) => r.username === 'bob')!.role).toBe('Maintainer');

    const wizard = await admin.post('/people/bob/role', { role: 'wizard' }, '/people/');
    expect(wizard.status).toBe(422);
    expect(wizard.text).toContain('"wizard" is not a role. Choose one of: reader, engineer, maintainer, admin.');
    expect((await admin.post('/people/nobody/role', { role: 'reader' }, '/people/')).status).toBe(404);

    const carol = await loggedIn(t.app, 'carol');
    const promoted = await carol.post('/people/carol/role', { role: 'admin' }, '/maniphest/');
    expect(promoted.status).toBe(403);
    expect(await roleOf('carol')).toBe('reader');
    expect(await roleOf('bob')).toBe('maintainer');
  });

  test('a disabled account is logged out at once and cannot log in until enabled again', async () => {
    const bob = await loggedIn(t.app, 'bob');
    const elsewhere = await loggedIn(t.app, 'bob');
    expect(signedInAs(await bob.get('/maniphest/'))).toBe('bob');

    const done = await admin.post('/people/bob/disable', { disabled: 'true' }, '/people/');
    expect([done.status, done.location]).toEqual([303, '/people/']);
    expect((await t.db('users').where({ username: 'bob' }).first()).disabled_at).toBeInstanceOf(Date);
    expect(await sessionCount(t, 'bob')).toBe(0);
    expect((await peopleRows()).find((r) => r.username === 'bob')!.account).toBe('Disabled Enable');

    for (const browser of [bob, elsewhere]) {
      expect(signedInAs(await browser.get('/maniphest/'))).toBeNull();
      expect((await browser.get('/maniphest/task/edit/')).status).toBe(403);
    }
    const refused = await new Browser(t.app).post('/login', { username: 'bob', password: PASSWORD }, '/login');
    expect(refused.status).toBe(401);
    expect(fieldErrors(refused)).toEqual([NO_MATCH]);

    expect((await admin.post('/people/bob/disable', { disabled: 'false' }, '/people/')).status).toBe(303);
    expect(signedInAs(await (await loggedIn(t.app, 'bob')).get('/maniphest/'))).toBe('bob');
  });

  test('the last administrator can be neither demoted nor disabled', async () => {
    // A disabled administrator does not count: it cannot manage anything.
    await createUser(t.db, { username: 'dave', role: 'admin' });
    expect((await admin.post('/people/dave/disable', { disabled: 'true' }, '/people/')).status).toBe(303);

    const demoted = await admin.post('/people/alice/role', { role: 'engineer' }, '/people/');
    expect(demoted.status).toBe(409);
    expect(demoted.text).toContain('This is the last administrator; make someone else an administrator first.');
    const disabled = await admin.post('/people/alice/disable', { disabled: 'true' }, '/people/');
    expect(disabled.status).toBe(409);
    expect(disabled.text).toContain('This is the last administrator; it cannot be disabled.');
    expect(await t.db('users').where({ username: 'alice' }).first()).toMatchObject({ role: 'admin', disabled_at: null });
    expect(await sessionCount(t, 'alice')).toBeGreaterThan(0);

    // With a second active administrator, stepping down is allowed.
    expect((await admin.post('/people/carol/role', { role: 'admin' }, '/people/')).status).toBe(303);
    expect((await admin.post('/people/alice/role', { role: 'engineer' }, '/people/')).status).toBe(303);
    expect(await roleOf('alice')).toBe('engineer');
  });

  test('two administrators demoting or disabling each other at the same moment leave one administrator', async () => {
    const ids = await t.db('users').whereIn('username', ['alice', 'carol']).pluck('id');
    const activeAdmins = () => t.db('users').where({ role: 'admin' }).whereNull('disabled_at').pluck('username');
    const acts = [(id: number) => changeRole(t.db, id, 'engineer'), (id: number) => setAccountDisabled(t.db, id, true)];
    // The account functions are called directly: two HTTP requests seldom meet inside one transaction, and this race needs them to.
    for (const act of acts) {
      for (let round = 0; round < 5; round++) {
        await t.db('users').whereIn('id', ids).update({ role: 'admin', disabled_at: null });
        expect((await activeAdmins()).sort()).toEqual(['alice', 'carol']);
        const results = await Promise.allSettled(ids.map((id) => act(id)));
        expect(results.map((r) => (r.status === 'rejected' ? (r.reason as AppError).code : 'done')).sort()).toEqual(['done', 'last-admin']);
        expect(await activeAdmins()).toHaveLength(1);
      }
    }
  });
});
