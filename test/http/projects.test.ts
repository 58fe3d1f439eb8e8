import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { Browser, fieldError, loggedIn } from '../support/http';

describe('projects: create, edit, view, list', () => {
  const t = useTestApp();

  beforeAll(async () => {
    await createUser(t.db, { username: 'alice', role: 'engineer' });
    await createUser(t.db, { username: 'bob', role: 'engineer' });
    await createUser(t.db, { username: 'rita', role: 'reader' });
    await createUser(t.db, { username: 'mia', role: 'maintainer' });
  });

  test('an engineer creates a project with a derived hashtag, members and watchers; it has a Backlog', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const created = await alice.post('/project/edit/', { name: 'Backend Team', description: 'Servers and **APIs**.', color: 'green', icon: 'team', watchers: 'bob' }, '/project/edit/');
    expect(created.status).toBe(303);
    expect(created.location).toMatch(/^\/project\/view\/[0-9]+\/$/);
    const page = await alice.get(created.location!);
    expect(page.dom.querySelector('h1')!.textContent).toContain('Backend Team');
    expect(page.text).toContain('#backend_team');
    expect(page.dom.querySelector('.description strong')!.textContent).toBe('APIs');
    expect(page.dom.querySelector('.members')!.textContent).toContain('alice');
    expect(page.dom.querySelector('.watchers')!.textContent).toContain('bob');
    const id = Number(created.location!.split('/')[3]);
    expect(await t.db('board_columns').where({ project_id: id }).select('name', 'is_default')).toEqual([{ name: 'Backlog', is_default: true }]);
    expect((await alice.get('/tag/backend_team/')).dom.querySelector('h1')!.textContent).toContain('Backend Team');
    expect((await alice.get('/tag/%23Backend_Team/')).status).toBe(200);
    const list = await new Browser(t.app).get('/project/?text=backend');
    expect(list.text).toContain('Backend Team');
  });

  test('more than one hashtag; a taken one is refused with the input kept and nothing written', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const first = await alice.post('/project/edit/', { name: 'Frontend', hashtags: '#frontend, #ui web' }, '/project/edit/');
    expect(first.status).toBe(303);
    expect((await alice.get('/tag/web/')).status).toBe(200);
    const before = await t.db('projects').count({ n: '*' }).first();
    const taken = await alice.post('/project/edit/', { name: 'Design', hashtags: 'design, ui' }, '/project/edit/');
    expect(taken.status).toBe(409);
    expect(fieldError(taken, 'hashtags')).toBe('#ui is already the hashtag of another project.');
    expect(taken.dom.querySelector('input[name="name"]')!.getAttribute('value')).toBe('Design');
    expect(await t.db('projects').count({ n: '*' }).first()).toEqual(before);
    expect((await alice.get('/tag/design/')).status).toBe(404);
  });

  test('bad input: an over-long name, a bad hashtag, an unknown member, a bad colour: 422, nothing written', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const before = await t.db('projects').count({ n: '*' }).first();
    const long = await alice.post('/project/edit/', { name: 'x'.repeat(129) }, '/project/edit/');
    expect(long.status).toBe(422);
    expect(fieldError(long, 'name')).toBe('Project names are at most 128 characters.');
    const bad = await alice.post('/project/edit/', { name: 'Ok', hashtags: '#12 #a!b' }, '/project/edit/');
    expect(bad.status).toBe(422);
    expect(fieldError(bad, 'hashtags')).toMatch(/is not a hashtag/);
    const nobody = await alice.post('/project/edit/', { name: 'Ok', members: 'ghost' }, '/project/edit/');
    expect(nobody.status).toBe(422);
    expect(fieldError(nobody, 'members')).toBe('There is no user named "ghost".');
    expect((await alice.post('/project/edit/', { name: 'Ok', color: 'mauve' }, '/project/edit/')).status).toBe(422);
    expect(await t.db('projects').count({ n: '*' }).first()).toEqual(before);
  });

  test('members edit a project, others may not (403), readers may not create, a missing one is 404', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const created = await alice.post('/project/edit/', { name: 'Ops' }, '/project/edit/');
    const id = created.location!.split('/')[3];
    const bob = await loggedIn(t.app, 'bob');
    expect((await bob.get(`/project/edit/${id}/`)).status).toBe(403);
    expect((await bob.post(`/project/edit/${id}/`, { name: 'Mine' }, '/project/')).status).toBe(403);
    const mia = await loggedIn(t.app, 'mia');
    expect((await mia.post(`/project/edit/${id}/`, { name: 'Operations', hashtags: 'ops, operations', members: 'alice, bob' }, `/project/edit/${id}/`)).status).toBe(303);
    expect((await bob.post(`/project/edit/${id}/`, { name: 'Operations', hashtags: 'ops', members: 'alice, bob' }, '/project/')).status).toBe(303);
    expect((await bob.get('/tag/operations/')).status).toBe(404);
    const rita = await loggedIn(t.app, 'rita');
    expect((await rita.get('/project/edit/')).status).toBe(403);
    expect((await rita.post('/project/edit/', { name: 'Nope' }, '/project/')).status).toBe(403);
    expect((await alice.get('/project/view/99999/')).status).toBe(404);
    expect((await alice.get('/project/view/abc/')).status).toBe(404);
  });

  test('milestones: created on the parent, a column on its board, closed hides the column', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const created = await alice.post('/project/edit/', { name: 'Mobile' }, '/project/edit/');
    const id = Number(created.location!.split('/')[3]);
    const ms = await alice.post(`/project/${id}/milestone`, { name: 'Sprint 12' }, created.location!);
    expect(ms.status).toBe(303);
    const msPage = await alice.get(ms.location!);
    expect(msPage.text).toContain('#mobile_sprint_12');
    expect(msPage.text).toContain('Milestone');
    const proxy = await t.db('board_columns').where({ project_id: id }).whereNotNull('proxy_project_id').first();
    expect(proxy).toMatchObject({ name: 'Sprint 12', hidden: false });
    const msId = ms.location!.split('/')[3];
    expect((await alice.post(`/project/${msId}/close`, { closed: 'true' }, ms.location!)).status).toBe(303);
    expect(await t.db('board_columns').where({ id: proxy.id }).first()).toMatchObject({ hidden: true });
    expect((await alice.post(`/project/${id}/milestone`, { name: '' }, created.location!)).status).toBe(422);
  });
});
