import { applyEdit } from '../../server/tasks/editor';
import request from 'supertest';
import { METHODS } from '../../server/conduit/registry';
import { queueMail } from '../../server/mail/outbox';
import { createProject } from '../../server/projects/edit';
import { ProjectInput } from '../../server/projects/project';
import { saveQuery } from '../../server/search/saved/queries';
import { createApiToken } from '../../server/users/tokens';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { Browser, loggedIn, type Page } from '../support/http';
import { everyRow } from './rows';
import { sessionOf } from './sessions';
import { fillPath, formRoutes, isConduitRoute, pathParams, postRoutes, type RouteEntry } from './url-map';

/**
 * CSRF on every POST route of the URL map, read from express's router: a
 * route added without protection fails here without anyone listing it. Each
 * forged POST (no token, a made-up one, another session's) is refused with 403
 * and the CSRF sentence, and the database is left exactly as it was. Conduit
 * (/api/) is the one exception, and is held to its own rule: a session cookie
 * gives no authority there at all.
 */

const CSRF_MESSAGE = 'This form has expired or did not come from this site. Reload the page and submit it again.';

describe('CSRF', () => {
  const t = useTestApp();
  const users = {} as Record<'ada' | 'bob' | 'target', User>;
  let ada: Browser;
  let bob: Browser;
  let visitor: Browser;
  let otherVisitor: Browser;
  const values: Record<string, string> = {};
  /** `:id` names a task, except under these paths, where it names what they manage. */
  const idsUnder: Record<string, string> = {};

  beforeAll(async () => {
    users.ada = await createUser(t.db, { username: 'ada', role: 'admin' });
    users.bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    users.target = await createUser(t.db, { username: 'tess', role: 'reader' });
    const taskId = await createTask(t.domain, users.ada, { title: 'Printer on fire', view: 'public' });
    const { events } = await applyEdit(t.domain, users.ada, taskId, [{ type: 'comment', value: 'A comment a forged POST would change.' }]);
    const saved = await saveQuery(t.db, t.tracker, users.ada, 'Open high', 'statuses=any-open&priorities=high', 'UTC');
    const token = await createApiToken(t.db, users.ada, 'nightly');
    // Real values, so that a route that did accept a forged POST would have something to change.
    Object.assign(values, { id: String(taskId), key: saved.key, username: users.target.username, name: 'maniphest.edit', method: 'maniphest.edit', token: 'A'.repeat(43), ref: '999999', relationship: 'task.has-subtask', eventId: String(events[0]!.id) });
    const projectId = await createProject(t.db, users.ada, ProjectInput.parse({ name: 'Printers', hashtags: 'printers' }));
    const column = (await t.db('board_columns').where({ project_id: projectId }).first('id')).id as number;
    const message = await queueMail(t.db, { kind: 'test', to: ['someone@example.com'], subject: 'A probe', text: 'Probing.' });
    Object.assign(values, { column: String(column), hashtag: 'printers' });
    Object.assign(idsUnder, { '/settings/tokens/': String(token.row.id), '/project/': String(projectId), '/mail/': String(message) });
    [ada, bob] = await Promise.all([loggedIn(t.app, 'ada'), loggedIn(t.app, 'bob')]);
    visitor = new Browser(t.app);
    otherVisitor = new Browser(t.app);
  });

  /** Token ids and task ids are both `:id`; the token routes get a token's. */
  const urlOf = (route: RouteEntry) => {
    const under = Object.keys(idsUnder).find((prefix) => route.path.startsWith(prefix));
    return fillPath(route.path, under ? { ...values, id: idsUnder[under]! } : values);
  };

  /** Fields that would make each form do something, were its token accepted. */
  const FIELDS: Record<string, string> = {
    title: 'Forged title',
    description: 'Forged description',
    comment: 'Forged comment',
    priority: 'high',
    status: 'resolved',
    action: 'subscribe',
    text: 'Forged preview',
    username: 'ada',
    password: 'correct horse battery',
    confirm: 'correct horse battery',
    name: 'Forged name',
    query: 'statuses=any-open',
    direction: 'down',
    role: 'admin',
    disabled: 'true',
    scope: 'all',
    'params[transactions]': '[{"type":"title","value":"Forged"}]',
  };

  const FORMS = formRoutes();

  test('the URL map read at load is the live app\'s, and each parameter has a value here', () => {
    expect(formRoutes(t.app)).toEqual(FORMS);
    const routes = FORMS;
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const r of routes) for (const p of pathParams(r.path)) expect({ route: r.path, param: p, known: p in values }).toEqual({ route: r.path, param: p, known: true });
  });

  function expectRefused(page: Page) {
    expect(page.status).toBe(403);
    expect(page.dom.querySelector('.message')?.textContent).toBe(CSRF_MESSAGE);
  }

  test.each(FORMS.map((r) => r.path))('POST %s is refused without a valid token, and writes nothing', async (path) => {
    const route = FORMS.find((r) => r.path === path)!;
    const url = urlOf(route);
    const before = await everyRow(t.db);
    const [bobs, strangers] = [await bob.csrf('/maniphest/'), await otherVisitor.csrf('/login')];
    const adasOwn = await ada.csrf('/maniphest/');
    const attempts: [string, Browser, Record<string, string>][] = [
      ['a session, no token', ada, FIELDS],
      ['a session, an empty token', ada, { ...FIELDS, __csrf__: '' }],
      ['a session, a made-up token', ada, { ...FIELDS, __csrf__: adasOwn.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }],
      ["a session, another session's token", ada, { ...FIELDS, __csrf__: bobs }],
      ['a visitor, no token', visitor, FIELDS],
      ["a visitor, another visitor's token", visitor, { ...FIELDS, __csrf__: strangers }],
      ["a visitor, a logged-in person's token", visitor, { ...FIELDS, __csrf__: bobs }],
    ];
    for (const [, browser, fields] of attempts) expectRefused(await browser.postRaw(url, fields));
    // The same forms as arrays: a token sent twice is not a token.
    expectRefused(await ada.postRaw(url, { ...FIELDS, __csrf__: [adasOwn, adasOwn] }));
    expect(await everyRow(t.db)).toEqual(before);
  });

  test.each(FORMS.map((r) => r.path))('POST %s with its valid token gets past the check (the probes above reach the route)', async (path) => {
    const route = FORMS.find((r) => r.path === path)!;
    // A session of its own: the control may log out, or change what it names.
    const own = (await sessionOf(t.app, t.db, users.ada)).browser;
    const page = await own.post(urlOf(route), FIELDS, '/maniphest/');
    expect(page.dom.querySelector('.message')?.textContent ?? '').not.toBe(CSRF_MESSAGE);
    expect(page.status).toBeLessThan(500);
  });

  describe('Conduit (/api/), exempt from CSRF, takes no authority from a session cookie', () => {
    test('the only POST route under /api/ is Conduit\'s /api/:method', () => {
      const conduit = postRoutes(t.app).filter(isConduitRoute);
      expect(conduit.map((r) => r.path)).toEqual(['/api/:method']);
    });

    test.each(METHODS.filter((m) => m.needsToken).map((m) => m.name))('%s with only a session cookie (and its CSRF token) is refused, and writes nothing', async (name) => {
      // A session of its own: the probes above include ending every other session.
      const own = (await sessionOf(t.app, t.db, users.ada)).browser;
      const token = await own.csrf('/maniphest/');
      const before = await everyRow(t.db);
      const res = await own.agent.post(`/api/${name}`).type('form').send({ __csrf__: token, 'transactions[0][type]': 'title', 'transactions[0][value]': 'Via a cookie', objectIdentifier: values.id });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ result: null, error_code: 'ERR-INVALID-SESSION' });
      expect(await everyRow(t.db)).toEqual(before);
    });

    test('a call with a token acts as the token, never as the session beside it', async () => {
      const token = (await createApiToken(t.db, users.bob, 'bob')).token;
      const res = await ada.agent.post('/api/user.whoami').type('form').send({ 'api.token': token });
      expect(res.body.result.userName).toBe('bob');
      // And the same call from a stranger's machine, no cookie at all, answers alike.
      expect((await request(t.app).post('/api/user.whoami').type('form').send({ 'api.token': token })).body.result.userName).toBe('bob');
    });
  });
});

