import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { Browser, formValues, loggedIn, textOf } from '../support/http';

describe('the API console at /conduit/', () => {
  const t = useTestApp();
  let alice: User;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
    await createUser(t.db, { username: 'rita', role: 'reader' });
  });

  test('lists every method, each linked to its page', async () => {
    const page = await new Browser(t.app).get('/conduit/');
    expect(page.status).toBe(200);
    const rows = page.dom.querySelectorAll('.conduit-methods tbody tr');
    expect(rows.map((r) => r.querySelector('a')!.textContent)).toEqual([
      'conduit.getcapabilities',
      'conduit.ping',
      'conduit.query',
      'maniphest.createtask',
      'maniphest.edit',
      'maniphest.gettasktransactions',
      'maniphest.info',
      'maniphest.priority.search',
      'maniphest.query',
      'maniphest.querystatuses',
      'maniphest.search',
      'maniphest.status.search',
      'maniphest.update',
      'project.column.search',
      'project.edit',
      'project.search',
      'transaction.search',
      'user.search',
      'user.whoami',
    ]);
    expect(rows[1]!.querySelector('a')!.getAttribute('href')).toBe('/conduit/method/conduit.ping/');
    expect(textOf(rows[1]!)).toContain('No token needed');
    expect(page.text).toContain('Log in to create a token.');
  });

  test("a method's page documents its parameters, shows curl examples and a form prefilled with the example", async () => {
    const alices = await loggedIn(t.app, 'alice');
    const page = await alices.get('/conduit/method/maniphest.search/');
    expect(page.status).toBe(200);
    expect(page.dom.querySelector('h1')!.textContent).toBe('maniphest.search');
    expect(page.dom.querySelectorAll('.conduit-params tbody tr').map((r) => r.querySelector('code')!.textContent)).toEqual([
      'queryKey',
      'constraints',
      'attachments',
      'order',
      'before',
      'after',
      'limit',
    ]);
    const [plain, json] = page.dom.querySelectorAll('pre.example').map((p) => p.textContent);
    expect(plain).toMatch(/^curl http:\/\/127\.0\.0\.1:[0-9]+\/api\/maniphest\.search \\\n/);
    expect(plain).toContain("--data-urlencode 'constraints[priorities][0]=100'");
    expect(plain).toContain("--data-urlencode 'attachments[subscribers]=1'");
    expect(json).toContain(`--data-urlencode 'params={"queryKey":"open","constraints":{"priorities":[100,80]},"attachments":{"subscribers":true},"limit":20,"__conduit__":{"token":"api-`);
    const form = formValues(page, 'form.conduit-form');
    expect(form['params[queryKey]']).toBe('"open"');
    expect(form['params[limit]']).toBe('20');
    expect(form['params[after]']).toBe('');
    expect(form.__csrf__).toBeTruthy();

    const visitor = await new Browser(t.app).get('/conduit/method/maniphest.search/');
    expect(visitor.dom.querySelector('form.conduit-form')).toBeNull();
    expect(visitor.text).toContain('Log in to call this method from here.');
    expect((await new Browser(t.app).get('/conduit/method/maniphest.nothing/')).status).toBe(404);
    const ping = await new Browser(t.app).get('/conduit/method/conduit.ping/');
    expect(ping.dom.querySelector('pre.example')!.textContent).toMatch(/^curl -X POST http:\/\/127\.0\.0\.1:[0-9]+\/api\/conduit\.ping$/);
    expect(ping.text).toContain('This method takes no parameters.');
  });

  test('the form calls the method as the person logged in, through the same editor', async () => {
    const alices = await loggedIn(t.app, 'alice');
    const whoami = await alices.post('/conduit/method/user.whoami/', {}, '/conduit/method/user.whoami/');
    expect(whoami.status).toBe(200);
    expect(JSON.parse(whoami.dom.querySelector('pre.conduit-result')!.textContent)).toMatchObject({ result: { userName: 'alice', phid: alice.phid }, error_code: null, error_info: null });

    const created = await alices.post(
      '/conduit/method/maniphest.edit/',
      { 'params[objectIdentifier]': '', 'params[transactions]': JSON.stringify([{ type: 'title', value: 'From the console' }]) },
      '/conduit/method/maniphest.edit/',
    );
    const answer = JSON.parse(created.dom.querySelector('pre.conduit-result')!.textContent);
    expect(answer.error_code).toBeNull();
    const task = await t.db('tasks').where({ id: answer.result.object.id }).first();
    expect(task).toMatchObject({ title: 'From the console', author_id: alice.id });
    expect(await t.db('task_events').where({ task_id: task.id }).distinct('source').pluck('source')).toEqual(['api']);
    // The person's input stays in the form.
    expect(formValues(created, 'form.conduit-form')['params[transactions]']).toBe(JSON.stringify([{ type: 'title', value: 'From the console' }]));

    const bad = await alices.post('/conduit/method/maniphest.search/', { 'params[limit]': 'lots' }, '/conduit/method/maniphest.search/');
    expect(JSON.parse(bad.dom.querySelector('pre.conduit-result')!.textContent)).toMatchObject({ error_code: 'ERR-CONDUIT-CALL' });
  });

  test('the form is CSRF-protected and only for people logged in; roles still apply', async () => {
    const before = Number((await t.db('tasks').count<{ n: number }[]>({ n: '*' }))[0]!.n);
    const alices = await loggedIn(t.app, 'alice');
    const forged = await alices.postRaw('/conduit/method/maniphest.edit/', { 'params[transactions]': JSON.stringify([{ type: 'title', value: 'Forged' }]) });
    expect(forged.status).toBe(403);
    const visitor = new Browser(t.app);
    const anonymous = await visitor.post('/conduit/method/maniphest.edit/', { 'params[transactions]': JSON.stringify([{ type: 'title', value: 'Anonymous' }]) }, '/login');
    expect(anonymous.status).toBe(403);
    expect(anonymous.text).toContain('You must log in to do that.');
    const rita = await loggedIn(t.app, 'rita');
    const reader = await rita.post('/conduit/method/maniphest.edit/', { 'params[transactions]': JSON.stringify([{ type: 'title', value: 'Reader' }]) }, '/conduit/');
    expect(JSON.parse(reader.dom.querySelector('pre.conduit-result')!.textContent)).toEqual({
      result: null,
      error_code: 'ERR-CONDUIT-CORE',
      error_info: 'You do not have permission to create tasks.',
    });
    expect(Number((await t.db('tasks').count<{ n: number }[]>({ n: '*' }))[0]!.n)).toBe(before);
  });
});
