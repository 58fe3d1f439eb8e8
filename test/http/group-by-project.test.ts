import { useTestApp } from '../support/app';
import { createTask, createUser } from '../support/factories';
import { loggedIn, textOf, type Page } from '../support/http';
import type { User } from '../../server/users/user';

/** Each group header with the monograms under it, as a person reads a grouped list. */
function grouped(page: Page): [string, string[]][] {
  expect(page.status).toBe(200);
  return page.dom.querySelectorAll('.group-header').map((h) => {
    const list = h.nextElementSibling!;
    return [textOf(h), list.querySelectorAll('.task-row .monogram').map((m) => m.textContent.trim())];
  });
}

describe('task lists grouped by project', () => {
  const t = useTestApp();
  let alice: User;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    await createUser(t.db, { username: 'erin', role: 'engineer' });
    const b = await loggedIn(t.app, 'alice');
    for (const name of ['Frontend', 'Backend', 'Secret']) expect((await b.post('/project/edit/', { name }, '/project/edit/')).status).toBe(303);
    const tasks: [string, string, string?][] = [
      ['both', '#backend #frontend'],
      ['back', 'backend'],
      ['untagged', ''],
      ['hidden', 'frontend secret', 'maintainers'],
    ];
    for (const [key, tags, view] of tasks) {
      ids[key] = await createTask(t.domain, alice, { title: `Zebra ${key}`, ...(view ? { view } : {}) });
      if (tags) expect((await b.post(`/T${ids[key]}/comment`, { addProjects: tags }, `/T${ids[key]}`)).status).toBe(303);
    }
  });

  const T = (key: string) => `T${ids[key]}`;

  test('a task is listed under each of its tags, groups by hashtag, untagged ones last as (Ungrouped); hidden tasks neither show nor count', async () => {
    const erin = await loggedIn(t.app, 'erin');
    const page = await erin.get('/maniphest/query/?group=project&order=oldest');
    expect(grouped(page)).toEqual([
      ['Backend (2)', [T('both'), T('back')]],
      ['Frontend (1)', [T('both')]],
      ['(Ungrouped) (1)', [T('untagged')]],
    ]);
    expect(page.dom.querySelector('select[name="group"] option[selected]')!.textContent).toBe('Project');
    const all = await (await loggedIn(t.app, 'alice')).get('/maniphest/query/?group=project&order=oldest');
    expect(grouped(all)).toEqual([
      ['Backend (2)', [T('both'), T('back')]],
      ['Frontend (2)', [T('both'), T('hidden')]],
      ['Secret (1)', [T('hidden')]],
      ['(Ungrouped) (1)', [T('untagged')]],
    ]);
  });

  test('pages follow the groups, forward and back, and a search ranks within each group', async () => {
    const erin = await loggedIn(t.app, 'erin');
    const first = await erin.get('/maniphest/query/?group=project&order=oldest&limit=2');
    expect(grouped(first)).toEqual([['Backend (2)', [T('both'), T('back')]]]);
    const next = first.dom.querySelector('a[rel="next"]')!.getAttribute('href')!.replaceAll('&amp;', '&');
    const second = await erin.get(next);
    expect(grouped(second)).toEqual([
      ['Frontend (1)', [T('both')]],
      ['(Ungrouped) (1)', [T('untagged')]],
    ]);
    expect(second.dom.querySelector('a[rel="next"]')).toBeNull();
    const prev = second.dom.querySelector('a[rel="prev"]')!.getAttribute('href')!.replaceAll('&amp;', '&');
    expect(grouped(await erin.get(prev))).toEqual([['Backend (2)', [T('both'), T('back')]]]);

    const search = await erin.get('/maniphest/query/?text=zebra&group=project&projects=frontend');
    expect(grouped(search)).toEqual([
      ['Backend (1)', [T('both')]],
      ['Frontend (1)', [T('both')]],
    ]);
  });

  test('an export of a list grouped by project has each task once', async () => {
    const res = await (await loggedIn(t.app, 'alice')).agent.get('/maniphest/query/export.json?group=project&order=oldest');
    expect(res.status).toBe(200);
    const rows = JSON.parse(res.text) as { id: number }[];
    expect(rows.map((r) => r.id)).toEqual([ids.both, ids.back, ids.hidden, ids.untagged]);
  });

  test('a grouping that does not exist is refused', async () => {
    const page = await (await loggedIn(t.app, 'erin')).get('/maniphest/query/?group=tags');
    expect(page.status).toBe(400);
    expect(page.text).toContain('"tags" is not a grouping. Use priority, owner, status, project, none.');
  });
});
