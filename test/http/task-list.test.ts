import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { Browser, loggedIn, type Page } from '../support/http';

const monograms = (page: Page) => page.dom.querySelectorAll('.task-row .monogram').map((a) => a.textContent.trim());
const link = (page: Page, rel: 'next' | 'prev') => page.dom.querySelector(`.pager a[rel="${rel}"]`)?.getAttribute('href') ?? null;

describe('the Open Tasks list', () => {
  const t = useTestApp();
  const priorities = ['unbreak', 'high', 'normal', 'low', 'wish', 'triage'];
  let expected: string[];
  let alice: Awaited<ReturnType<typeof createUser>>;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    const ids: number[] = [];
    for (let i = 0; i < 210; i++) ids.push(await createTask(t.domain, alice, { title: `Task number ${i}`, priority: priorities[i % priorities.length] }));
    // Closed tasks never appear in the open list.
    for (const id of ids.slice(0, 5)) await edit(t.domain, alice, id, { status: 'resolved' });
    const rows = await t.db('tasks').whereIn('status', ['open']).orderBy([
      { column: 'priority', order: 'desc' },
      { column: 'updated_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]);
    expected = rows.map((r: { id: number }) => `T${r.id}`);
  });

  test('pages of 100, highest priority first, then most recently updated, with next and previous', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const first = await alice.get('/maniphest/query/open/');
    expect(first.status).toBe(200);
    expect(monograms(first)).toEqual(expected.slice(0, 100));
    expect(link(first, 'prev')).toBeNull();

    const second = await alice.get(link(first, 'next')!);
    expect(monograms(second)).toEqual(expected.slice(100, 200));
    const third = await alice.get(link(second, 'next')!);
    expect(monograms(third)).toEqual(expected.slice(200));
    expect(link(third, 'next')).toBeNull();

    const back = await alice.get(link(third, 'prev')!);
    expect(monograms(back)).toEqual(expected.slice(100, 200));
    const start = await alice.get(link(back, 'prev')!);
    expect(monograms(start)).toEqual(expected.slice(0, 100));
    expect(link(start, 'prev')).toBeNull();
  });

  test('a page stays correct while tasks are created and edited meanwhile', async () => {
    const browser = await loggedIn(t.app, 'alice');
    const first = await browser.get('/maniphest/query/open/');
    // A new top-priority task sorts before the cursor, so the next page neither repeats nor skips rows.
    await createTask(t.domain, alice, { title: 'Brand new fire', priority: 'unbreak' });
    const second = await browser.get(link(first, 'next')!);
    expect(monograms(second)).toEqual(expected.slice(100, 200));
  });

  test('a malformed cursor is refused with a message, not a 500', async () => {
    const alice = await loggedIn(t.app, 'alice');
    const first = await alice.get('/maniphest/query/open/');
    const next = new URL(link(first, 'next')!, 'http://x').searchParams.get('after')!;
    const cursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
    const cases: [string, string][] = [
      ['?after=abc', 'That page link is malformed'],
      ['?before=1.2', 'That page link is malformed'],
      [`?after=${next}&before=${next}`, 'either "after" or "before"'],
      [`?after=${cursor(['priority', 'priority', 2147483648, 1, 1])}`, 'That page link is malformed'],
      [`?after=${cursor(['priority', 'priority', 'x', 1, 1])}`, 'That page link is malformed'],
      [`?after=${cursor(['newest', 'priority', 1, 1, 1])}`, 'another order or grouping'],
    ];
    for (const [bad, message] of cases) {
      const page = await alice.get(`/maniphest/query/open/${bad}`);
      expect(page.status).toBe(400);
      expect(page.text).toContain(message);
    }
  });

  test('visitors see only public tasks, and an empty list says so', async () => {
    const visitor = new Browser(t.app);
    const page = await visitor.get('/maniphest/');
    expect(page.status).toBe(200);
    expect(page.dom.querySelector('h1')!.textContent).toBe('Open Tasks');
    expect(monograms(page)).toEqual([]);
    expect(page.text).toContain('No tasks found.');
  });
});
