import request from 'supertest';
import type { User } from '../../server/users/user';
import { startTestApp, useTestApp } from '../support/app';
import { call, callFields, conduitBody, tokenFor } from '../support/conduit';
import { createUser } from '../support/factories';
import { loggedIn } from '../support/http';

const JSON_REFUSAL =
  "Use form-encoded data to submit parameters to Conduit endpoints. Sending a JSON-encoded body and setting 'Content-Type': 'application/json' is not currently supported.";

describe('the Conduit transport: POST /api/<method>', () => {
  const t = useTestApp();
  let alice: User;
  let bob: User;
  let token: string;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    token = await tokenFor(t.db, alice);
  });

  const post = (method: string) => request(t.app).post(`/api/${method}`);

  test('one JSON "params" field with the token in "__conduit__", as arcanist and canduit send it', async () => {
    const body = conduitBody(await post('user.search').type('form').send({ params: JSON.stringify({ constraints: { usernames: ['bob'] }, __conduit__: { token } }), output: 'json', __conduit__: '1' }));
    expect(body.error_code).toBeNull();
    expect(body.result.data.map((u: { phid: string }) => u.phid)).toEqual([bob.phid]);
  });

  test('plain fields with api.token, lists and maps in brackets', async () => {
    const body = await callFields(t.app, 'user.search', { 'api.token': token, 'constraints[usernames][0]': 'bob', 'constraints[usernames][1]': 'alice', limit: '1' });
    expect(body.error_code).toBeNull();
    expect(body.result.data.map((u: { phid: string }) => u.phid)).toEqual([bob.phid]);
    expect(body.result.cursor).toEqual({ limit: 1, after: String(bob.id), before: null, order: null });
    // Empty brackets append, as PHP reads them.
    const appended = await callFields(t.app, 'user.search', { 'api.token': token, 'constraints[usernames][]': ['alice', 'bob'] });
    expect(appended.result.data.map((u: { phid: string }) => u.phid)).toEqual([bob.phid, alice.phid]);
  });

  test('console style: one JSON value per params[name] field', async () => {
    const body = await callFields(t.app, 'user.search', {
      'params[constraints]': JSON.stringify({ usernames: ['alice'] }),
      'params[limit]': '5',
      'params[after]': '',
      'params[__conduit__]': JSON.stringify({ token }),
    });
    expect(body.error_code).toBeNull();
    expect(body.result.data.map((u: { phid: string }) => u.phid)).toEqual([alice.phid]);
    expect(body.result.cursor.limit).toBe(5);
    expect(await callFields(t.app, 'user.search', { 'api.token': token, 'params[constraints]': '{usernames: [alice]}' })).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CALL',
      error_info:
        'The value for parameter "constraints" is not valid JSON. All parameters must be encoded as JSON values, including strings (which means you need to surround them in double quotes). Check your syntax. Value was: {usernames: [alice]}.',
    });
  });

  test('a JSON body is refused with the sentence that says to use form encoding; so is any other body', async () => {
    const json = await post('conduit.ping').set('Content-Type', 'application/json').send(JSON.stringify({ params: {} }));
    expect(conduitBody(json)).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: JSON_REFUSAL });
    const text = await post('conduit.ping').set('Content-Type', 'text/plain').send('hello');
    expect(conduitBody(text)).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CORE',
      error_info: 'Use form-encoded data (Content-Type: application/x-www-form-urlencoded) to submit parameters to Conduit endpoints.',
    });
    // No body at all is a call without parameters.
    expect(conduitBody(await post('conduit.ping')).error_code).toBeNull();
  });

  test('malformed calls are ERR-CONDUIT-CALL with a sentence naming what is wrong', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['no.such.method', {}, 'Conduit API method "no.such.method" does not exist.'],
      ['user.whoami', { params: '{"__conduit__": ' }, 'The "params" field is not valid JSON: '],
      ['user.whoami', { params: '[1, 2]' }, 'The "params" field must hold a JSON object mapping parameter names to values.'],
      ['user.whoami', { params: JSON.stringify({ __conduit__: 'api-x' }) }, 'Parameter "__conduit__" must be a map, such as {"token": "api-…"}.'],
      ['user.whoami', { 'api.token': token, output: 'xml' }, 'Parameter "output" must be "json" (the default) or "human" (an HTML page).'],
      ['user.whoami', { 'api.token': token, verbose: '1' }, 'API method "user.whoami" does not define these parameters: verbose.'],
      ['user.search', { 'api.token': token, constraints: 'x', 'constraints[usernames]': 'y' }, 'Parameter "constraints" is given both as a single value and as a list or map; send it one way.'],
    ];
    for (const [method, fields, message] of cases) {
      const body = await callFields(t.app, method, fields);
      expect(body.error_code).toBe('ERR-CONDUIT-CALL');
      expect(body.result).toBeNull();
      expect(body.error_info!.startsWith(message)).toBe(true);
    }
  });

  test('every path under /api/ answers in Conduit JSON with HTTP 200: other verbs, oversized bodies', async () => {
    const get = await request(t.app).get('/api/conduit.ping');
    expect(conduitBody(get)).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: 'Call Conduit methods with POST /api/<method>; this was GET /api/conduit.ping.' });
    const nested = await request(t.app).post('/api/user/whoami').type('form').send({});
    expect(conduitBody(nested).error_code).toBe('ERR-CONDUIT-CALL');
    const huge = await post('conduit.ping').type('form').send({ params: JSON.stringify({ x: 'y'.repeat(1024 * 1024 + 10) }) });
    expect(conduitBody(huge)).toEqual({ result: null, error_code: 'ERR-CONDUIT-CALL', error_info: 'The request body is too large: the limit is 1 MB.' });
  });

  test('no CSRF token is asked for, and a session cookie is never a credential', async () => {
    const browser = await loggedIn(t.app, 'alice');
    const res = await browser.agent.post('/api/user.whoami').type('form').send({});
    expect(conduitBody(res)).toEqual({ result: null, error_code: 'ERR-INVALID-SESSION', error_info: 'Session key is not present.' });
    const withToken = await browser.agent.post('/api/user.whoami').type('form').send({ 'api.token': token });
    expect(conduitBody(withToken).result.userName).toBe('alice');
  });

  test('api.token also works beside a JSON "params" field; the token inside it wins', async () => {
    const bobs = await tokenFor(t.db, bob);
    const beside = conduitBody(await post('user.whoami').type('form').send({ 'api.token': token, params: '{}' }));
    expect(beside.result.userName).toBe('alice');
    const inside = conduitBody(await post('user.whoami').type('form').send({ 'api.token': token, params: JSON.stringify({ __conduit__: { token: bobs } }) }));
    expect(inside.result.userName).toBe('bob');
  });
});

describe('a failure on the server side', () => {
  test('is an ERR-CONDUIT-CORE answer naming the request, logged with its stack, never a 500 or a stack', async () => {
    const broken = await startTestApp();
    try {
      const alice = await createUser(broken.db, { username: 'alice', role: 'engineer' });
      const token = await tokenFor(broken.db, alice);
      expect((await call(broken.app, 'conduit.ping', {}, token)).error_code).toBeNull();
      await broken.database.close();
      const res = await request(broken.app).post('/api/user.whoami').type('form').send({ 'api.token': token });
      const body = conduitBody(res);
      expect(body.error_code).toBe('ERR-CONDUIT-CORE');
      expect(body.error_info).toBe(`Something went wrong on our side. The error has been logged as request ${res.headers['x-request-id']}; please try again.`);
      expect(res.text).not.toMatch(/ at |\.ts:/);
      expect(broken.errors).toHaveLength(1);
      expect(JSON.parse(broken.errors[0]!)).toMatchObject({ id: res.headers['x-request-id'], level: 'error', method: 'user.whoami' });
      expect(broken.errors[0]).toContain(' at ');
    } finally {
      await broken.database.close().catch(() => undefined);
    }
  });
});
