import { useTestApp } from '../support/app';
import { PASSWORD, createUser } from '../support/factories';
import { Browser, loggedIn, textOf } from '../support/http';
import { createApp } from '../../server/app';
import { codeAt } from '../../server/users/mfa/totp';
import { enrolMfa, nextCode, wrongCode } from '../support/mfa';

const signedInAs = (page: { dom: import('node-html-parser').HTMLElement }) => page.dom.querySelector('.account .me')?.textContent.trim() ?? null;

describe('enrolling a second factor', () => {
  const t = useTestApp();

  test('each step: start, QR code and secret, a wrong code refused, a right one finishes and shows ten recovery codes once', async () => {
    const alice = await createUser(t.db, { username: 'alice' });
    const b = await loggedIn(t.app, 'alice');

    const before = await b.get('/settings/mfa/');
    expect(before.status).toBe(200);
    expect(before.dom.querySelector('#begin-form')).not.toBeNull();

    expect((await b.post('/settings/mfa/begin', {}, '/settings/mfa/')).status).toBe(303);
    const pending = await b.get('/settings/mfa/');
    const secret = textOf(pending.dom.querySelector('.totp-secret')!).replace(/\s+/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(pending.dom.querySelector('.qr img')!.getAttribute('src')).toBe('/settings/mfa/qr.svg');

    const qr = await b.agent.get('/settings/mfa/qr.svg');
    expect(qr.status).toBe(200);
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(qr.headers['cache-control']).toBe('no-store');
    expect(String(qr.body ?? qr.text)).toContain('<svg');

    // Stored encrypted: the database row does not hold the secret.
    const row = await t.db('mfa_factors').where({ user_id: alice.id }).first();
    expect(row.secret).not.toContain(secret);
    expect(row.secret).toMatch(/^v1:[0-9a-f]{8}:/);
    expect(row.confirmed_at).toBeNull();

    const wrong = await b.post('/settings/mfa/confirm', { code: wrongCode(secret) }, '/settings/mfa/');
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That code is not right.');
    expect((await t.db('mfa_factors').where({ user_id: alice.id }).first()).confirmed_at).toBeNull();

    const done = await b.post('/settings/mfa/confirm', { code: await nextCode(t.db, alice.id, secret) }, '/settings/mfa/');
    expect(done.status).toBe(200);
    const codes = done.dom.querySelectorAll('.recovery-codes li').map((li) => textOf(li));
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{4}(-[a-z2-9]{4}){3}$/);

    const stored = await t.db('mfa_recovery_codes').where({ user_id: alice.id });
    expect(stored).toHaveLength(10);
    for (const s of stored) expect(codes.map((c) => c.replace(/-/g, ''))).not.toContain(s.code_hash);

    const after = await b.get('/settings/mfa/');
    expect(after.text).toContain('A second factor is on');
    expect(after.text).toContain('You have 10 unused recovery codes');
    expect(after.dom.querySelector('.recovery-codes')).toBeNull();
    expect((await b.agent.get('/settings/mfa/qr.svg')).status).toBe(404);
  });

  test('starting again while enrolled is refused; visitors are sent to log in', async () => {
    const bob = await createUser(t.db, { username: 'bob' });
    const b = await loggedIn(t.app, 'bob');
    await enrolMfa(b, t.db, bob.id);
    expect((await b.post('/settings/mfa/begin', {}, '/settings/mfa/')).status).toBe(409);
    const visitor = new Browser(t.app);
    const page = await visitor.get('/settings/mfa/');
    expect([page.status, page.location]).toEqual([303, '/login?next=%2Fsettings%2Fmfa%2F']);
  });
});

