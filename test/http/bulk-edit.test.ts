import { queueBulkEdit } from '../../server/tasks/bulk';
import { listTargets } from '../../server/tasks/bulk-repository';
import { BulkEditRunner } from '../../server/tasks/bulk-runner';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { Browser, fieldError, formValues, loggedIn, textOf, timelineLines, type Page } from '../support/http';

const checkboxes = (page: Page) => page.dom.querySelectorAll('.task-row input.select-task');
const ticked = (page: Page) => checkboxes(page).filter((c) => c.hasAttribute('checked')).map((c) => c.getAttribute('value'));
const resultLines = (page: Page, selector: string) => page.dom.querySelectorAll(selector).map((li) => textOf(li));

/**
 * Posts the bulk form, which answers with a redirect to the edit's own page,
 * and reads that page until the edit has finished.
 */
async function bulkEdit(browser: Browser, fields: Record<string, string | string[]>, from: string): Promise<Page> {
  const posted = await browser.post('/maniphest/bulk/', fields, from);
  expect(posted.status).toBe(303);
  expect(posted.location).toMatch(/^\/maniphest\/bulk\/[0-9]+\/$/);
  for (let tries = 0; ; tries++) {
    const page = await browser.get(posted.location!);
    expect(page.status).toBe(200);
    if (!page.dom.querySelector('.progress')) return page;
    if (tries === 100) throw new Error('The bulk edit did not finish.');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The bulk form as the list fills it in, with the person's choices and ticked tasks. */
function bulkFields(list: Page, fields: Record<string, string>, ids: number[] = []): Record<string, string | string[]> {
  // The token is the poster's own: Browser.post adds it.
  const { __csrf__: _token, ...form } = formValues(list, 'form#bulk-edit');
  return { ...form, ...fields, ids: ids.map(String) };
}

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
    expect(await t.db('task_subscribers').whereIn('task_id', ids).pluck('user_id')).toEqual([]);
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
    await t.deps.bulkEdits.kick();
    expect(await listTargets(t.db, job)).toEqual([
      { taskId: open, outcome: 'refused', reason: 'You do not have permission to change the status of this task.' },
      { taskId: hidden, outcome: 'refused', reason: 'There is no such task, or you may not see it.' },
    ]);
    const mixed = await queueBulkEdit(t.db, users.erin, [open, hidden], [{ type: 'priority', value: 'high' }], '/maniphest/');
    await t.deps.bulkEdits.kick();
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

describe('bulk edits run as jobs', () => {
  const t = useTestApp();
  const users = {} as Record<'mia' | 'ada' | 'erin', User>;

  beforeAll(async () => {
    users.mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    users.ada = await createUser(t.db, { username: 'ada', role: 'admin' });
    users.erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
  });

  /** An engineer's task, triaged as Normal, so every change below shows. */
  const task = (title: string) => createTask(t.domain, users.erin, { title, priority: 'normal' });
  const priorities = async (ids: number[]) => (await t.db('tasks').whereIn('id', ids).orderBy('id').pluck('priority')) as number[];

  const eventCount = async (ids: number[]) => (await t.db('task_events').whereIn('task_id', ids).count<{ n: number }[]>({ n: '*' }))[0]!.n;

  test('saving answers with a redirect, so reloading the report changes nothing again', async () => {
    const ids = [await task('One'), await task('Two')];
    const browser = await loggedIn(t.app, 'mia');
    const list = await browser.get('/maniphest/query/?authors=erin');
    const posted = await browser.post('/maniphest/bulk/', bulkFields(list, { scope: 'selected', priority: 'low' }, ids), '/maniphest/query/?authors=erin');
    expect(posted.status).toBe(303);
    const report = await bulkEdit(browser, bulkFields(list, { scope: 'selected', priority: 'low' }, ids), '/maniphest/query/?authors=erin');
    // The second run finds every task already at Low.
    expect(report.dom.querySelector('.summary')!.textContent).toBe('0 tasks were changed.');
    const events = await eventCount(ids);
    const jobs = await t.db('bulk_edits').count<{ n: number }[]>({ n: '*' });
    const again = await browser.get(posted.location!);
    expect(again.status).toBe(200);
    expect(again.dom.querySelector('.summary')!.textContent).toBe('2 tasks were changed.');
    expect(await eventCount(ids)).toBe(events);
    expect(await t.db('bulk_edits').count<{ n: string }[]>({ n: '*' })).toEqual(jobs);
  });

  test('a running edit shows its progress and reloads itself; the report follows when it is done', async () => {
    const ids = [await task('Slow one'), await task('Slow two')];
    // Queued without waking the runner: what a person sees while another process is still at work.
    const job = await queueBulkEdit(t.db, users.mia, ids, [{ type: 'priority', value: 'wish' }], '/maniphest/query/?authors=erin');
    const browser = await loggedIn(t.app, 'mia');
    const running = await browser.get(`/maniphest/bulk/${job}/`);
    expect(running.status).toBe(200);
    expect(running.dom.querySelector('.progress')!.textContent).toBe('0 of 2 tasks done so far. This page reloads until the edit is finished.');
    expect(running.dom.querySelector('meta[http-equiv="refresh"]')!.getAttribute('content')).toBe('2');
    expect(await priorities(ids)).toEqual([50, 50]);

    await t.deps.bulkEdits.kick();
    const done = await browser.get(`/maniphest/bulk/${job}/`);
    expect(done.dom.querySelector('.progress')).toBeNull();
    expect(done.dom.querySelector('meta[http-equiv="refresh"]')).toBeNull();
    expect(done.dom.querySelector('.summary')!.textContent).toBe('2 tasks were changed.');
    expect(done.dom.querySelector('a[href="/maniphest/query/?authors=erin"]')!.textContent).toBe('Back to the list');
    expect(await priorities(ids)).toEqual([0, 0]);
  });

  test('only the person who started an edit sees its page', async () => {
    const job = await queueBulkEdit(t.db, users.mia, [await task('Private')], [{ type: 'priority', value: 'low' }], '/maniphest/');
    await t.deps.bulkEdits.kick();
    for (const name of ['ada', 'erin']) {
      const page = await (await loggedIn(t.app, name)).get(`/maniphest/bulk/${job}/`);
      expect(page.status).toBe(404);
      expect(page.text).toContain('There is no such bulk edit.');
    }
    for (const path of ['/maniphest/bulk/999999/', '/maniphest/bulk/abc/', '/maniphest/bulk/99999999999/']) {
      expect((await (await loggedIn(t.app, 'mia')).get(path)).status).toBe(404);
    }
    expect((await new Browser(t.app).get(`/maniphest/bulk/${job}/`)).status).toBe(403);
  });

  test('a job whose process stopped is taken up by another once its lease lapses, where it was left off', async () => {
    const ids = [];
    for (const title of ['A', 'B', 'C']) ids.push(await task(title));
    const job = await queueBulkEdit(t.db, users.mia, ids, [{ type: 'priority', value: 'high' }], '/maniphest/');
    // Another process claimed it and edited the first task before it died.
    await t.db('bulk_edits').where({ id: job }).update({ claimed_until: t.db.raw(`now() + interval '1 minute'`) });
    await t.db('tasks').where({ id: ids[0] }).update({ priority: 80 });
    await t.db('bulk_edit_tasks').where({ bulk_edit_id: job, position: 1 }).update({ outcome: 'changed' });

    // While its lease holds, the job is left alone.
    await t.deps.bulkEdits.kick();
    expect(await priorities(ids)).toEqual([80, 50, 50]);
    expect((await t.db('bulk_edits').where({ id: job }).first('finished_at')).finished_at).toBeNull();

    await t.db('bulk_edits').where({ id: job }).update({ claimed_until: t.db.raw(`now() - interval '1 second'`) });
    await t.deps.bulkEdits.kick();
    expect(await priorities(ids)).toEqual([80, 80, 80]);
    expect(await listTargets(t.db, job)).toEqual(ids.map((taskId) => ({ taskId, outcome: 'changed', reason: null })));
    expect((await t.db('bulk_edits').where({ id: job }).first('finished_at', 'claimed_until')).claimed_until).toBeNull();
    // Only the two tasks edited here got priority events from this run.
    expect(await t.db('task_events').whereIn('task_id', ids).where({ type: 'priority', actor_id: users.mia.id }).pluck('task_id')).toEqual([ids[1], ids[2]]);
  });

  test('a started runner finds queued jobs by itself, without being woken', async () => {
    const id = await task('Found by polling');
    const job = await queueBulkEdit(t.db, users.mia, [id], [{ type: 'priority', value: 'high' }], '/maniphest/');
    const poller = new BulkEditRunner(t.domain, (line) => t.errors.push(line));
    poller.start(20);
    try {
      for (let tries = 0; !(await t.db('bulk_edits').where({ id: job }).first('finished_at')).finished_at; tries++) {
        if (tries === 200) throw new Error('The runner never took the job.');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      await poller.stop();
    }
    expect(await priorities([id])).toEqual([80]);
  });

  test('two runners on one database never take the same job', async () => {
    const jobs: number[] = [];
    const all: number[] = [];
    for (let j = 0; j < 4; j++) {
      const ids = [];
      for (let i = 0; i < 3; i++) ids.push(await task(`Job ${j} task ${i}`));
      all.push(...ids);
      jobs.push(await queueBulkEdit(t.db, users.mia, ids, [{ type: 'priority', value: 'triage' }], '/maniphest/'));
    }
    const other = new BulkEditRunner(t.domain, (line) => t.errors.push(line));
    await Promise.all([t.deps.bulkEdits.kick(), other.kick()]);
    await other.stop();
    expect(await t.db('bulk_edits').whereIn('id', jobs).whereNull('finished_at').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
    // Each task edited once: twelve priority changes, no more.
    expect(await t.db('task_events').whereIn('task_id', all).where({ type: 'priority', actor_id: users.mia.id }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 12 }]);
  });

  test('an edit started by someone whose account is disabled before it runs changes nothing', async () => {
    const id = await task('Left alone');
    const job = await queueBulkEdit(t.db, users.ada, [id], [{ type: 'priority', value: 'unbreak' }], '/maniphest/');
    await t.db('users').where({ id: users.ada.id }).update({ disabled_at: t.db.fn.now() });
    await t.deps.bulkEdits.kick();
    expect(await listTargets(t.db, job)).toEqual([{ taskId: id, outcome: 'refused', reason: 'The account that started this bulk edit is disabled.' }]);
    expect(await priorities([id])).toEqual([50]);
  });
});
