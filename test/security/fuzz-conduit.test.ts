import fc from 'fast-check';
import request from 'supertest';
import { METHODS } from '../../server/conduit/registry';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { conduitBody, tokenFor } from '../support/conduit';
import { createTask, createUser, edit } from '../support/factories';
import { FUZZ, fieldName, formEncode, fuzzParams, jsonValue, junk, postForm, shapedLike, text } from './fuzz';

/**
 * Property-based fuzzing of every Conduit method of the registry, in each of
 * the three ways clients send parameters: plain (bracketed) fields, one JSON
 * `params` field, and the console's `params[name]=<JSON>`. Parameters are the
 * method's documented ones and arbitrary others, with arbitrary JSON values;
 * tokens are every role's, a visitor's none, or malformed. Every answer must
 * be Conduit's HTTP 200 JSON, never an internal error, within the deadline.
 */

type Style = 'fields' | 'json' | 'console';
const STYLES: Style[] = ['fields', 'json', 'console'];
const INTERNAL = 'Something went wrong on our side';

/** Nested parameters as PHP-style bracketed form fields: a[b][0]=x. */
function bracketed(name: string, value: unknown, into: [string, string][]): void {
  if (value !== null && typeof value === 'object') {
    const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as Record<string, unknown>);
    if (!entries.length) into.push([name, '']);
    for (const [k, v] of entries) bracketed(`${name}[${k}]`, v, into);
  } else into.push([name, value === null ? '' : String(value)]);
}

describe('fuzzing every Conduit method', () => {
  const t = useTestApp({ apiRateLimit: 1_000_000 });
  const tokens: string[] = [];
  /** Real ids, PHIDs and monograms, so that cases name things that exist. */
  const names: unknown[] = [];

  beforeAll(async () => {
    const users: User[] = [];
    for (const role of ['admin', 'maintainer', 'engineer', 'reader'] as const) users.push(await createUser(t.db, { username: role, role }));
    for (const u of users) tokens.push(await tokenFor(t.db, u));
    const id = await createTask(t.domain, users[0]!, { title: 'Printer on fire', view: 'public' });
    await edit(t.domain, users[0]!, id, { comment: 'Have we tried water?' });
    await createTask(t.domain, users[0]!, { title: 'Quiet', view: 'maintainers' });
    for (const row of await t.db('tasks').select('id', 'phid')) names.push(row.id, `T${row.id}`, row.phid);
    for (const row of await t.db('users').select('phid', 'username')) names.push(row.phid, row.username);
    for (const row of await t.db('task_events').select('phid')) names.push(row.phid);
  });

  /** The admin's token most often, so cases reach the methods' own checks. */
  const token = fc.oneof(
    { weight: 6, arbitrary: fc.constant(0).map(() => tokens[0]!) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 3 }).map((i) => tokens[i]!) },
    { weight: 1, arbitrary: fc.constantFrom<string | null>(null, '', 'api-', 'api-aaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'cli-xxxxxxxxxxxxxxxxxxxxxxxxxxxx') },
    { weight: 1, arbitrary: text },
  );

  const cases = METHODS.flatMap((m) => STYLES.map((style) => ({ method: m.name, style, params: m.docs.map((d) => d.name), example: m.example })));

  test.each(cases)('$method, $style style: always a Conduit answer, never an internal error', async ({ method, style, params, example }) => {
    const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...params, 'output', '__conduit__') }, { weight: 1, arbitrary: fieldName });
    const arbitraryParams = fc.oneof(
      { weight: 3, arbitrary: shapedLike(example, fc.constantFrom(...names)) as fc.Arbitrary<Record<string, unknown>> },
      { weight: 1, arbitrary: fc.dictionary(name, jsonValue, { maxKeys: 6 }) },
    );
    await fc.assert(
      fc.asyncProperty(arbitraryParams, token, junk, async (p, tok, extra) => {
        const pairs: [string, string][] = [];
        if (style === 'fields') {
          for (const [k, v] of Object.entries(p)) bracketed(k, v, pairs);
          if (tok !== null) pairs.push(['api.token', tok]);
        } else if (style === 'json') {
          pairs.push(['params', JSON.stringify(tok === null ? p : { ...p, __conduit__: { token: tok } })]);
        } else {
          for (const [k, v] of Object.entries(p)) pairs.push([`params[${k}]`, typeof v === 'string' && v.startsWith('{') ? v : JSON.stringify(v) ?? '']);
          if (tok !== null) pairs.push(['api.token', tok]);
        }
        const res = await postForm(request(t.app), `/api/${method}`, formEncode(pairs, extra));
        const body = conduitBody(res);
        const logged = t.errors.splice(0);
        expect({ internal: String(body.error_info ?? '').includes(INTERNAL), logged }).toEqual({ internal: false, logged: [] });
      }),
      fuzzParams,
    );
  }, FUZZ.targetTimeoutMs);

  test('afterwards the API still answers', async () => {
    // Fuzzing sends refused tokens from one client address, which the login throttle counts and then holds back by design.
    const throttled = conduitBody(await postForm(request(t.app), '/api/user.whoami', formEncode([['api.token', tokens[0]!]])));
    expect(['ERR-RATE-LIMIT', null]).toContain(throttled.error_code);
    await t.db('auth_attempts').del();
    const res = await postForm(request(t.app), '/api/user.whoami', formEncode([['api.token', tokens[0]!]]));
    expect(conduitBody(res)).toMatchObject({ error_code: null, result: { userName: 'admin' } });
    expect((await request(t.app).get('/healthz').timeout({ deadline: FUZZ.deadlineMs })).status).toBe(200);
  });
});
