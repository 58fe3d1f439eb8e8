import { queueBulkEdit } from '../../server/tasks/bulk';
import { listTargets } from '../../server/tasks/bulk-repository';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { bulkEdit, bulkFields } from '../support/bulk';
import { createTask, createUser } from '../support/factories';
import { Browser, fieldError, formValues, loggedIn, textOf, timelineLines, type Page } from '../support/http';

const checkboxes = (page: Page) => page.dom.querySelectorAll('.task-row input.select-task');
const ticked = (page: Page) => checkboxes(page).filter((c) => c.hasAttribute('checked')).map((c) => c.getAttribute('value'));
const resultLines = (page: Page, selector: string) => page.dom.querySelectorAll(selector).map((li) => textOf(li));

describe('bulk edit from a list', () => {
  const t = useTestApp();
  const users = {} as Record<'mia' | 'ada' | 'erin' | 'rita' | 'carol' | 'dave', User>;

  beforeAll(async () => {
    users.mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    users.ada = await createUser(t.db, { username: 'ada', role: 'admin' });
    users.erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
    users.rita = await createUser(t.db, { username: 'rita', role: 'reader' });
    users.carol = await createUser(t.db, { username: 'carol', role: 'engineer' });
    users.dave = await createUser(t.db, { username: 'dave', role: 'engineer' });
  });

  /** Tasks by a fresh author, so each test's query finds only its own tasks. */
  async function tasksBy(username: string, titles: string[], overrides: { priority?: string } = {}): Promise<number[]> {
    const author = await createUser(t.db, { username, role: 'engineer' });
    const ids: number[] = [];
    for (const title of titles) ids.push(await createTask(t.domain, author, { title, priority: 'normal', ...overrides }));
    return ids;
  }

  const snapshot = async () => ({
    tasks: await t.db('tasks').orderBy('id').select('id', 'priority', 'status', 'owner_id', 'updated_at'),
    events: await t.db('task_events').orderBy('id').select('id'),
    subscribers: await t.db('task_subscribers').orderBy(['task_id', 'user_id']).select('task_id', 'user_id'),
  });

  test('a maintainer ticks tasks and changes them; each task gets its own group of events, as if edited by hand', async () => {
    const [a, b, c] = await tasksBy('fred', ['Alpha', 'Beta', 'Gamma']);
    const browser = await loggedIn(t.app, 'mia');
    const from = '/maniphest/query/?authors=fred';
    const list = await browser.get(from);
    expect(checkboxes(list).map((box) => box.getAttribute('value')).sort()).toEqual([a, b, c].map(String).sort());
    expect(formValues(list, 'form#bulk-edit')).toMatchObject({ query: 'authors=fred', back: '/maniphest/query/?authors=fred', priority: '', status: '', owner: '' });

    const result = await bulkEdit(browser, bulkFields(list, { scope: 'selected', priority: 'high', owner: 'carol', addSubscribers: 'dave' }, [a!, c!]), from);
    expect(result.dom.querySelector('h1')!.textContent).toBe('Bulk Edit');
    expect(result.dom.querySelector('.summary')!.textContent).toBe('2 tasks were changed.');
    expect(resultLines(result, 'ul.changed li')).toEqual([`T${a}`, `T${c}`]);
    expect(result.dom.querySelector('a[href="/maniphest/query/?authors=fred"]')!.textContent).toBe('Back to the list');

    for (const id of [a, c]) {
      const page = await browser.get(`/T${id}`);
      expect(timelineLines(page).slice(-3)).toEqual([
        'mia assigned this task to carol.',
        'mia raised the priority of this task from Normal to High.',
        'mia added a subscriber: dave.',
      ]);
    }
    const groups = await t.db('task_events').whereIn('task_id', [a, c]).where({ actor_id: users.mia.id }).select('task_id', 'group_id', 'type', 'source');
    expect(groups).toHaveLength(6);
    expect(new Set(groups.filter((e) => e.task_id === a).map((e) => e.group_id)).size).toBe(1);
    expect(new Set(groups.filter((e) => e.task_id === c).map((e) => e.group_id)).size).toBe(1);
    expect(groups.find((e) => e.task_id === a)!.group_id).not.toBe(groups.find((e) => e.task_id === c)!.group_id);
    expect(new Set(groups.map((e) => e.source))).toEqual(new Set(['web']));

    const rows = await t.db('tasks').whereIn('id', [a, b, c]).orderBy('id').select('id', 'priority', 'owner_id');
    expect(rows).toEqual([
      { id: a, priority: 80, owner_id: users.carol.id },
      { id: b, priority: 50, owner_id: null },
      { id: c, priority: 80, owner_id: users.carol.id },
    ]);
    expect(await t.db('task_events').where({ task_id: b, actor_id: users.mia.id }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
  });

  test('"Edit All Results" changes every result of the query, not only the page shown', async () => {
    const ids = await tasksBy('gina', ['One', 'Two', 'Three', 'Four', 'Five']);
    const closedElsewhere = await createTask(t.domain, users.dave, { title: 'Not in the query' });
    const browser = await loggedIn(t.app, 'ada');
    const from = '/maniphest/query/?authors=gina&statuses=any-open&limit=2';
    const list = await browser.get(from);
    expect(checkboxes(list)).toHaveLength(2);

    const result = await bulkEdit(browser, bulkFields(list, { scope: 'all', status: 'resolved', removeSubscribers: 'gina' }), from);
    expect(result.dom.querySelector('.summary')!.textContent).toBe('5 tasks were changed.');
    const rows = await t.db('tasks').whereIn('id', ids).orderBy('id').select('status', 'owner_id', 'closer_id');
    // Closing an unassigned task assigns it to whoever closed it, as it does by hand.
    expect(rows).toEqual(ids.map(() => ({ status: 'resolved', owner_id: users.ada.id, closer_id: users.ada.id })));
    // gina is gone; ada, now the owner, is subscribed by being given the task.
    expect(await t.db('task_subscribers').whereIn('task_id', ids).pluck('user_id')).toEqual(ids.map(() => users.ada.id));
    const page = await browser.get(`/T${ids[0]}`);
    expect(timelineLines(page).slice(-3)).toEqual(['ada closed this task as Resolved.', 'ada claimed this task.', 'ada removed a subscriber: gina.']);
    expect((await t.db('tasks').where({ id: closedElsewhere }).first('status')).status).toBe('open');

    // Now the query has no results: a second run changes nothing and says so.
    const again = await bulkEdit(browser, bulkFields(list, { scope: 'all', priority: 'low' }), from);
    expect(again.dom.querySelector('.summary')!.textContent).toBe('0 tasks were changed.');
  });

  test('tasks that cannot be edited are reported with the reason, and the others are done', async () => {
    const [done, already] = await tasksBy('hank', ['Will change', 'Already high']);
    await t.db('tasks').where({ id: already }).update({ priority: 80 });
    const missing = 999999;
    const browser = await loggedIn(t.app, 'mia');
    const from = '/maniphest/query/?authors=hank';
    const list = await browser.get(from);

    const result = await bulkEdit(browser, bulkFields(list, { scope: 'selected', priority: 'high' }, [done!, missing, already!]), from);
    expect(result.dom.querySelector('.summary')!.textContent).toBe('1 task was changed.');
    expect(resultLines(result, 'ul.changed li')).toEqual([`T${done}`]);
    expect(result.text).toContain('1 task already had these values and was left as it was.');
    expect(resultLines(result, 'ul.unchanged li')).toEqual([`T${already}`]);
    expect(result.dom.querySelector('.refused-summary')!.textContent).toBe('1 task was not changed:');
    expect(resultLines(result, 'ul.refused li')).toEqual([`T${missing}: There is no such task, or you may not see it.`]);
    expect(await t.db('task_events').where({ task_id: already, type: 'priority', actor_id: users.mia.id }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
  });

  test('the editor checks each task for the actor: refusals come back per task with their reason', async () => {
    // The route lets only maintainers in, who may change any task; the per-task check is the editor's, so it is shown with an engineer.
    const open = await createTask(t.domain, users.dave, { title: 'Visible to users' });
    const hidden = await createTask(t.domain, users.mia, { title: 'Maintainers only', view: 'maintainers' });
    const job = await queueBulkEdit(t.db, users.erin, [open, hidden], [{ type: 'status', value: 'resolved' }], '/maniphest/');
    await t.deps.jobs.kick();
    expect(await listTargets(t.db, job)).toEqual([
      { taskId: open, outcome: 'refused', reason: 'You do not have permission to change the status of this task.' },
      { taskId: hidden, outcome: 'refused', reason: 'There is no such task, or you may not see it.' },
    ]);
    const mixed = await queueBulkEdit(t.db, users.erin, [open, hidden], [{ type: 'priority', value: 'high' }], '/maniphest/');
    await t.deps.jobs.kick();
    expect(await listTargets(t.db, mixed)).toEqual([
      { taskId: open, outcome: 'changed', reason: null },
      { taskId: hidden, outcome: 'refused', reason: 'There is no such task, or you may not see it.' },
    ]);
  });

  test('only maintainers and admins bulk edit: others get no checkboxes, and a forged POST is refused and changes nothing', async () => {
    const [id] = await tasksBy('ivan', ['Untouchable']);
    const from = '/maniphest/query/?authors=ivan';
    const maintainerList = await (await loggedIn(t.app, 'mia')).get(from);
    const fields = bulkFields(maintainerList, { scope: 'selected', priority: 'wish' }, [id!]);
    const before = await snapshot();

    for (const name of ['erin', 'rita']) {
      const browser = await loggedIn(t.app, name);
      const list = await browser.get(from);
      expect(list.status).toBe(200);
      expect(checkboxes(list)).toHaveLength(0);
      expect(list.dom.querySelector('form#bulk-edit')).toBeNull();
      const res = await browser.post('/maniphest/bulk/', fields, from);
      expect(res.status).toBe(403);
      expect(res.text).toContain('You do not have permission to edit tasks in bulk.');
    }
    const visitor = await new Browser(t.app).post('/maniphest/bulk/', fields, '/login');
    expect(visitor.status).toBe(403);
    expect(visitor.text).toContain('You must log in to do that.');
    const forged = await (await loggedIn(t.app, 'mia')).postRaw('/maniphest/bulk/', { ...fields, __csrf__: 'forged' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('This form has expired or did not come from this site.');
    expect(await snapshot()).toEqual(before);
  });

  test('a refused form re-renders the list with the problem, the choices and the ticks kept, and changes nothing', async () => {
    const [a, b] = await tasksBy('jane', ['First', 'Second']);
    const browser = await loggedIn(t.app, 'mia');
    const from = '/maniphest/query/?authors=jane';
    const list = await browser.get(from);
    const before = await snapshot();

    let page = await browser.post('/maniphest/bulk/', bulkFields(list, { scope: 'selected' }, [b!]), from);
    expect(page.status).toBe(422);
    expect(page.text).toContain('Choose at least one change to make.');
    expect(ticked(page)).toEqual([String(b)]);
    expect(page.dom.querySelector('details.bulk-edit')!.hasAttribute('open')).toBe(true);

    page = await browser.post('/maniphest/bulk/', bulkFields(list, { scope: 'selected', priority: 'high', owner: 'zed', addSubscribers: 'carol, nobody2' }, [a!, b!]), from);
    expect(page.status).toBe(422);
    expect(fieldError(page, 'owner', 'form#bulk-edit')).toBe('There is no user named "zed".');
    expect(fieldError(page, 'addSubscribers', 'form#bulk-edit')).toBe('There is no user named "nobody2".');
    expect(formValues(page, 'form#bulk-edit')).toMatchObject({ priority: 'high', owner: 'zed', addSubscribers: 'carol, nobody2', query: 'authors=jane' });
    expect(ticked(page).sort()).toEqual([String(a), String(b)].sort());

    page = await browser.post('/maniphest/bulk/', bulkFields(list, { scope: 'selected', priority: 'urgent', status: 'duplicate' }, [a!]), from);
    expect(page.status).toBe(422);
    expect(fieldError(page, 'priority', 'form#bulk-edit')).toBe('"urgent" is not a priority. Use unbreak, triage, high, normal, low, wish.');
    expect(fieldError(page, 'status', 'form#bulk-edit')).toBe('"duplicate" is not a status you can choose. Use open, resolved, wontfix, invalid.');

    page = await browser.post('/maniphest/bulk/', bulkFields(list, { scope: 'selected', owner: 'carol' }), from);
    expect(page.status).toBe(422);
    expect(page.text).toContain('Select at least one task, or choose to edit all results.');

    page = await browser.post('/maniphest/bulk/', bulkFields(list, { scope: 'selected', addSubscribers: 'carol', removeSubscribers: 'carol' }, [a!]), from);
    expect(page.status).toBe(422);
    expect(fieldError(page, 'removeSubscribers', 'form#bulk-edit')).toBe('Someone is both added and removed; choose one.');

    page = await browser.post('/maniphest/bulk/', { ...bulkFields(list, { scope: 'selected', owner: 'carol' }), ids: ['1', 'T2'] }, from);
    expect(page.status).toBe(422);
    expect(page.text).toContain('The selection is malformed; reload the page and select the tasks again.');

    expect(await snapshot()).toEqual(before);
  });
});

describe('bulk edit of all results has a limit', () => {
  const t = useTestApp();

  test('a query with more than 10,000 results is refused with a message before any change', async () => {
    const mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    // Rows written directly: ten thousand tasks through the editor would take minutes.
    await t.db.raw(
      `INSERT INTO tasks (title, status, priority, author_id, view_policy)
       SELECT 'Bulk ' || n, 'open', 50, ?, 'users' FROM generate_series(1, 10001) AS n`,
      [mia.id],
    );
    const browser = await loggedIn(t.app, 'mia');
    const from = '/maniphest/query/?statuses=open';
    const list = await browser.get(from);
    const fields = bulkFields(list, { scope: 'all', priority: 'high' });

    const page = await browser.post('/maniphest/bulk/', fields, from);
    expect(page.status).toBe(422);
    expect(page.text).toContain('This query has more than 10,000 results, too many to edit at once. Narrow it down and try again; nothing was changed.');
    expect(await t.db('tasks').where({ priority: 80 }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await t.db('task_events').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
  });
});
