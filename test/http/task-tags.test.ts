import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { fieldError, formValues, loggedIn, textOf, timelineLines } from '../support/http';

describe('tags on tasks', () => {
  const t = useTestApp();

  beforeAll(async () => {
    await createUser(t.db, { username: 'alice', role: 'engineer' });
    await createUser(t.db, { username: 'rita', role: 'reader' });
    const alice = await loggedIn(t.app, 'alice');
    for (const [name, color] of [['Backend', 'green'], ['Frontend', 'blue'], ['Design', 'pink']]) {
      expect((await alice.post('/project/edit/', { name: name!, color: color! }, '/project/edit/')).status).toBe(303);
    }
  });

  test('tagged on the create form; the page, the timeline and the list show the tags', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const created = await alice.post('/maniphest/task/edit/', { title: 'Slow login', projects: '#backend, frontend' }, '/maniphest/task/edit/');
    expect(created.status).toBe(303);
    const page = await alice.get(created.location!);
    expect(page.dom.querySelectorAll('.tags a.tag').map((a) => a.textContent)).toEqual(['#backend', '#frontend']);
    expect(page.dom.querySelector('.tags a.tag')!.classList.contains('tag-green')).toBe(true);
    expect(timelineLines(page)).toContain('alice added projects: #backend, #frontend.');
    expect(page.dom.querySelector('.timeline a.tag-ref')!.getAttribute('href')).toBe('/tag/backend/');
    expect(textOf(page.dom.querySelector('.cards')!)).toContain('Backlog on #backend');
    const list = await alice.get('/maniphest/query/all/');
    const row = list.dom.querySelectorAll('.task-row').find((r) => r.textContent.includes('Slow login'))!;
    expect(row.querySelectorAll('.task-projects .tag').map((a) => a.textContent)).toEqual(['#backend', '#frontend']);
  });

  test('the edit form adds and removes relative to what it loaded; the comment form too', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const id = await createTask(t.domain, (await t.db('users').where({ username: 'alice' }).first()) as never, { title: 'Tag me' });
    const form = await alice.get(`/maniphest/task/edit/${id}/`);
    const values = formValues(form, 'form.task-form');
    expect(values.projects).toBe('');
    expect((await alice.post(`/maniphest/task/edit/${id}/`, { ...values, projects: '#backend' }, `/maniphest/task/edit/${id}/`)).status).toBe(303);
    // Someone tags it #design meanwhile; a form loaded before that keeps it.
    expect((await alice.post(`/T${id}/comment`, { addProjects: 'design' }, `/T${id}`)).status).toBe(303);
    expect((await alice.post(`/maniphest/task/edit/${id}/`, { ...values, projects: '#backend #frontend' }, `/maniphest/task/edit/${id}/`)).status).toBe(303);
    let page = await alice.get(`/T${id}`);
    expect(page.dom.querySelectorAll('.tags a.tag').map((a) => a.textContent)).toEqual(['#backend', '#frontend', '#design']);
    expect((await alice.post(`/T${id}/comment`, { addProjects: '#design', removeProjects: '#backend #frontend' }, `/T${id}`)).status).toBe(303);
    expect((await alice.post(`/T${id}/comment`, { addProjects: 'frontend', removeProjects: 'design' }, `/T${id}`)).status).toBe(303);
    page = await alice.get(`/T${id}`);
    const lines = timelineLines(page);
    expect(lines).toContain('alice added a project: #design.');
    expect(lines).toContain('alice removed projects: #backend, #frontend.');
    expect(lines).toContain('alice changed project tags, added: #frontend; removed: #design.');
  });

  test('an unknown or closed tag is refused with the comment kept; readers get no tag controls', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const id = await createTask(t.domain, (await t.db('users').where({ username: 'alice' }).first()) as never, { title: 'Refusals' });
    const unknown = await alice.post(`/T${id}/comment`, { comment: 'Tagging', addProjects: '#nosuch' }, `/T${id}`);
    expect(unknown.status).toBe(422);
    expect(fieldError(unknown, 'addProjects', 'form.comment-form') ?? textOf(unknown.dom.querySelector('.comment-form')!)).toContain('There is no project "#nosuch".');
    expect(unknown.dom.querySelector('textarea[name="comment"]')!.textContent).toBe('Tagging');
    const design = await t.db('project_hashtags').where({ hashtag: 'design' }).first();
    expect((await alice.post(`/project/${design.project_id}/close`, { closed: 'true' }, '/project/')).status).toBe(303);
    const closed = await alice.post(`/T${id}/comment`, { addProjects: '#design' }, `/T${id}`);
    expect(closed.status).toBe(422);
    expect(closed.text).toContain('#design is closed: a closed project takes no new tasks.');
    expect(await t.db('task_projects').where({ task_id: id })).toEqual([]);
    const rita = await loggedIn(t.app, 'rita');
    expect((await rita.get(`/T${id}`)).dom.querySelector('input[name="addProjects"]')).toBeNull();
    await alice.post(`/project/${design.project_id}/close`, { closed: 'false' }, '/project/');
  });

  test('#hashtag in Markdown links to the project with a hovercard; a missing one stays text', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const created = await alice.post('/maniphest/task/edit/', { title: 'Refs', description: 'Ask #Backend, not #nothing or C#, and `#frontend`.' }, '/maniphest/task/edit/');
    const page = await alice.get(created.location!);
    const links = page.dom.querySelectorAll('.description a.tag-ref');
    expect(links.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([['#Backend', '/tag/backend/']]);
    expect(textOf(page.dom.querySelector('.description')!)).toContain('not #nothing or C#');
    const card = await alice.get(links[0]!.getAttribute('data-hovercard')!);
    expect(card.status).toBe(200);
    expect(card.html).toContain('Backend');
  });
});
