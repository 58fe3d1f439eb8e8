import fc from 'fast-check';
import request from 'supertest';
import { saveQuery } from '../../server/search/saved/queries';
import { createApiToken } from '../../server/users/tokens';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { FUZZ, formEncode, formPairs, fuzzParams, junk, pathSegment, postForm, text } from './fuzz';
import { sessionOf } from './sessions';
import { formRoutes, pathParams, type RouteEntry } from './url-map';

/**
 * Property-based fuzzing of every form: each POST route of the URL map gets
 * bodies of arbitrary fields and values (unicode, huge strings, repeated and
 * bracketed names, broken escapes) with a valid CSRF token, from every role
 * and a visitor, with its path parameters real or arbitrary. No answer may be
 * a 5xx, none may log an error, none may take longer than the deadline, and
 * the app must still answer afterwards.
 */

type Actor = 'admin' | 'maintainer' | 'engineer' | 'reader' | 'visitor';
const ACTORS: Actor[] = ['admin', 'maintainer', 'engineer', 'reader', 'visitor'];

interface Session {
  agent: ReturnType<typeof request.agent>;
  id: string | null;
  csrf: string;
}

describe('fuzzing every form', () => {
  const t = useTestApp();
  const users = {} as Record<Exclude<Actor, 'visitor'>, User>;
  const real: Record<string, string[]> = {};
  const sessions = new Map<Actor, Session>();

  beforeAll(async () => {
    for (const role of ['admin', 'maintainer', 'engineer', 'reader'] as const) users[role] = await createUser(t.db, { username: role, role });
    const target = await createUser(t.db, { username: 'target', role: 'engineer' });
    const task = await createTask(t.domain, users.admin, { title: 'Printer on fire', description: 'Smoke from T1.', view: 'public' });
    const hidden = await createTask(t.domain, users.admin, { title: 'Quiet', view: 'maintainers' });
    const { events } = await edit(t.domain, users.admin, task, { comment: 'Have we tried water?' });
    const saved = await saveQuery(t.db, t.tracker, users.admin, 'Mine', 'assigned=me', 'UTC');
    const token = await createApiToken(t.db, users.admin, 'fuzz');
    // Real values for the URL map's parameters; a case picks one of these or arbitrary text.
    Object.assign(real, {
      id: [String(task), String(hidden), String(token.row.id), '1'],
      eventId: [String(events[0]!.id)],
      key: [saved.key, 'assigned'],
      username: [target.username],
      name: ['maniphest.edit', 'maniphest.search', 'conduit.ping'],
      method: ['maniphest.edit'],
    });
  });

  /** A session for the actor that is still alive (a case may have logged it out), with its CSRF token. */
  async function liveSession(actor: Actor): Promise<Session> {
    const known = sessions.get(actor);
    if (known && (known.id === null || (await t.db('sessions').where({ id: known.id }).first()))) return known;
    const started = actor === 'visitor' ? null : await sessionOf(t.app, t.db, users[actor]);
    const agent = started ? started.browser.agent : request.agent(t.app);
    const id = started ? started.id : null;
    const page = await agent.get(actor === 'visitor' ? '/login' : '/settings/tokens/');
    const csrf = /name="__csrf__" value="([^"]+)"/.exec(page.text)?.[1];
    if (!csrf) throw new Error(`No CSRF token for ${actor} (${page.status})`);
    const session = { agent, id, csrf };
    sessions.set(actor, session);
    return session;
  }

  const pathFor = (route: RouteEntry) =>
    fc.tuple(...pathParams(route.path).map((p) => fc.oneof(fc.constantFrom(...(real[p] ?? ['1'])), text.filter((s) => s.length > 0 && s.length < 300)))).map((values) => {
      let i = 0;
      return route.path.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, () => pathSegment(values[i++]!));
    });

  test.each(formRoutes().map((r) => ({ route: r, name: r.path })))('POST $name: no 5xx, no error logged, no hang', async ({ route }) => {
    const cases = fc.record({ actor: fc.constantFrom(...ACTORS), path: pathFor(route), pairs: formPairs, extra: junk, tokenFirst: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(cases, async ({ actor, path, pairs, extra, tokenFirst }) => {
        const s = await liveSession(actor);
        const token: [string, string] = ['__csrf__', s.csrf];
        const body = formEncode(tokenFirst ? [token, ...pairs] : [...pairs, token], extra);
        const res = await postForm(s.agent, path, body);
        const logged = t.errors.splice(0);
        expect({ status: res.status < 500 ? 'below 500' : res.status, logged }).toEqual({ status: 'below 500', logged: [] });
      }),
      fuzzParams,
    );
  }, FUZZ.targetTimeoutMs);

  test('afterwards the app still answers, for visitors and people alike', async () => {
    expect((await request(t.app).get('/healthz').timeout({ deadline: FUZZ.deadlineMs })).status).toBe(200);
    for (const actor of ACTORS) {
      const s = await liveSession(actor);
      expect((await s.agent.get('/maniphest/query/all/').timeout({ deadline: FUZZ.deadlineMs })).status).toBe(200);
    }
  });
});
