import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { Browser, fieldError, formValues, loggedIn, textOf, type Page } from '../support/http';

const heading = (page: Page) => page.dom.querySelector('h1')!.textContent.trim();
const monograms = (page: Page) => page.dom.querySelectorAll('.task-row .monogram').map((a) => a.textContent.trim());
const builtinNav = (page: Page) => page.dom.querySelectorAll('.query-nav ul:not(.saved-queries) a').map((a) => textOf(a));
const savedNav = (page: Page) => page.dom.querySelectorAll('.query-nav ul.saved-queries a').map((a) => textOf(a));
const activeNav = (page: Page) => page.dom.querySelectorAll('.query-nav a.active').map((a) => textOf(a));
const manageNames = (page: Page) => page.dom.querySelectorAll('.saved-queries-table .rename-query input[name="name"]').map((i) => i.getAttribute('value'));

interface Row {
  owner_id: number;
  query_key: string;
  name: string;
  params: string;
  position: number;
}

describe('saved queries', () => {
  const t = useTestApp();
  let alice: Awaited<ReturnType<typeof createUser>>;
  let bob: Awaited<ReturnType<typeof createUser>>;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    ids.mine = await createTask(t.domain, alice, { title: 'Mine and high', priority: 'high', owner: 'alice' });
    ids.high = await createTask(t.domain, bob, { title: 'Someone else, high', priority: 'high' });
    ids.low = await createTask(t.domain, bob, { title: 'Low and lonely', priority: 'low' });
  });

  const rows = async (owner: { id: number }): Promise<Row[]> =>
    t.db('saved_queries').select('owner_id', 'query_key', 'name', 'params', 'position').where({ owner_id: owner.id }).orderBy('position');

  /** Saves the query of the list at `from` through the page's own save form. */
  async function save(browser: Browser, from: string, name: string): Promise<Page> {
    const list = await browser.get(from);
    expect(list.status).toBe(200);
    return browser.post('/maniphest/query/save/', { ...formValues(list, 'form.save-query'), name }, from);
  }

  afterEach(async () => {
    await t.db('saved_queries').delete();
  });

  test('a person saves the current query under a name; it is listed after the built-ins and opens at its own key', async () => {
    const browser = await loggedIn(t.app, 'alice');
    const search = await browser.get('/maniphest/query/?priorities=high&statuses=any-open');
    expect(formValues(search, 'form.save-query')).toEqual({ __csrf__: expect.any(String), query: 'statuses=any-open&priorities=high', name: '' });

    const saved = await save(browser, '/maniphest/query/?priorities=high&statuses=any-open', '  High, still open  ');
    expect(saved.status).toBe(303);
    expect(saved.location).toMatch(/^\/maniphest\/query\/[a-z2-7]{12}\/$/);
    const [row] = await rows(alice);
    expect(row).toEqual({ owner_id: alice.id, query_key: saved.location!.split('/')[3], name: 'High, still open', params: 'statuses=any-open&priorities=high', position: 1 });

    const page = await browser.get(saved.location!);
    expect(page.status).toBe(200);
    expect(heading(page)).toBe('High, still open');
    expect(monograms(page).sort()).toEqual([`T${ids.mine}`, `T${ids.high}`].sort());
    expect(builtinNav(page)).toEqual(['Assigned', 'Authored', 'Subscribed', 'Open Tasks', 'All Tasks', 'Overdue', 'Due This Week']);
    expect(savedNav(page)).toEqual(['High, still open']);
    expect(activeNav(page)).toEqual(['High, still open']);
    expect(page.dom.querySelector('.query-nav a[href="/maniphest/query/edit/"]')!.textContent).toBe('Manage Queries');
    // The filter form shows the saved parameters, so the query can be refined and saved again.
    expect(page.dom.querySelector('form.filters input[name="priorities"][value="high"]')!.hasAttribute('checked')).toBe(true);
  });

  test('a name is shown as the text typed, never as markup', async () => {
    const browser = await loggedIn(t.app, 'alice');
    const name = '<i>Mine</i> & "theirs"';
    const location = (await save(browser, '/maniphest/query/?priorities=high', name)).location!;
    const page = await browser.get(location);
    expect(heading(page)).toBe(name);
    expect(savedNav(page)).toEqual([name]);
    expect(page.dom.querySelector('.query-nav i, h1 i')).toBeNull();
    expect(manageNames(await browser.get('/maniphest/query/edit/'))).toEqual([name]);
  });

  test('the first saved query is the default list at /maniphest/, otherwise Assigned', async () => {
    const browser = await loggedIn(t.app, 'alice');
    let home = await browser.get('/maniphest/');
    expect(heading(home)).toBe('Assigned');
    expect(monograms(home)).toEqual([`T${ids.mine}`]);

    await save(browser, '/maniphest/query/?priorities=low', 'Low ones');
    await save(browser, '/maniphest/query/?priorities=high', 'High ones');
    home = await browser.get('/maniphest/');
    expect(home.status).toBe(200);
    expect(heading(home)).toBe('Low ones');
    expect(monograms(home)).toEqual([`T${ids.low}`]);
    expect(activeNav(home)).toEqual(['Low ones']);

    // Someone without saved queries still gets Assigned, and visitors Open Tasks.
    expect(heading(await (await loggedIn(t.app, 'bob')).get('/maniphest/'))).toBe('Assigned');
    expect(heading(await new Browser(t.app).get('/maniphest/'))).toBe('Open Tasks');
  });

  test('a name is required and at most 100 characters; a refused save keeps what was typed and changes nothing', async () => {
    const browser = await loggedIn(t.app, 'alice');
    const from = '/maniphest/query/?priorities=high';
    const list = await browser.get(from);

    let page = await browser.post('/maniphest/query/save/', { ...formValues(list, 'form.save-query'), name: '   ' }, from);
    expect(page.status).toBe(422);
    expect(fieldError(page, 'name', 'form.save-query')).toBe('Give the query a name.');
    // The results of the query are still there, and the form still carries the query.
    expect(monograms(page).sort()).toEqual([`T${ids.mine}`, `T${ids.high}`].sort());
    expect(formValues(page, 'form.save-query').query).toBe('priorities=high');

    const long = 'x'.repeat(101);
    page = await browser.post('/maniphest/query/save/', { ...formValues(list, 'form.save-query'), name: long }, from);
    expect(page.status).toBe(422);
    expect(fieldError(page, 'name', 'form.save-query')).toBe('Query names are at most 100 characters.');
    expect(formValues(page, 'form.save-query').name).toBe(long);

    page = await browser.post('/maniphest/query/save/', { query: 'statuses=shelved', name: 'Shelved' });
    expect(page.status).toBe(422);
    expect(page.text).toContain('This query has problems (shown in the filter form); fix them before saving it.');
    expect(page.text).toContain('"shelved" is not a status.');
    expect(await rows(alice)).toEqual([]);

    // Exactly 100 characters is fine.
    expect((await browser.post('/maniphest/query/save/', { ...formValues(list, 'form.save-query'), name: 'y'.repeat(100) }, from)).status).toBe(303);
    expect((await rows(alice)).map((r) => r.name)).toEqual(['y'.repeat(100)]);
  });

  test('Manage Queries renames, moves up and down, and deletes, each answering 303', async () => {
    const browser = await loggedIn(t.app, 'alice');
    for (const [name, q] of [['First', 'priorities=high'], ['Second', 'priorities=low'], ['Third', 'statuses=any-closed']]) {
      expect((await save(browser, `/maniphest/query/?${q}`, name!)).status).toBe(303);
    }
    const key = async (name: string) => (await rows(alice)).find((r) => r.name === name)!.query_key;
    const manage = '/maniphest/query/edit/';
    let page = await browser.get(manage);
    expect(page.status).toBe(200);
    expect(manageNames(page)).toEqual(['First', 'Second', 'Third']);
    // The ends have no button that would do nothing.
    expect(page.dom.querySelectorAll('.move-query').map((f) => f.querySelectorAll('button').map((b) => b.textContent))).toEqual([
      ['Move Down'],
      ['Move Up', 'Move Down'],
      ['Move Up'],
    ]);

    let res = await browser.post(`/maniphest/query/${await key('Second')}/rename`, { name: 'Second, renamed' }, manage);
    expect(res.status).toBe(303);
    expect(res.location).toBe(manage);

    res = await browser.post(`/maniphest/query/${await key('Third')}/rename`, { name: '' }, manage);
    expect(res.status).toBe(422);
    expect(fieldError(res, 'name', `form[action="/maniphest/query/${await key('Third')}/rename"]`)).toBe('Give the query a name.');
    expect(manageNames(res)).toEqual(['First', 'Second, renamed', '']);
    res = await browser.post(`/maniphest/query/${await key('Third')}/rename`, { name: 'z'.repeat(101) }, manage);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Query names are at most 100 characters.');
    expect(manageNames(res)).toEqual(['First', 'Second, renamed', 'z'.repeat(101)]);

    res = await browser.post(`/maniphest/query/${await key('Third')}/move`, { direction: 'up' }, manage);
    expect(res.status).toBe(303);
    expect(res.location).toBe(manage);
    expect((await rows(alice)).map((r) => r.name)).toEqual(['First', 'Third', 'Second, renamed']);
    await browser.post(`/maniphest/query/${await key('Third')}/move`, { direction: 'up' }, manage);
    // At either end a move leaves the order as it is.
    await browser.post(`/maniphest/query/${await key('Third')}/move`, { direction: 'up' }, manage);
    await browser.post(`/maniphest/query/${await key('Second, renamed')}/move`, { direction: 'down' }, manage);
    expect((await rows(alice)).map((r) => r.name)).toEqual(['Third', 'First', 'Second, renamed']);
    await browser.post(`/maniphest/query/${await key('Third')}/move`, { direction: 'down' }, manage);
    expect((await rows(alice)).map((r) => r.name)).toEqual(['First', 'Third', 'Second, renamed']);

    page = await browser.get('/maniphest/query/');
    expect(savedNav(page)).toEqual(['First', 'Third', 'Second, renamed']);
    expect(heading(await browser.get('/maniphest/'))).toBe('First');

    res = await browser.post(`/maniphest/query/${await key('First')}/delete`, {}, manage);
    expect(res.status).toBe(303);
    expect(res.location).toBe(manage);
    expect((await rows(alice)).map((r) => r.name)).toEqual(['Third', 'Second, renamed']);
    expect(heading(await browser.get('/maniphest/'))).toBe('Third');

    res = await browser.post(`/maniphest/query/${await key('Third')}/move`, { direction: 'sideways' }, manage);
    expect(res.status).toBe(422);
    expect(res.text).toContain('Choose to move the query up or down.');

    for (const name of ['Third', 'Second, renamed']) await browser.post(`/maniphest/query/${await key(name)}/delete`, {}, manage);
    page = await browser.get(manage);
    expect(page.text).toContain('You have no saved queries.');
    expect(savedNav(page)).toEqual([]);
    expect(heading(await browser.get('/maniphest/'))).toBe('Assigned');
  });

  test("another person's saved query answers 404, and so do its actions", async () => {
    const owner = await loggedIn(t.app, 'alice');
    const key = (await save(owner, '/maniphest/query/?priorities=high', 'Private list')).location!.split('/')[3]!;
    const before = await rows(alice);

    const other = await loggedIn(t.app, 'bob');
    const page = await other.get(`/maniphest/query/${key}/`);
    expect(page.status).toBe(404);
    expect(page.text).toContain('There is no such query.');
    expect(page.text).not.toContain('Private list');
    expect(savedNav(await other.get('/maniphest/'))).toEqual([]);
    expect((await other.get(`/maniphest/query/${key}/export.csv`)).status).toBe(404);
    expect((await other.post(`/maniphest/query/${key}/rename`, { name: 'Mine now' })).status).toBe(404);
    expect((await other.post(`/maniphest/query/${key}/rename`, { name: '' })).status).toBe(404);
    expect((await other.post(`/maniphest/query/${key}/move`, { direction: 'down' })).status).toBe(404);
    expect((await other.post(`/maniphest/query/${key}/delete`, {})).status).toBe(404);
    expect((await new Browser(t.app).get(`/maniphest/query/${key}/`)).status).toBe(404);
    expect((await other.get('/maniphest/query/abcdefghijkl/')).status).toBe(404);
    expect(await rows(alice)).toEqual(before);
    expect(await rows(bob)).toEqual([]);
  });

  test('every action needs the form token and a login', async () => {
    const browser = await loggedIn(t.app, 'alice');
    const key = (await save(browser, '/maniphest/query/?priorities=high', 'Kept')).location!.split('/')[3]!;
    const before = await rows(alice);
    for (const [path, fields] of [
      ['/maniphest/query/save/', { name: 'Forged', query: 'priorities=low' }],
      [`/maniphest/query/${key}/rename`, { name: 'Forged' }],
      [`/maniphest/query/${key}/move`, { direction: 'down' }],
      [`/maniphest/query/${key}/delete`, {}],
    ] as const) {
      const res = await browser.postRaw(path, fields);
      expect(res.status).toBe(403);
      expect(res.text).toContain('This form has expired or did not come from this site.');
    }
    expect(await rows(alice)).toEqual(before);

    const visitor = new Browser(t.app);
    const list = await visitor.get('/maniphest/query/?priorities=high');
    expect(list.dom.querySelector('form.save-query')).toBeNull();
    expect(list.dom.querySelector('.query-nav a[href="/maniphest/query/edit/"]')).toBeNull();
    const manage = await visitor.get('/maniphest/query/edit/');
    expect(manage.status).toBe(303);
    expect(manage.location).toBe('/login?next=%2Fmaniphest%2Fquery%2Fedit%2F');
    const refused = await visitor.post('/maniphest/query/save/', { name: 'Anonymous', query: 'priorities=high' }, '/login');
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('You must log in to do that.');
    expect(await t.db('saved_queries').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 1 }]);
  });
});
