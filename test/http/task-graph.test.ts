import { createProject } from '../../server/projects/edit';
import { ProjectInput } from '../../server/projects/project';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { formValues, loggedIn, textOf, timelineLines, type Browser, type Page } from '../support/http';

/**
 * Parents and subtasks as people use them: Create Subtask, the pickers without
 * JavaScript, the Task Graph section, the lines on both timelines, and never a
 * task the reader may not see.
 */

const idOf = (page: Page) => Number(/^\/T([0-9]+)$/.exec(page.location ?? '')?.[1]);

/** The graph section's rows: relation, monogram and title, owner, status, greyed or not. */
function graphRows(page: Page) {
  return page.dom.querySelectorAll('.task-graph .graph-row').map((r) => ({
    relation: textOf(r.querySelector('.graph-relation')!),
    task: `${textOf(r.querySelector('.monogram')!)} ${textOf(r.querySelector('.graph-title')!)}`,
    owner: textOf(r.querySelector('.graph-owner')!),
    state: textOf(r.querySelector('.graph-state')!),
    closed: r.classList.contains('closed'),
  }));
}

describe('the task graph on the web', () => {
  const t = useTestApp();
  const users = {} as Record<'alice' | 'bob' | 'mia' | 'rita', User>;
  let alice: Browser;
  let mia: Browser;
  let rita: Browser;

  beforeAll(async () => {
    users.alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
    users.bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    users.mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    users.rita = await createUser(t.db, { username: 'rita', role: 'reader' });
    alice = await loggedIn(t.app, 'alice');
    mia = await loggedIn(t.app, 'mia');
    rita = await loggedIn(t.app, 'rita');
  });

  test('Create Subtask opens a form with the parent and its defaults, and both timelines tell of the link', async () => {
    const parent = await createTask(t.domain, users.alice, { title: 'Ship the importer', priority: 'high', owner: 'bob' });
    await createProject(t.db, users.mia, ProjectInput.parse({ name: 'Importer' }));
    await edit(t.domain, users.alice, parent, { projects: { add: ['#importer'] } });
    const page = await alice.get(`/T${parent}`);
    const link = page.dom.querySelectorAll('.related-actions a').find((a) => textOf(a) === 'Create Subtask')!;
    const url = link.getAttribute('href')!;
    expect(new URL(url, 'http://x').searchParams.toString()).toBe(`parent=T${parent}&priority=high&view=users&owner=bob&projects=%23importer`);

    const form = await alice.get(url);
    const values = formValues(form, 'form.task-form');
    // An engineer's form has no visibility control; the new task takes the default.
    expect(values).toMatchObject({ parent: `T${parent}`, priority: 'high', owner: 'bob', projects: '#importer', title: '' });

    const created = await alice.post('/maniphest/task/edit/', { ...values, title: 'Read the CSV header' }, url);
    expect(created.status).toBe(303);
    const child = idOf(created);
    expect(await t.db('task_subtasks').where({ parent_id: parent, child_id: child }).first()).toBeTruthy();
    expect(await t.db('tasks').where({ id: child }).first()).toMatchObject({ priority: 80, owner_id: users.bob.id });
    expect(timelineLines(await alice.get(`/T${child}`))).toContain('alice added a project: #importer.');

    expect(timelineLines(await alice.get(`/T${parent}`))).toContain(`alice added a subtask: T${child}: Read the CSV header.`);
    expect(timelineLines(await alice.get(`/T${child}`))).toContain(`alice added a parent task: T${parent}: Ship the importer.`);
  });

  test('the create form takes its defaults from the URL, and ignores what is not one text value', async () => {
    const form = await mia.get('/maniphest/task/edit/?title=Printer%20on%20fire&priority=high&owner=bob&description=Tray%202&view=public&status[]=x');
    expect(form.status).toBe(200);
    expect(formValues(form, 'form.task-form')).toMatchObject({ title: 'Printer on fire', priority: 'high', owner: 'bob', description: 'Tray 2', view: 'public' });
    expect(form.dom.querySelector('[name="parent"]')).toBeNull();
  });

  test('the graph draws parents above and subtasks below, transitively, and leaves out what the reader may not see', async () => {
    const top = await createTask(t.domain, users.alice, { title: 'Roadmap' });
    const mid = await createTask(t.domain, users.alice, { title: 'Importer', owner: 'bob' });
    const leaf = await createTask(t.domain, users.alice, { title: 'CSV header' });
    const secret = await createTask(t.domain, users.mia, { title: 'Secret vendor deal', view: 'maintainers' });
    const underSecret = await createTask(t.domain, users.alice, { title: 'Behind the secret' });
    await edit(t.domain, users.alice, mid, { parents: { add: [top] }, subtasks: { add: [leaf] } });
    await edit(t.domain, users.mia, mid, { subtasks: { add: [secret] } });
    await edit(t.domain, users.mia, secret, { subtasks: { add: [underSecret] } });
    await edit(t.domain, users.mia, leaf, { status: 'resolved' });

    expect(graphRows(await alice.get(`/T${mid}`))).toEqual([
      { relation: 'Parent', task: `T${top} Roadmap`, owner: 'Unassigned', state: 'Open', closed: false },
      { relation: 'This Task', task: `T${mid} Importer`, owner: 'bob', state: 'Open', closed: false },
      { relation: 'Subtask', task: `T${leaf} CSV header`, owner: 'mia', state: 'Resolved', closed: true },
    ]);
    const forMia = graphRows(await mia.get(`/T${top}`)).map((r) => r.task);
    expect(forMia).toEqual([`T${top} Roadmap`, `T${mid} Importer`, `T${leaf} CSV header`, `T${secret} Secret vendor deal`, `T${underSecret} Behind the secret`]);

    // The hidden task's lines on the timeline are gone for alice, as if it did not exist.
    const lines = timelineLines(await alice.get(`/T${mid}`));
    expect(lines.join('\n')).not.toContain('Secret');
    expect(lines.join('\n')).not.toContain(`T${secret}`);
    expect(lines).toContain(`mia closed T${leaf}: CSV header, a subtask of T${mid}, as Resolved.`);
  });

  test('Edit Subtasks without JavaScript: search, tick, save; a cycle is refused with its path and the search kept', async () => {
    const epic = await createTask(t.domain, users.alice, { title: 'Quarterly cleanup epic' });
    const a = await createTask(t.domain, users.alice, { title: 'Cleanup the logs' });
    const b = await createTask(t.domain, users.alice, { title: 'Cleanup the queues' });
    await createTask(t.domain, users.mia, { title: 'Cleanup the secret bucket', view: 'maintainers' });
    const url = `/search/rel/task.has-subtask/${epic}/`;

    const picker = await alice.get(`${url}?q=cleanup`);
    expect(picker.status).toBe(200);
    const found = picker.dom.querySelectorAll('.picker-results li').map((li) => textOf(li));
    expect(found).toEqual([`T${b}: Cleanup the queues Open, Needs Triage`, `T${a}: Cleanup the logs Open, Needs Triage`]);

    const saved = await alice.post(url, { add: [String(a), String(b)], q: 'cleanup' }, `${url}?q=cleanup`);
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`/T${epic}`);
    expect(timelineLines(await alice.get(`/T${epic}`))).toContain(`alice added subtasks: T${a}: Cleanup the logs, T${b}: Cleanup the queues.`);

    const back = `/search/rel/task.has-subtask/${a}/`;
    const cycle = await alice.post(back, { add: [String(epic)], q: 'epic' }, back);
    expect(cycle.status).toBe(422);
    expect(cycle.text).toContain(`T${epic} can not be a subtask of T${a}: T${a} is already a subtask of T${epic}.`);
    expect(formValues(cycle, 'form.picker-search').q).toBe('epic');

    const removed = await alice.post(url, { remove: [String(a)] }, url);
    expect(removed.status).toBe(303);
    expect(await t.db('task_subtasks').where({ parent_id: epic }).pluck('child_id')).toEqual([b]);
    expect(timelineLines(await alice.get(`/T${a}`))).toContain(`alice removed a parent task: T${epic}: Quarterly cleanup epic.`);
  });

  test('bad picker input is a clear 4xx and nothing is written', async () => {
    const task = await createTask(t.domain, users.alice, { title: 'Picker target' });
    const secret = await createTask(t.domain, users.mia, { title: 'Hidden', view: 'maintainers' });
    const url = `/search/rel/task.has-parent/${task}/`;
    const cases: [Record<string, string | string[]>, number, string][] = [
      [{ add: String(task) }, 422, 'A task can not be its own parent.'],
      [{ add: '999999' }, 422, 'There is no task T999999.'],
      [{ add: String(secret) }, 422, `There is no task T${secret}.`],
      [{ add: 'T12x' }, 422, '"T12x" is not a task'],
      [{}, 422, 'Choose at least one task.'],
      [{ add: Array.from({ length: 101 }, (_v, i) => String(i + 1)) }, 413, 'Name at most 100 tasks at once.'],
    ];
    for (const [fields, status, message] of cases) {
      const page = await alice.post(url, fields, url);
      expect({ status: page.status, has: page.text.includes(message) }).toEqual({ status, has: true });
    }
    expect(await t.db('task_subtasks').where({ child_id: task })).toEqual([]);
    expect((await rita.get(url)).status).toBe(403);
    expect((await alice.get(`/search/rel/task.has-parent/${secret}/`)).status).toBe(404);
    expect((await alice.get(`/search/rel/task.nonsense/${task}/`)).status).toBe(404);
  });

  test('merging duplicates in: closed as Duplicate, both sentences, subscribers carried over, listed on the survivor', async () => {
    const survivor = await createTask(t.domain, users.alice, { title: 'Login page is slow' });
    const dup1 = await createTask(t.domain, users.bob, { title: 'Slow login', owner: 'alice' });
    const dup2 = await createTask(t.domain, users.bob, { title: 'Login takes ages' });
    await edit(t.domain, users.mia, dup2, { subscribers: { add: [users.rita.id] } });
    const url = `/search/rel/task.merge-in/${survivor}/`;
    expect((await alice.get(url)).status).toBe(403);

    const picker = await mia.get(`${url}?q=login`);
    expect(picker.dom.querySelectorAll('.picker-results li').map((li) => textOf(li))).toEqual([
      `T${dup2}: Login takes ages Open, Needs Triage`,
      `T${dup1}: Slow login Open, Needs Triage`,
    ]);
    const merged = await mia.post(url, { add: [String(dup1), String(dup2)] }, url);
    expect(merged.status).toBe(303);

    for (const dup of [dup1, dup2]) {
      expect(await t.db('tasks').where({ id: dup }).first()).toMatchObject({ status: 'duplicate', closer_id: users.mia.id });
      expect(timelineLines(await alice.get(`/T${dup}`))).toContain(`mia closed this task as a duplicate of T${survivor}: Login page is slow.`);
    }
    const page = await alice.get(`/T${survivor}`);
    expect(timelineLines(page)).toContain(`mia merged T${dup1}: Slow login, T${dup2}: Login takes ages into this task.`);
    expect(page.dom.querySelectorAll('.duplicates .task-link a').map((a) => textOf(a))).toEqual([`T${dup1}: Slow login`, `T${dup2}: Login takes ages`]);
    const subscribers = await t.db('task_subscribers').where({ task_id: survivor }).orderBy('user_id').pluck('user_id');
    // alice wrote the survivor and owns a duplicate, bob wrote both, rita followed one; mia only merged.
    expect(subscribers).toEqual([users.alice.id, users.bob.id, users.rita.id].sort((x, y) => x - y));
    // Duplicate is in no status picker.
    expect(page.dom.querySelectorAll('select[name="status"] option').map((o) => o.getAttribute('value'))).not.toContain('duplicate');
    const form = await mia.get(`/maniphest/task/edit/${survivor}/`);
    expect(form.dom.querySelectorAll('select[name="status"] option').map((o) => o.getAttribute('value'))).not.toContain('duplicate');
  });

  test('close as duplicate: one survivor, open and not itself; a refusal changes nothing', async () => {
    const closed = await createTask(t.domain, users.mia, { title: 'Already fixed', status: 'resolved' });
    const survivor = await createTask(t.domain, users.mia, { title: 'The real bug' });
    const dup = await createTask(t.domain, users.mia, { title: 'Same bug again' });
    const url = `/search/rel/task.close-as-duplicate/${dup}/`;
    const cases: [Record<string, string | string[]>, string][] = [
      [{ add: String(closed) }, `T${closed} is closed: merge into an open task.`],
      [{ add: String(dup) }, 'A task can not be merged into itself.'],
      [{ add: [String(survivor), String(closed)] }, 'Choose one task to merge this one into.'],
      [{}, 'Choose the task to merge this one into.'],
    ];
    for (const [fields, message] of cases) {
      const page = await mia.post(url, fields, url);
      expect({ status: page.status, has: page.text.includes(message) }).toEqual({ status: 422, has: true });
    }
    expect((await t.db('tasks').where({ id: dup }).first()).status).toBe('open');
    const ok = await mia.post(url, { add: String(survivor) }, url);
    expect(ok.status).toBe(303);
    expect(timelineLines(await mia.get(`/T${survivor}`))).toContain(`mia merged T${dup}: Same bug again into this task.`);
    const again = await mia.post(`/search/rel/task.merge-in/${survivor}/`, { add: String(dup) }, `/T${survivor}`);
    expect(again.status).toBe(422);
    expect(again.text).toContain(`T${dup} is already closed: only open tasks can be merged.`);
  });

  test('closing a parent with open subtasks warns, with a link to them', async () => {
    const parent = await createTask(t.domain, users.mia, { title: 'Release 2.0' });
    const a = await createTask(t.domain, users.mia, { title: 'Notes' });
    const b = await createTask(t.domain, users.mia, { title: 'Tag' });
    const c = await createTask(t.domain, users.mia, { title: 'Done already' });
    await edit(t.domain, users.mia, parent, { subtasks: { add: [a, b, c] } });
    await edit(t.domain, users.mia, c, { status: 'resolved' });
    for (const path of [`/T${parent}`, `/maniphest/task/edit/${parent}/`]) {
      const page = await mia.get(path);
      const warning = page.dom.querySelector('.subtask-warning')!;
      expect(textOf(warning)).toBe(`Closing this task? T${parent} has 2 open subtasks. See them`);
      const list = await mia.get(warning.querySelector('a')!.getAttribute('href')!);
      expect(list.dom.querySelectorAll('.task-row .monogram').map((m) => textOf(m)).sort()).toEqual([`T${a}`, `T${b}`].sort());
    }
    const closed = await mia.post(`/T${parent}/comment`, { status: 'resolved', comment: '' }, `/T${parent}`);
    expect(closed.status).toBe(303);
  });

  test('the typeahead answers JSON with visible, matching tasks', async () => {
    const target = await createTask(t.domain, users.alice, { title: 'Typeahead target' });
    const other = await createTask(t.domain, users.alice, { title: 'Typeahead candidate' });
    await createTask(t.domain, users.mia, { title: 'Typeahead secret', view: 'maintainers' });
    const res = await alice.agent.get(`/typeahead/tasks/?relationship=task.has-subtask&task=${target}&q=typea`);
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: { monogram: string }) => r.monogram)).toEqual([`T${other}`]);
    const byNumber = await alice.agent.get(`/typeahead/tasks/?relationship=task.has-subtask&task=${target}&q=T${other}`);
    expect(byNumber.body.results).toEqual([{ id: other, monogram: `T${other}`, title: 'Typeahead candidate', closed: false, stateText: 'Open, Needs Triage' }]);
    expect((await alice.agent.get('/typeahead/tasks/?relationship=bogus&task=1&q=x')).status).toBe(400);
  });
});