describe('logging in', () => {
  const t = useTestApp();

  test('without MFA, the password is enough', async () => {
    await createUser(t.db, { username: 'nomfa' });
    const b = new Browser(t.app);
    const res = await b.post('/login', { username: 'nomfa', password: PASSWORD, next: '/maniphest/query/all/' }, '/login');
    expect([res.status, res.location]).toEqual([303, '/maniphest/query/all/']);
    expect(signedInAs(await b.get('/maniphest/'))).toBe('nomfa');
  });

  test('with MFA: the password leads to the code prompt and nothing else; a right code finishes, once', async () => {
    const carol = await createUser(t.db, { username: 'carol' });
    const { secret } = await enrolMfa(await loggedIn(t.app, 'carol'), t.db, carol.id);

    const b = new Browser(t.app);
    const first = await b.post('/login', { username: 'carol', password: PASSWORD, next: '/maniphest/query/all/' }, '/login');
    expect([first.status, first.location]).toEqual([303, '/auth/finish/?next=%2Fmaniphest%2Fquery%2Fall%2F']);

    for (const path of ['/', '/maniphest/', '/settings/', '/settings/mfa/', '/settings/tokens/', '/people/', '/p/carol/', '/login', '/auth/password/']) {
      const page = await b.get(path);
      expect({ path, status: page.status, location: page.location }).toEqual({ path, status: 303, location: '/auth/finish/' });
    }
    const prompt = await b.get('/auth/finish/?next=%2Fmaniphest%2Fquery%2Fall%2F');
    expect(prompt.status).toBe(200);
    expect(signedInAs(prompt)).toBeNull();
    expect(textOf(prompt.dom.querySelector('.account')!)).toBe('Log Out');
    expect(prompt.text).toContain('Enter the six-digit code');

    const wrong = await b.post('/auth/finish/', { code: wrongCode(secret), next: '/maniphest/query/all/' }, '/auth/finish/');
    expect(wrong.status).toBe(422);
    expect(wrong.text).toContain('That code is not right.');

    const code = await nextCode(t.db, carol.id, secret);
    const done = await b.post('/auth/finish/', { code, next: '/maniphest/query/all/' }, '/auth/finish/');
    expect([done.status, done.location]).toEqual([303, '/maniphest/query/all/']);
    expect(signedInAs(await b.get('/maniphest/'))).toBe('carol');

    // The same code a second time, in another browser, is refused.
    const other = new Browser(t.app);
    await other.post('/login', { username: 'carol', password: PASSWORD }, '/login');
    const again = await other.post('/auth/finish/', { code }, '/auth/finish/');
    expect(again.status).toBe(422);
    expect(signedInAs(await other.get('/auth/finish/'))).toBeNull();
  });

  test('codes one step early or late are accepted, two steps away are not', async () => {
    const dave = await createUser(t.db, { username: 'dave' });
    const { secret } = await enrolMfa(await loggedIn(t.app, 'dave'), t.db, dave.id);
    const now = Date.now();
    await t.db('mfa_factors').where({ user_id: dave.id }).update({ last_step: null });
    for (const [offset, accepted] of [[-60_000, false], [60_000, false], [30_000, true]] as const) {
      const b = new Browser(t.app);
      await b.post('/login', { username: 'dave', password: PASSWORD }, '/login');
      const res = await b.post('/auth/finish/', { code: codeAt(secret, now + offset) }, '/auth/finish/');
      expect({ offset, status: res.status }).toEqual({ offset, status: accepted ? 303 : 422 });
    }
  });

  test('a recovery code logs in once; used, it is refused', async () => {
    const erin = await createUser(t.db, { username: 'erin' });
    const { recoveryCodes } = await enrolMfa(await loggedIn(t.app, 'erin'), t.db, erin.id);
    const b = new Browser(t.app);
    await b.post('/login', { username: 'erin', password: PASSWORD }, '/login');
    // Case, spaces and dashes do not matter.
    const typed = ` ${recoveryCodes[3]!.toUpperCase().replace(/-/g, ' ')} `;
    expect((await b.post('/auth/finish/', { code: typed }, '/auth/finish/')).status).toBe(303);
    expect(signedInAs(await b.get('/maniphest/'))).toBe('erin');
    expect((await b.get('/settings/mfa/')).text).toContain('You have 9 unused recovery codes');

    const c = new Browser(t.app);
    await c.post('/login', { username: 'erin', password: PASSWORD }, '/login');
    expect((await c.post('/auth/finish/', { code: recoveryCodes[3]! }, '/auth/finish/')).status).toBe(422);
    expect((await c.post('/auth/finish/', { code: recoveryCodes[4]! }, '/auth/finish/')).status).toBe(303);
  });

  test('five wrong codes lock the second step for fifteen minutes, the right code included', async () => {
    const fay = await createUser(t.db, { username: 'fay' });
    const { secret, recoveryCodes } = await enrolMfa(await loggedIn(t.app, 'fay'), t.db, fay.id);
    const b = new Browser(t.app);
    await b.post('/login', { username: 'fay', password: PASSWORD }, '/login');
    for (let i = 0; i < 5; i++) expect((await b.post('/auth/finish/', { code: wrongCode(secret) }, '/auth/finish/')).status).toBe(422);
    const locked = await b.agent.post('/auth/finish/').type('form').send({ __csrf__: await b.csrf('/auth/finish/'), code: await nextCode(t.db, fay.id, secret) });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(14 * 60);
    expect(locked.text).toContain('Too many wrong codes. Try again in 15 minutes.');
    expect((await b.post('/auth/finish/', { code: recoveryCodes[0]! }, '/auth/finish/')).status).toBe(429);
    expect(signedInAs(await b.get('/auth/finish/'))).toBeNull();
  });

  test('cancelling the second step logs out', async () => {
    const gus = await createUser(t.db, { username: 'gus' });
    await enrolMfa(await loggedIn(t.app, 'gus'), t.db, gus.id);
    const b = new Browser(t.app);
    await b.post('/login', { username: 'gus', password: PASSWORD }, '/login');
    expect((await b.post('/logout', {}, '/auth/finish/')).status).toBe(303);
    expect((await b.get('/maniphest/')).status).toBe(200);
  });
});

