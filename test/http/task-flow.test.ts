import { useTestApp } from '../support/app';
import { createUser } from '../support/factories';
import { loggedIn, timelineLines } from '../support/http';

describe('filing, triaging, claiming and closing a task', () => {
  const t = useTestApp();

  test('the whole life of a task reads as a timeline', async () => {
    await createUser(t.db, { username: 'alice', role: 'engineer' });
    await createUser(t.db, { username: 'bob', role: 'maintainer' });
    const alice = await loggedIn(t.app, 'alice');

    const created = await alice.post('/maniphest/task/edit/', { title: '  Login page is slow  ', description: 'It takes **ten** seconds.', priority: 'normal' }, '/maniphest/task/edit/');
    expect(created.status).toBe(303);
    const url = created.location!;
    expect(url).toMatch(/^\/T[1-9][0-9]*$/);

    let page = await alice.get(url);
    expect(page.status).toBe(200);
    expect(page.dom.querySelector('h1')!.textContent).toContain('Login page is slow');
    expect(page.text).toContain('Open, Normal');
    expect(page.dom.querySelector('.description strong')!.textContent).toBe('ten');
    expect(timelineLines(page)).toEqual(['alice created this task.', 'alice triaged this task as Normal priority.']);

    const bob = await loggedIn(t.app, 'bob');
    expect((await bob.post(`${url}/claim`, {}, url)).status).toBe(303);
    expect((await bob.post(`${url}/comment`, { comment: 'Fixed by caching.', status: 'resolved' }, url)).status).toBe(303);

    page = await alice.get(url);
    expect(page.text).toContain('Closed, Resolved');
    const lines = timelineLines(page);
    expect(lines).toContain('bob claimed this task.');
    expect(lines).toContain('bob closed this task as Resolved.');
    expect(page.dom.querySelectorAll('.comment').map((c) => c.textContent.trim())).toEqual(['Fixed by caching.']);
  });
});
