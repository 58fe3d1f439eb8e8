import { useTestApp } from '../support/app';
import { createTask, createUser, edit, type TaskOverrides } from '../support/factories';
import { Browser, loggedIn, textOf, type Page } from '../support/http';

const monograms = (page: Page) => page.dom.querySelectorAll('.task-row .monogram').map((a) => a.textContent.trim());
const headers = (page: Page) => page.dom.querySelectorAll('.group-header').map((h) => textOf(h));
const rowOf = (page: Page, monogram: string) => page.dom.querySelectorAll('.task-row').find((r) => r.querySelector('.monogram')!.textContent.trim() === monogram)!;

/**
 * Nine tasks with fixed dates, so every filter, order and grouping has one
 * right answer, worked out by hand below.
 */
describe('task lists: filters, orders, groupings and built-in queries', () => {
  const t = useTestApp();
  const T: Record<string, string> = {};
  const list = (...names: string[]) => names.map((n) => T[n]!);
  // Every test only reads, so one logged-in browser per person serves them all.
  const browsers = new Map<string, Promise<Browser>>();
  const as = (username: string) => {
    if (!browsers.has(username)) browsers.set(username, loggedIn(t.app, username));
    return browsers.get(username)!;
  };

  beforeAll(async () => {
    const alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    const bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    const carol = await createUser(t.db, { username: 'carol', role: 'engineer' });
    const dave = await createUser(t.db, { username: 'dave', role: 'maintainer' });
    await createUser(t.db, { username: 'rita', role: 'reader' });

    const tasks: [string, typeof alice, TaskOverrides, { created: string; updated: string }][] = [
      ['login', alice, { title: 'Login page is slow', priority: 'high', owner: 'bob', view: 'public' }, { created: '2024-01-05T09:00:00Z', updated: '2024-03-20T10:00:00Z' }],
      ['crash', bob, { title: 'Crash on save', priority: 'unbreak', owner: 'alice', view: 'public' }, { created: '2024-01-31T23:59:59Z', updated: '2024-02-01T12:00:00Z' }],
      ['typo', carol, { title: 'Typo in footer', priority: 'low', view: 'public' }, { created: '2024-02-01T00:00:00Z', updated: '2024-02-15T12:00:00Z' }],
      ['csv', alice, { title: 'Export to CSV', priority: 'wish', view: 'public' }, { created: '2024-02-10T00:00:00Z', updated: '2024-02-21T00:00:00Z' }],
      ['dark', bob, { title: 'Dark mode', priority: 'normal', owner: 'carol', view: 'public' }, { created: '2024-02-20T00:00:00Z', updated: '2024-03-06T08:00:00Z' }],
      ['secret', alice, { title: 'Security hole in auth', priority: 'high', view: 'maintainers' }, { created: '2024-03-01T00:00:00Z', updated: '2024-03-02T00:00:00Z' }],
      ['internal', carol, { title: 'Internal dashboard', priority: 'normal', owner: 'carol', view: 'users' }, { created: '2024-03-05T00:00:00Z', updated: '2024-04-01T00:00:00Z' }],
      ['triage', carol, { title: 'Needs a look', priority: 'triage', view: 'public' }, { created: '2024-03-10T00:00:00Z', updated: '2024-03-10T00:00:00Z' }],
      // Restricted to maintainers, but its owner, an engineer, still sees it.
      ['handover', alice, { title: 'Private handover', priority: 'low', owner: 'bob', view: 'maintainers' }, { created: '2024-03-15T00:00:00Z', updated: '2024-03-16T00:00:00Z' }],
    ];
    const ids: Record<string, number> = {};
    for (const [name, author, { view, ...overrides }] of tasks) {
      ids[name] = await createTask(t.domain, author, overrides);
      T[name] = `T${ids[name]}`;
      // Engineers may not choose who sees a task; a maintainer does it for them.
      await edit(t.domain, alice, ids[name], { view });
    }
    await edit(t.domain, dave, ids.typo!, { status: 'resolved' });
    await edit(t.domain, alice, ids.dark!, { status: 'wontfix' });
    await edit(t.domain, alice, ids.login!, { subscribers: { add: ['dave'] } });
    await edit(t.domain, alice, ids.csv!, { subscribers: { add: ['dave', 'bob'] } });

    // Fixed dates make the date filters and orders exact; the editor stamps the present.
    for (const [name, , , at] of tasks) await t.db('tasks').where({ id: ids[name] }).update({ created_at: at.created, updated_at: at.updated });
    await t.db('tasks').where({ id: ids.typo }).update({ closed_at: '2024-02-15T12:00:00Z' });
    await t.db('tasks').where({ id: ids.dark }).update({ closed_at: '2024-03-06T08:00:00Z' });
  });

  describe('filters', () => {
    // Oldest first and ungrouped, so each answer is a plain list in T-number order.
    const cases: [string, string, string[]][] = [
      ['assigned to a person', 'assigned=bob', ['login', 'handover']],
      ['assigned to nobody', 'assigned=nobody', ['csv', 'secret', 'triage']],
      ['assigned to a person or nobody', 'assigned=bob,nobody', ['login', 'csv', 'secret', 'triage', 'handover']],
      ['usernames in any case', 'assigned=BOB', ['login', 'handover']],
      ['authors', 'authors=carol', ['typo', 'internal', 'triage']],
      ['several authors', 'authors=bob%2Ccarol', ['crash', 'typo', 'dark', 'internal', 'triage']],
      // dave closed typo, which made him its owner, and being given a task subscribes you.
      ['subscribers', 'subscribers=dave', ['login', 'typo', 'csv']],
      ['authors and owners are subscribed', 'subscribers=bob', ['login', 'crash', 'csv', 'dark', 'handover']],
      ['closed by', 'closers=dave', ['typo']],
      ['a status', 'statuses=resolved', ['typo']],
      ['any open', 'statuses=any-open', ['login', 'crash', 'csv', 'secret', 'internal', 'triage', 'handover']],
      ['any closed', 'statuses=any-closed', ['typo', 'dark']],
      ['statuses ticked as checkboxes', 'statuses=wontfix&statuses=resolved', ['typo', 'dark']],
      ['a priority', 'priorities=high', ['login', 'secret']],
      ['priorities ticked as checkboxes', 'priorities=high&priorities=wish', ['login', 'csv', 'secret']],
      ['filters combined', 'assigned=bob&priorities=high&statuses=any-open', ['login']],
      ['created on one day, the end day included', 'createdStart=2024-01-31&createdEnd=2024-01-31', ['crash']],
      ['created from a day on', 'createdStart=2024-03-05', ['internal', 'triage', 'handover']],
      ['created up to a day', 'createdEnd=2024-02-01', ['login', 'crash', 'typo']],
      ['updated in a range', 'updatedStart=2024-03-01&updatedEnd=2024-03-16', ['dark', 'secret', 'triage', 'handover']],
      ['closed in a range', 'closedStart=2024-02-01&closedEnd=2024-02-29', ['typo']],
      ['closed from a day on', 'closedStart=2024-01-01', ['typo', 'dark']],
      ['a date range past year 9999 limits nothing', 'createdStart=0001-01-01&createdEnd=9999-12-31&statuses=any-closed', ['typo', 'dark']],
      ['no match', 'assigned=dave&statuses=open', []],
    ];
    test.each(cases)('%s', async (_name, query, expected) => {
      const alice = await as('alice');
      const page = await alice.get(`/maniphest/query/?${query}&order=oldest&group=none`);
      expect(page.status).toBe(200);
      expect(monograms(page)).toEqual(list(...expected));
    });

    test('"me" is the person looking', async () => {
      const carol = await as('carol');
      expect(monograms(await carol.get('/maniphest/query/?assigned=me&order=oldest&group=none'))).toEqual(list('dark', 'internal'));
      expect(monograms(await carol.get('/maniphest/query/?authors=me&subscribers=me&order=oldest&group=none'))).toEqual(list('typo', 'internal', 'triage'));
      const dave = await as('dave');
      expect(monograms(await dave.get('/maniphest/query/?closers=me&order=oldest&group=none'))).toEqual(list('typo'));
    });
  });

  describe('orders', () => {
    const cases: [string, string[]][] = [
      ['priority', ['crash', 'triage', 'login', 'secret', 'internal', 'dark', 'handover', 'typo', 'csv']],
      ['updated', ['internal', 'login', 'handover', 'triage', 'dark', 'secret', 'csv', 'typo', 'crash']],
      ['outdated', ['crash', 'typo', 'csv', 'secret', 'dark', 'triage', 'handover', 'login', 'internal']],
      ['newest', ['handover', 'triage', 'internal', 'secret', 'dark', 'csv', 'typo', 'crash', 'login']],
      ['oldest', ['login', 'crash', 'typo', 'csv', 'dark', 'secret', 'internal', 'triage', 'handover']],
      ['closed', ['dark', 'typo', 'handover', 'triage', 'internal', 'secret', 'csv', 'crash', 'login']],
      ['title', ['crash', 'dark', 'csv', 'internal', 'login', 'triage', 'handover', 'secret', 'typo']],
    ];
    test.each(cases)('by %s', async (order, expected) => {
      const alice = await as('alice');
      const page = await alice.get(`/maniphest/query/?order=${order}&group=none`);
      expect(page.status).toBe(200);
      expect(monograms(page)).toEqual(list(...expected));
      expect(page.dom.querySelector('select[name="order"] option[selected]')!.getAttribute('value')).toBe(order);
    });

    test('priority is the default', async () => {
      const alice = await as('alice');
      expect(monograms(await alice.get('/maniphest/query/?group=none'))).toEqual(list(...cases[0]![1]));
    });
  });

  describe('groupings', () => {
    test('by priority, the default, with counts', async () => {
      const alice = await as('alice');
      const page = await alice.get('/maniphest/query/');
      expect(headers(page)).toEqual(['Unbreak Now! (1)', 'Needs Triage (1)', 'High (2)', 'Normal (2)', 'Low (2)', 'Wishlist (1)']);
      expect(monograms(page)).toEqual(list('crash', 'triage', 'login', 'secret', 'internal', 'dark', 'handover', 'typo', 'csv'));
      const high = page.dom.querySelectorAll('.group-header')[2]!.nextElementSibling!;
      expect(high.querySelectorAll('.monogram').map((a) => a.textContent)).toEqual(list('login', 'secret'));
    });

    test('by owner, unassigned first, then by username', async () => {
      const alice = await as('alice');
      const page = await alice.get('/maniphest/query/?group=owner');
      expect(headers(page)).toEqual(['(Not Assigned) (3)', 'alice (1)', 'bob (2)', 'carol (2)', 'dave (1)']);
      expect(monograms(page)).toEqual(list('triage', 'secret', 'csv', 'crash', 'login', 'handover', 'internal', 'dark', 'typo'));
    });

    test('by status, in the configured order', async () => {
      const alice = await as('alice');
      const page = await alice.get('/maniphest/query/?group=status&order=title');
      expect(headers(page)).toEqual(['Open (7)', 'Closed, Resolved (1)', 'Closed, Wontfix (1)']);
      expect(monograms(page)).toEqual(list('crash', 'csv', 'internal', 'login', 'triage', 'handover', 'secret', 'typo', 'dark'));
    });

    test('none: one list without headers', async () => {
      const alice = await as('alice');
      const page = await alice.get('/maniphest/query/?group=none&order=newest');
      expect(headers(page)).toEqual([]);
      expect(monograms(page)).toHaveLength(9);
    });

    test('counts cover every result, not just the page', async () => {
      const alice = await as('alice');
      const first = await alice.get('/maniphest/query/?limit=3');
      expect(headers(first)).toEqual(['Unbreak Now! (1)', 'Needs Triage (1)', 'High (2)']);
      expect(monograms(first)).toEqual(list('crash', 'triage', 'login'));
      const second = await alice.get(first.dom.querySelector('.pager a[rel="next"]')!.getAttribute('href')!);
      // The High group goes on across the page break, with the same count.
      expect(headers(second)).toEqual(['High (2)', 'Normal (2)']);
      expect(monograms(second)).toEqual(list('secret', 'internal', 'dark'));
    });

    test('counts never include tasks the viewer cannot see', async () => {
      const bob = await as('bob');
      expect(headers(await bob.get('/maniphest/query/'))).toEqual(['Unbreak Now! (1)', 'Needs Triage (1)', 'High (1)', 'Normal (2)', 'Low (2)', 'Wishlist (1)']);
      const visitor = new Browser(t.app);
      expect(headers(await visitor.get('/maniphest/query/?group=owner'))).toEqual(['(Not Assigned) (2)', 'alice (1)', 'bob (1)', 'carol (1)', 'dave (1)']);
    });
  });

  describe('built-in queries', () => {
    test('Assigned: my open tasks, and the home list of a logged-in person', async () => {
      const bob = await as('bob');
      for (const url of ['/maniphest/', '/maniphest/query/assigned/']) {
        const page = await bob.get(url);
        expect(page.status).toBe(200);
        expect(page.dom.querySelector('h1')!.textContent).toBe('Assigned');
        expect(monograms(page)).toEqual(list('login', 'handover'));
        expect(page.dom.querySelector('.query-nav a.active')!.textContent).toBe('Assigned');
      }
      // Closed tasks leave the list: carol's wontfix task is not there.
      expect(monograms(await (await as('carol')).get('/maniphest/'))).toEqual(list('internal'));
    });

    test('Authored: all my tasks, closed ones too, newest first, ungrouped (as Phabricator)', async () => {
      const carol = await as('carol');
      const page = await carol.get('/maniphest/query/authored/');
      expect(page.dom.querySelector('h1')!.textContent).toBe('Authored');
      expect(monograms(page)).toEqual(list('triage', 'internal', 'typo'));
      expect(headers(page)).toEqual([]);
    });

    test('Subscribed: open tasks I follow, in priority order, grouped by priority', async () => {
      const dave = await as('dave');
      const page = await dave.get('/maniphest/query/subscribed/');
      expect(page.dom.querySelector('h1')!.textContent).toBe('Subscribed');
      expect(monograms(page)).toEqual(list('login', 'csv'));
      expect(headers(page)).toEqual(['High (1)', 'Wishlist (1)']);
    });

    test('Open Tasks and All Tasks', async () => {
      const carol = await as('carol');
      const open = await carol.get('/maniphest/query/open/');
      expect(open.dom.querySelector('h1')!.textContent).toBe('Open Tasks');
      expect(monograms(open)).toEqual(list('crash', 'triage', 'login', 'internal', 'csv'));
      const all = await carol.get('/maniphest/query/all/');
      expect(all.dom.querySelector('h1')!.textContent).toBe('All Tasks');
      // As Phabricator: every task, in priority order, grouped by priority.
      expect(monograms(all)).toEqual(list('crash', 'triage', 'login', 'internal', 'dark', 'typo', 'csv'));
      expect(headers(all)).toEqual(['Unbreak Now! (1)', 'Needs Triage (1)', 'High (1)', 'Normal (2)', 'Low (1)', 'Wishlist (1)']);
    });

    test('a visitor sees Open Tasks at home, and is sent to log in for the personal queries', async () => {
      const visitor = new Browser(t.app);
      const home = await visitor.get('/maniphest/');
      expect(home.status).toBe(200);
      expect(home.dom.querySelector('h1')!.textContent).toBe('Open Tasks');
      expect(monograms(home)).toEqual(list('crash', 'triage', 'login', 'csv'));
      expect(home.dom.querySelectorAll('.query-nav a').map((a) => a.textContent)).toEqual(['Open Tasks', 'All Tasks', 'Overdue', 'Due This Week']);
      expect(monograms(await visitor.get('/maniphest/query/all/'))).toEqual(list('crash', 'triage', 'login', 'dark', 'typo', 'csv'));
      for (const key of ['assigned', 'authored', 'subscribed']) {
        const page = await visitor.get(`/maniphest/query/${key}/`);
        expect(page.status).toBe(303);
        expect(page.location).toBe(`/login?next=%2Fmaniphest%2Fquery%2F${key}%2F`);
      }
      const me = await visitor.get('/maniphest/query/?assigned=me');
      expect(me.status).toBe(400);
      expect(me.text).toContain('Log in to search for your own tasks ("me").');
    });

    test('an unknown query is not found', async () => {
      const alice = await as('alice');
      expect((await alice.get('/maniphest/query/nope/')).status).toBe(404);
    });
  });

  describe('rows', () => {
    test('show the T-number, title, priority, status, owner and updated time', async () => {
      const alice = await as('alice');
      const page = await alice.get('/maniphest/query/?group=none');
      const row = rowOf(page, T.login!);
      expect(textOf(row)).toBe(`${T.login} Login page is slow High Open bob Updated Mar 20 2024, 10:00 AM`);
      expect(row.classList.contains('closed')).toBe(false);
      expect(row.querySelector('.task-title')!.getAttribute('href')).toBe(`/${T.login}`);
      expect(row.querySelector('.owner')!.getAttribute('href')).toBe('/p/bob/');
      expect(row.querySelector('.priority-bar')!.classList.contains('pri-red')).toBe(true);
      expect(row.querySelector('time')!.getAttribute('datetime')).toBe('2024-03-20T10:00:00.000Z');
      expect(row.querySelector('.when-label')!.textContent).toBe('Updated');
      expect(textOf(rowOf(page, T.csv!))).toBe(`${T.csv} Export to CSV Wishlist Open Unassigned Updated Feb 21 2024, 12:00 AM`);
    });

    test('closed tasks are greyed and show when they closed', async () => {
      const alice = await as('alice');
      const page = await alice.get('/maniphest/query/?group=none');
      const row = rowOf(page, T.typo!);
      expect(row.classList.contains('closed')).toBe(true);
      expect(textOf(row)).toBe(`${T.typo} Typo in footer Low Resolved dave Closed Feb 15 2024, 12:00 PM`);
      expect(row.querySelector('.when-label')!.textContent).toBe('Closed');
      expect(page.dom.querySelectorAll('.task-row.closed').length).toBe(2);
    });
  });

  describe('empty results', () => {
    test('say so and offer to create a task to those who may', async () => {
      const alice = await as('alice');
      const page = await alice.get('/maniphest/query/?assigned=dave&statuses=open');
      expect(page.status).toBe(200);
      const empty = page.dom.querySelector('.empty')!;
      expect(textOf(empty)).toBe('No tasks found. Create a task.');
      expect(empty.querySelector('a')!.getAttribute('href')).toBe('/maniphest/task/edit/');
    });

    test('without the offer for a reader or a visitor', async () => {
      for (const browser of [await as('rita'), new Browser(t.app)]) {
        const page = await browser.get('/maniphest/query/?priorities=wish&statuses=any-closed');
        expect(page.status).toBe(200);
        expect(textOf(page.dom.querySelector('.empty')!)).toBe('No tasks found.');
        expect(page.dom.querySelector('.empty a')).toBeNull();
      }
    });
  });

  describe('sharing and jumping', () => {
    test('the link to a query reproduces it, form included', async () => {
      const alice = await as('alice');
      const page = await alice.get('/maniphest/query/?assigned=bob%2Cnobody&statuses=open&statuses=resolved&priorities=high&priorities=wish&order=title&group=owner&createdStart=2024-01-01');
      expect(monograms(page)).toEqual(list('csv', 'secret', 'login'));
      const share = page.dom.querySelector('.share a')!.getAttribute('href')!;
      expect(share).toBe('/maniphest/query/?assigned=bob%2Cnobody&statuses=open%2Cresolved&priorities=high%2Cwish&createdStart=2024-01-01&order=title&group=owner');

      const again = await alice.get(share);
      expect(monograms(again)).toEqual(list('csv', 'secret', 'login'));
      expect(headers(again)).toEqual(headers(page));
      const form = again.dom.querySelector('form.filters')!;
      expect(form.querySelector('input[name="assigned"]')!.getAttribute('value')).toBe('bob,nobody');
      expect(form.querySelectorAll('input[name="statuses"][checked]').map((i) => i.getAttribute('value'))).toEqual(['open', 'resolved']);
      expect(form.querySelectorAll('input[name="priorities"][checked]').map((i) => i.getAttribute('value'))).toEqual(['high', 'wish']);
      expect(form.querySelector('select[name="group"] option[selected]')!.getAttribute('value')).toBe('owner');
      expect(form.querySelector('input[name="createdStart"]')!.getAttribute('value')).toBe('2024-01-01');
    });

    test('a built-in query links to its own address', async () => {
      const bob = await as('bob');
      expect((await bob.get('/maniphest/')).dom.querySelector('.share a')!.getAttribute('href')).toBe('/maniphest/query/assigned/');
    });

    test('"T123" in the search box goes straight to the task', async () => {
      const alice = await as('alice');
      const id = T.dark!.slice(1);
      for (const text of [`T${id}`, ` t${id} `]) {
        const page = await alice.get(`/maniphest/query/?text=${encodeURIComponent(text)}`);
        expect(page.status).toBe(303);
        expect(page.location).toBe(`/T${id}`);
      }
      // With other words it is a search.
      expect((await alice.get(`/maniphest/query/?text=T${id}+dark`)).status).toBe(200);
    });
  });

  describe('visibility', () => {
    // Every query, including those that name restricted tasks' owners and words.
    const queries = [
      '/maniphest/query/all/',
      '/maniphest/query/open/',
      '/maniphest/query/?assigned=nobody',
      '/maniphest/query/?authors=alice',
      '/maniphest/query/?priorities=high&group=owner',
      '/maniphest/query/?text=security',
      '/maniphest/query/?text=title%3Ahandover',
      '/maniphest/query/?order=title&group=status&limit=1000',
    ];

    test('restricted tasks never appear to those who may not see them', async () => {
      const seen = async (b: Browser) => {
        const found = new Set<string>();
        for (const q of queries) for (const m of monograms(await b.get(q))) found.add(m);
        return found;
      };
      const visitor = await seen(new Browser(t.app));
      expect(visitor.has(T.secret!) || visitor.has(T.internal!) || visitor.has(T.handover!)).toBe(false);
      const carol = await seen(await as('carol'));
      expect(carol.has(T.secret!) || carol.has(T.handover!)).toBe(false);
      expect(carol.has(T.internal!)).toBe(true);
      const bob = await seen(await as('bob'));
      expect(bob.has(T.secret!)).toBe(false);
      expect(bob.has(T.handover!)).toBe(true);
      const alice = await seen(await as('alice'));
      expect(alice.has(T.secret!) && alice.has(T.handover!) && alice.has(T.internal!)).toBe(true);
    });

    test('a search for words only a restricted task holds finds nothing', async () => {
      const carol = await as('carol');
      const page = await carol.get('/maniphest/query/?text=security+hole');
      expect(page.status).toBe(200);
      expect(textOf(page.dom.querySelector('.empty')!)).toBe('No tasks found. Create a task.');
    });
  });
});