describe('recovery codes and removal in high security mode', () => {
  const t = useTestApp();

  test('making new codes and removing the factor need a fresh code unless one was given in the last minutes', async () => {
    const hal = await createUser(t.db, { username: 'hal' });
    const enrolling = await loggedIn(t.app, 'hal');
    const { secret } = await enrolMfa(enrolling, t.db, hal.id);

    // Enrolment itself was a fresh code: no code asked right after it.
    const fresh = await enrolling.post('/settings/mfa/recovery-codes', {}, '/settings/mfa/');
    expect(fresh.status).toBe(200);
    expect(fresh.dom.querySelectorAll('.recovery-codes li')).toHaveLength(10);

    // A login ends in high security mode too; once it lapses, a code is asked.
    const b = new Browser(t.app);
    await b.post('/login', { username: 'hal', password: PASSWORD }, '/login');
    await b.post('/auth/finish/', { code: await nextCode(t.db, hal.id, secret) }, '/auth/finish/');
    await t.db('sessions').where({ user_id: hal.id }).update({ elevated_until: null });

    const page = await b.get('/settings/mfa/');
    expect(page.dom.querySelector('#remove-form input[name="mfa_code"]')).not.toBeNull();
    const missing = await b.post('/settings/mfa/remove', {}, '/settings/mfa/');
    expect(missing.status).toBe(422);
    expect(missing.text).toContain('This is a sensitive action: enter a code from your authenticator app.');
    const wrong = await b.post('/settings/mfa/remove', { mfa_code: wrongCode(secret) }, '/settings/mfa/');
    expect(wrong.status).toBe(422);
    expect(await t.db('mfa_factors').where({ user_id: hal.id }).first()).toBeTruthy();

    const codes = await b.post('/settings/mfa/recovery-codes', { mfa_code: await nextCode(t.db, hal.id, secret) }, '/settings/mfa/');
    expect(codes.status).toBe(200);
    // Now in high security mode: the next sensitive action asks for nothing.
    const elevated = await b.get('/settings/mfa/');
    expect(elevated.dom.querySelector('input[name="mfa_code"]')).toBeNull();
    expect(elevated.text).toMatch(/High security mode until/);
    const removed = await b.post('/settings/mfa/remove', {}, '/settings/mfa/');
    expect([removed.status, removed.location]).toEqual([303, '/settings/mfa/']);
    expect(await t.db('mfa_factors').where({ user_id: hal.id }).first()).toBeUndefined();
    expect(await t.db('mfa_recovery_codes').where({ user_id: hal.id })).toHaveLength(0);

    const again = new Browser(t.app);
    const login = await again.post('/login', { username: 'hal', password: PASSWORD }, '/login');
    expect(login.location).toBe('/');
  });

  test('/auth/elevate/ enters high security mode and returns to the page', async () => {
    const ida = await createUser(t.db, { username: 'ida' });
    const b = await loggedIn(t.app, 'ida');
    const { secret } = await enrolMfa(b, t.db, ida.id);
    await t.db('sessions').where({ user_id: ida.id }).update({ elevated_until: null });
    const form = await b.get('/auth/elevate/?next=%2Fsettings%2Fmfa%2F');
    expect(form.status).toBe(200);
    const res = await b.post('/auth/elevate/', { code: await nextCode(t.db, ida.id, secret), next: '/settings/mfa/' }, '/auth/elevate/');
    expect([res.status, res.location]).toEqual([303, '/settings/mfa/']);
    const row = await t.db('sessions').where({ user_id: ida.id }).first();
    expect(new Date(row.elevated_until).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
  });
});

describe('an install that requires MFA', () => {
  const t = useTestApp({ requireMfa: true });

  test('people without a second factor are sent to enrol before anything else', async () => {
    const jo = await createUser(t.db, { username: 'jo' });
    const b = await loggedIn(t.app, 'jo');
    for (const path of ['/maniphest/', '/settings/', '/settings/tokens/', '/p/jo/']) {
      const page = await b.get(path);
      expect({ path, status: page.status, location: page.location }).toEqual({ path, status: 303, location: '/settings/mfa/' });
    }
    const page = await b.get('/settings/mfa/');
    expect(page.text).toContain('This install requires a second factor.');
    await enrolMfa(b, t.db, jo.id);
    expect((await b.get('/maniphest/')).status).toBe(200);
  });
});

describe('API tokens in high security mode', () => {
  const t = useTestApp();

  test('with MFA, creating a token needs a fresh code; the name typed is kept while it is asked for', async () => {
    const kim = await createUser(t.db, { username: 'kim' });
    const b = await loggedIn(t.app, 'kim');
    const { secret } = await enrolMfa(b, t.db, kim.id);
    await t.db('sessions').where({ user_id: kim.id }).update({ elevated_until: null });

    const asked = await b.post('/settings/tokens/', { name: 'nightly report' }, '/settings/tokens/');
    expect(asked.status).toBe(422);
    expect(asked.text).toContain('This is a sensitive action: enter a code from your authenticator app.');
    expect(asked.dom.querySelector('#f-token-name')!.getAttribute('value')).toBe('nightly report');
    expect(await t.db('api_tokens').where({ user_id: kim.id })).toHaveLength(0);

    const made = await b.post('/settings/tokens/', { name: 'nightly report', mfa_code: await nextCode(t.db, kim.id, secret) }, '/settings/tokens/');
    expect(made.status).toBe(200);
    expect(made.dom.querySelector('.token-value')!.textContent).toMatch(/^api-[a-z2-7]{28}$/);
  });
});

describe('the key TOTP secrets are sealed with', () => {
  const t = useTestApp();

  test('without MFA_KEY a key is generated once in the database; once MFA_KEY is set, older secrets still work and are sealed again with it', async () => {
    const lou = await createUser(t.db, { username: 'lou' });
    const { secret } = await enrolMfa(await loggedIn(t.app, 'lou'), t.db, lou.id);
    const generated = await t.db('settings').where({ key: 'mfa_generated_key' }).first();
    expect(generated.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const before = (await t.db('mfa_factors').where({ user_id: lou.id }).first()).secret as string;

    const keyed = createApp({ ...t.deps, config: { ...t.deps.config, mfaKey: 'a configured key of at least 32 characters' } });
    const b = new Browser(keyed);
    await b.post('/login', { username: 'lou', password: PASSWORD }, '/login');
    expect((await b.post('/auth/finish/', { code: await nextCode(t.db, lou.id, secret) }, '/auth/finish/')).status).toBe(303);
    const after = (await t.db('mfa_factors').where({ user_id: lou.id }).first()).secret as string;
    expect(after.split(':')[1]).not.toBe(before.split(':')[1]);
  });
});
