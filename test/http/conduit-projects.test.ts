import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { call, result, tokenFor } from '../support/conduit';
import { createTask, createUser } from '../support/factories';
import { loggedIn } from '../support/http';

describe('projects in the Conduit API', () => {
  const t = useTestApp();
  let maya: User;
  let token: string;
  let backend: { id: number; phid: string };

  beforeAll(async () => {
    maya = await createUser(t.db, { username: 'maya', role: 'maintainer' });
    await createUser(t.db, { username: 'bob', role: 'engineer' });
    token = await tokenFor(t.db, maya);
    const bob = (await t.db('users').where({ username: 'bob' }).first()).phid;
    backend = (
      await result(
        t.app,
        'project.edit',
        {
          transactions: [
            { type: 'name', value: 'Backend' },
            { type: 'slugs', value: ['backend', 'api'] },
            { type: 'color', value: 'green' },
            { type: 'watchers.add', value: [bob] },
          ],
        },
        token,
      )
    ).object;
  });

  test('project.edit creates and edits; project.search finds with members and watchers', async () => {
    expect(backend.phid).toMatch(/^PHID-PROJ-[a-z2-7]{20}$/);
    await result(t.app, 'project.edit', { objectIdentifier: 'backend', transactions: [{ type: 'description', value: 'Servers.' }] }, token);
    const found = await result(t.app, 'project.search', { constraints: { slugs: ['#api'] }, attachments: { members: true, watchers: true } }, token);
    expect(found.data).toHaveLength(1);
    expect(found.data[0]).toMatchObject({ id: backend.id, type: 'PROJ', phid: backend.phid, fields: { name: 'Backend', slug: 'backend', description: 'Servers.', color: { key: 'green' }, status: 'active' } });
    expect(found.data[0].attachments.members.members).toEqual([{ phid: maya.phid }]);
    expect(found.data[0].attachments.watchers.watchers).toHaveLength(1);
    const taken = await call(t.app, 'project.edit', { transactions: [{ type: 'name', value: 'Other' }, { type: 'slugs', value: ['api'] }] }, token);
    expect(taken.error_code).toBe('ERR-CONDUIT-CORE');
    expect(taken.error_info).toContain('#api is already the hashtag of another project.');
    const long = await call(t.app, 'project.edit', { transactions: [{ type: 'name', value: 'x'.repeat(200) }] }, token);
    expect(long.error_info).toContain('Project names are at most 128 characters.');
  });

  test('maniphest.edit tags and moves cards; a bound column closes the task; search and attachments see the tags', async () => {
    await result(t.app, 'project.edit', { objectIdentifier: backend.phid, transactions: [] }, token);
    const b = await loggedIn(t.app, 'maya');
    expect((await b.post(`/project/board/${backend.id}/columns/`, { name: 'Done', status: 'resolved' }, `/project/board/${backend.id}/columns/`)).status).toBe(303);
    const columns = await result(t.app, 'project.column.search', { constraints: { projects: [backend.phid] } }, token);
    expect(columns.data.map((c: { fields: { name: string } }) => c.fields.name)).toEqual(['Backlog', 'Done']);
    expect(columns.data[1].fields.status).toEqual({ value: 'resolved', name: 'Resolved' });
    const done = columns.data[1].phid;

    const created = await result(t.app, 'maniphest.edit', { transactions: [{ type: 'title', value: 'API card' }, { type: 'projects.add', value: ['backend'] }] }, token);
    const other = await createTask(t.domain, maya, { title: 'Untagged' });
    const search = await result(t.app, 'maniphest.search', { constraints: { projects: [backend.phid] }, attachments: { projects: true } }, token);
    expect(search.data.map((d: { id: number }) => d.id)).toEqual([created.object.id]);
    expect(search.data[0].attachments.projects).toEqual({ projectPHIDs: [backend.phid] });
    const untagged = await result(t.app, 'maniphest.search', { constraints: { projects: ['null()'] } }, token);
    expect(untagged.data.map((d: { id: number }) => d.id)).toContain(other);

    await result(t.app, 'maniphest.edit', { objectIdentifier: created.object.phid, transactions: [{ type: 'column', value: [{ columnPHID: done }] }] }, token);
    const task = await t.db('tasks').where({ id: created.object.id }).first();
    expect(task.status).toBe('resolved');
    const bad = await call(t.app, 'maniphest.edit', { objectIdentifier: created.object.phid, transactions: [{ type: 'column', value: 'PHID-PCOL-aaaaaaaaaaaaaaaaaaaa' }] }, token);
    expect(bad.error_code).toBe('ERR-CONDUIT-CORE');
    expect(bad.error_info).toContain('There is no such column.');
    const missing = await call(t.app, 'maniphest.search', { constraints: { projects: ['nosuch'] } }, token);
    expect(missing.error_code).toBe('ERR-CONDUIT-CALL');
    const removed = await result(t.app, 'maniphest.edit', { objectIdentifier: created.object.phid, transactions: [{ type: 'projects.remove', value: [backend.phid] }] }, token);
    expect(removed.transactions.length).toBeGreaterThan(0);
    expect(await t.db('board_cards').where({ task_id: created.object.id })).toEqual([]);
  });
});

describe('the Tags filter of task lists', () => {
  const t = useTestApp();

  test('all, any, not and none, with milestones counting for their project', async () => {
    const maya = await createUser(t.db, { username: 'maya', role: 'maintainer' });
    const b = await loggedIn(t.app, 'maya');
    for (const name of ['Alpha', 'Beta', 'Gamma']) await b.post('/project/edit/', { name }, '/project/edit/');
    const alpha = (await t.db('project_hashtags').where({ hashtag: 'alpha' }).first()).project_id;
    const ms = await b.post(`/project/${alpha}/milestone`, { name: 'One' }, '/project/');
    expect(ms.status).toBe(303);
    const task = async (title: string, tags: string) => {
      const id = await createTask(t.domain, maya, { title });
      if (tags) await b.post(`/T${id}/comment`, { addProjects: tags }, `/T${id}`);
      return `T${id}`;
    };
    const [ab, a, bOnly, none, milestone] = [await task('AB', 'alpha beta'), await task('A', 'alpha'), await task('B', 'beta'), await task('None', ''), await task('M', 'alpha_one')];
    const found = async (projects: string) => {
      const page = await b.get(`/maniphest/query/?group=none&projects=${encodeURIComponent(projects)}`);
      expect(page.status).toBe(200);
      return page.dom.querySelectorAll('.task-row .monogram').map((m) => m.textContent).sort();
    };
    expect(await found('alpha,beta')).toEqual([ab].sort());
    expect(await found('alpha')).toEqual([ab, a, milestone].sort());
    expect(await found('any(alpha_one, beta)')).toEqual([ab, bOnly, milestone].sort());
    expect(await found('alpha -beta')).toEqual([a, milestone].sort());
    expect(await found('no-project')).toEqual([none]);
    expect(await found('not(alpha), null()')).toEqual([none]);
    const bad = await b.get('/maniphest/query/?projects=nosuch');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('There is no project "#nosuch".');
  });
});
