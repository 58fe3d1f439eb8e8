import request from 'supertest';
import { createApp } from '../../server/app';
import { createApiToken } from '../../server/users/tokens';
import { useTestApp } from '../support/app';
import { PASSWORD, createUser } from '../support/factories';
import { Browser } from '../support/http';

/** A browser at its own client address (the app trusts the proxy header in these tests). */
function browserAt(app: import('express').Express, address: string): Browser {
  const b = new Browser(app);
  b.agent.set('X-Forwarded-For', address);
  return b;
}

async function attempt(app: import('express').Express, address: string, username: string, password: string) {
  const b = browserAt(app, address);
  const token = await b.csrf('/login');
  const res = await b.agent.post('/login').type('form').send({ __csrf__: token, username, password });
  return { status: res.status, retryAfter: res.headers['retry-after'] as string | undefined, text: res.text };
}

describe('login throttling, shared by every app process on the database', () => {
  const t = useTestApp({ trustProxy: true });

  test('ten failures for one account, spread over two processes and many addresses, make the account wait; the right password does not pass', async () => {
    await createUser(t.db, { username: 'alice' });
    const other = createApp(t.deps);
    for (let i = 0; i < 10; i++) {
      const res = await attempt(i % 2 ? other : t.app, `198.51.100.${i + 1}`, i % 3 ? 'alice' : 'ALICE', 'wrong password');
      expect(res.status).toBe(401);
    }
    for (const app of [t.app, other]) {
      const res = await attempt(app, '198.51.100.200', 'alice', PASSWORD);
      expect(res.status).toBe(429);
      expect(Number(res.retryAfter)).toBeGreaterThan(14 * 60);
      expect(Number(res.retryAfter)).toBeLessThanOrEqual(15 * 60);
      expect(res.text).toContain('Too many failed attempts to log in. Try again in 15 minutes.');
    }
    expect(await t.db('sessions')).toHaveLength(0);

    // The wait ends when the oldest failures leave the fifteen-minute window.
    await t.db('auth_attempts').where({ scope: 'login-account' }).update({ at: t.db.raw(`at - interval '16 minutes'`) });
    expect((await attempt(other, '198.51.100.200', 'alice', PASSWORD)).status).toBe(303);
  });

  test('ten failures from one address make that address wait, for every account, while others log in', async () => {
    await createUser(t.db, { username: 'bob' });
    for (let i = 0; i < 10; i++) expect((await attempt(t.app, '203.0.113.7', `nobody${i}`, 'guess')).status).toBe(401);
    const blocked = await attempt(createApp(t.deps), '203.0.113.7', 'bob', PASSWORD);
    expect(blocked.status).toBe(429);
    expect(blocked.retryAfter).toBeDefined();
    expect((await attempt(t.app, '203.0.113.8', 'bob', PASSWORD)).status).toBe(303);
  });

  test('a successful login forgets the account’s earlier failures', async () => {
    await createUser(t.db, { username: 'carol' });
    for (let i = 0; i < 9; i++) expect((await attempt(t.app, `192.0.2.${i + 1}`, 'carol', 'typo')).status).toBe(401);
    expect((await attempt(t.app, '192.0.2.50', 'carol', PASSWORD)).status).toBe(303);
    for (let i = 0; i < 9; i++) expect((await attempt(t.app, `192.0.2.${i + 100}`, 'carol', 'typo')).status).toBe(401);
    expect((await attempt(t.app, '192.0.2.51', 'carol', PASSWORD)).status).toBe(303);
  });
});

describe('refused API tokens', () => {
  const t = useTestApp({ trustProxy: true });

  test('ten refused tokens from one address make it wait, even with a good token, on every process', async () => {
    const dave = await createUser(t.db, { username: 'dave' });
    const { token } = await createApiToken(t.db, dave, 'good');
    const call = (app: import('express').Express, address: string, apiToken: string) =>
      request(app).post('/api/user.whoami').set('X-Forwarded-For', address).type('form').send({ 'api.token': apiToken });

    for (let i = 0; i < 10; i++) {
      const res = await call(t.app, '198.51.100.77', `api-${'a'.repeat(27)}${i}`.slice(0, 32));
      expect(res.body.error_code).toBe('ERR-INVALID-AUTH');
    }
    const blocked = await call(createApp(t.deps), '198.51.100.77', token);
    expect(blocked.body.error_code).toBe('ERR-RATE-LIMIT');
    expect(blocked.body.error_info).toBe('Too many refused API tokens from this address. Wait 15 minutes and try again.');
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(14 * 60);

    const elsewhere = await call(t.app, '198.51.100.78', token);
    expect(elsewhere.body.result.userName).toBe('dave');
  });
});
