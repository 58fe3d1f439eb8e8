import { startTestApp, stopTestApp, useTestApp, type TestApp } from '../support/app';
import { createUser } from '../support/factories';
import { loggedIn } from '../support/http';
import { recordStatements } from '../support/statements';

/** The tags a list row shows, as their text and class, by task title. */
async function rowTags(t: TestApp, title: string): Promise<string[]> {
  const alice = await loggedIn(t.app, 'alice');
  const list = await alice.get('/maniphest/query/all/');
  expect(list.status).toBe(200);
  const row = list.dom.querySelectorAll('.task-row').find((r) => r.textContent.includes(title))!;
  return row.querySelectorAll('.task-projects .tag').map((a) => `${a.textContent} ${a.getAttribute('class')}`);
}

async function tagged(t: TestApp, title: string, projects: [string, string][]): Promise<void> {
  const alice = await loggedIn(t.app, 'alice');
  for (const [name, color] of projects) expect((await alice.post('/project/edit/', { name, color }, '/project/edit/')).status).toBe(303);
  const tags = projects.map(([name]) => name.toLowerCase()).join(', ');
  expect((await alice.post('/maniphest/task/edit/', { title, projects: tags }, '/maniphest/task/edit/')).status).toBe(303);
}

describe("a list row's tags", () => {
  const t = useTestApp();

  beforeAll(async () => {
    await createUser(t.db, { username: 'alice', role: 'engineer' });
    await tagged(t, 'Slow login', [
      ['Backend', 'green'],
      ['Frontend', 'blue'],
    ]);
  });

  /** How many times a list page read projects for its tags. */
  async function projectReads(view: () => Promise<unknown>): Promise<number> {
    const { statements } = await recordStatements(t.db, view);
    return statements.filter((q) => q.name === 'trellis_project_tags').length;
  }

  test('read their projects once, then again only after a project was written to', async () => {
    await rowTags(t, 'Slow login');
    expect(await projectReads(() => rowTags(t, 'Slow login'))).toBe(0);
    await t.db('projects').where({ name: 'Frontend' }).update({ name: 'Web' });
    expect(await projectReads(() => rowTags(t, 'Slow login'))).toBe(1);
    expect(await projectReads(() => rowTags(t, 'Slow login'))).toBe(0);
  });

  test('show every change to their projects from the next page on, also one written by another process', async () => {
    expect(await rowTags(t, 'Slow login')).toEqual(['#backend tag tag-green', '#frontend tag tag-blue']);
    // Written straight to the database, as another app process would: nothing in this one hears of it.
    const backend = (await t.db('project_hashtags').where({ hashtag: 'backend' }).first()) as { project_id: number };
    await t.db('projects').where({ id: backend.project_id }).update({ color: 'red', closed_at: new Date() });
    expect(await rowTags(t, 'Slow login')).toEqual(['#backend tag tag-red closed', '#frontend tag tag-blue']);
    await t.db('project_hashtags').where({ hashtag: 'backend' }).update({ hashtag: 'server' });
    expect(await rowTags(t, 'Slow login')).toEqual(['#server tag tag-red closed', '#frontend tag tag-blue']);
    await t.db('project_hashtags').where({ project_id: backend.project_id }).del();
    expect(await rowTags(t, 'Slow login')).toEqual([`#${backend.project_id} tag tag-red closed`, '#frontend tag tag-blue']);
  });

  test('are those of the database the list read, when one process reads two', async () => {
    const other = await startTestApp();
    try {
      await createUser(other.db, { username: 'alice', role: 'engineer' });
      await tagged(other, 'Fast login', [['Mobile', 'yellow']]);
      // Both databases at one version, each with a project of the same id: only the database tells them apart.
      const { version } = (await t.db('cache_versions').where({ name: 'project_tags' }).first()) as { version: string };
      await other.db('cache_versions').where({ name: 'project_tags' }).update({ version });
      expect(await t.db('projects').pluck('id')).toEqual(expect.arrayContaining(await other.db('projects').pluck('id')));
      expect(await rowTags(t, 'Slow login')).toContain('#frontend tag tag-blue');
      expect(await rowTags(other, 'Fast login')).toEqual(['#mobile tag tag-yellow']);
      expect(await rowTags(t, 'Slow login')).toContain('#frontend tag tag-blue');
    } finally {
      await stopTestApp(other);
    }
  });
});
