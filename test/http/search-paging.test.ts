import type { Knex } from 'knex';
import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { fieldError, loggedIn, textOf, type Browser, type Page } from '../support/http';

const monograms = (page: Page) => page.dom.querySelectorAll('.task-row .monogram').map((a) => a.textContent.trim());
const link = (page: Page, rel: 'next' | 'prev') => page.dom.querySelector(`.pager a[rel="${rel}"]`)?.getAttribute('href') ?? null;
const cursorIn = (url: string) => new URL(url, 'http://x').searchParams.get('after')!;

const ORDERS = ['priority', 'updated', 'outdated', 'newest', 'oldest', 'closed', 'title', 'relevance'] as const;
const GROUPS = ['priority', 'owner', 'status', 'none'] as const;

/** What each order and grouping means, written as plain SQL: the yardstick for the pages. */
const ORDER_SQL: Record<(typeof ORDERS)[number], string> = {
  priority: 'tasks.priority DESC, tasks.updated_at DESC, tasks.id DESC',
  updated: 'tasks.updated_at DESC, tasks.id DESC',
  outdated: 'tasks.updated_at ASC, tasks.id ASC',
  newest: 'tasks.id DESC',
  oldest: 'tasks.id ASC',
  closed: 'tasks.closed_at DESC NULLS LAST, tasks.id DESC',
  title: 'tasks.title ASC, tasks.id ASC',
  relevance: `ts_rank(tasks.search_vector, websearch_to_tsquery('english', 'widget')) DESC, tasks.id DESC`,
};
const GROUP_SQL: Record<(typeof GROUPS)[number], string | null> = {
  priority: 'tasks.priority DESC',
  owner: `coalesce(lower(owner.username), '') ASC`,
  status: `array_position(ARRAY['open', 'resolved', 'wontfix', 'invalid', 'duplicate'], tasks.status::text) ASC`,
  none: null,
};

/** Follows "Next" to the end, then "Previous" back to the start; each page must be the same both ways. */
async function walk(browser: Browser, url: string, limit: number): Promise<string[][]> {
  let page = await browser.get(url);
  expect(page.status).toBe(200);
  expect(link(page, 'prev')).toBeNull();
  const pages: string[][] = [];
  for (;;) {
    pages.push(monograms(page));
    const next = link(page, 'next');
    if (!next) break;
    expect(monograms(page)).toHaveLength(limit);
    page = await browser.get(next);
    expect(page.status).toBe(200);
  }
  for (let i = pages.length - 2; i >= 0; i--) {
    const prev = link(page, 'prev');
    expect(prev).not.toBeNull();
    page = await browser.get(prev!);
    expect(monograms(page)).toEqual(pages[i]);
    expect(link(page, 'next')).not.toBeNull();
  }
  expect(link(page, 'prev')).toBeNull();
  return pages;
}

describe('cursor paging through every order and grouping', () => {
  const t = useTestApp();
  let ben: Browser;
  let benId: number;

  /** The whole result the way ben may see it, ordered by the database. */
  async function expected(order: (typeof ORDERS)[number], group: (typeof GROUPS)[number], where?: (q: Knex.QueryBuilder) => void): Promise<string[]> {
    const q = t
      .db('tasks')
      .leftJoin('users as owner', 'owner.id', 'tasks.owner_id')
      .where((w) => w.whereIn('tasks.view_policy', ['public', 'users']).orWhere('tasks.owner_id', benId))
      .select('tasks.id')
      .orderByRaw([GROUP_SQL[group], ORDER_SQL[order]].filter(Boolean).join(', '));
    if (order === 'relevance') q.whereRaw(`tasks.search_vector @@ websearch_to_tsquery('english', 'widget')`);
    where?.(q);
    return ((await q) as { id: number }[]).map((r) => `T${r.id}`);
  }

  beforeAll(async () => {
    const amy = await createUser(t.db, { username: 'amy', role: 'maintainer' });
    benId = (await createUser(t.db, { username: 'ben', role: 'engineer' })).id;
    await createUser(t.db, { username: 'cal', role: 'engineer' });
    const priorities = ['high', 'normal', 'normal', 'low', 'unbreak', 'wish', 'triage'];
    const owners = [null, 'amy', 'ben', 'cal'];
    const titles = ['alpha widget', 'Alpha widget', 'beta widget', 'widget gamma', 'alpha widget'];
    for (let i = 0; i < 31; i++) {
      const status = i % 5 === 0 ? 'resolved' : i % 7 === 3 ? 'wontfix' : i % 11 === 5 ? 'invalid' : 'open';
      const id = await createTask(t.domain, amy, {
        title: titles[i % titles.length],
        // Different numbers of matches give different ranks, and equal numbers give ties.
        description: 'widget '.repeat(i % 3),
        priority: priorities[i % priorities.length],
        owner: owners[i % owners.length],
        status,
        // Some restricted to maintainers: ben sees those only when he owns them.
        view: i % 6 === 1 ? 'maintainers' : 'users',
      });
      if (i % 4 === 1) await edit(t.domain, amy, id, { comment: 'Seen the widget again.' });
      // Few distinct timestamps, so many rows tie on the first key and the cursor must go by the id.
      await t.db('tasks').where({ id }).update({ updated_at: new Date(Date.UTC(2024, 4, 1 + (i % 4))) });
      if (status !== 'open') await t.db('tasks').where({ id }).update({ closed_at: new Date(Date.UTC(2024, 4, 1 + (i % 2))) });
    }
    ben = await loggedIn(t.app, 'ben');
  });

  const combos = ORDERS.flatMap((order) => GROUPS.map((group) => [order, group] as const));
  test.each(combos)('ordered by %s, grouped by %s', async (order, group) => {
    const all = await expected(order, group);
    expect(all.length).toBe(26);
    const text = order === 'relevance' ? '&text=widget' : '';
    const pages = await walk(ben, `/maniphest/query/?order=${order}&group=${group}&limit=6${text}`, 6);
    expect(pages.map((p) => p.length)).toEqual([6, 6, 6, 6, 2]);
    expect(pages.flat()).toEqual(all);
  });

  test.each(['relevance', 'newest'] as const)('group headers count the whole group on every page (ordered by %s)', async (order) => {
    for (const group of ['priority', 'owner', 'status'] as const) {
      const shown = new Map<string, number>();
      const rows = new Map<string, number>();
      let url: string | null = `/maniphest/query/?text=widget&order=${order}&group=${group}&limit=6`;
      while (url) {
        const page: Page = await ben.get(url);
        for (const header of page.dom.querySelectorAll('.group-header')) {
          const m = /^(.*) \((\d+)\)$/.exec(textOf(header))!;
          expect(m).not.toBeNull();
          if (shown.has(m[1]!)) expect(Number(m[2])).toBe(shown.get(m[1]!));
          shown.set(m[1]!, Number(m[2]));
          rows.set(m[1]!, (rows.get(m[1]!) ?? 0) + header.nextElementSibling!.querySelectorAll('.task-row').length);
        }
        url = link(page, 'next');
      }
      expect(shown.size).toBeGreaterThan(1);
      expect(shown).toEqual(rows);
    }
  });

  test('with filters too', async () => {
    const all = await expected('title', 'owner', (q) => q.whereIn('tasks.status', ['open']).where((w) => w.whereNull('tasks.owner_id').orWhere('owner.username', 'amy')));
    expect(all.length).toBeGreaterThan(4);
    const pages = await walk(ben, '/maniphest/query/?statuses=any-open&assigned=amy,nobody&order=title&group=owner&limit=4', 4);
    expect(pages.flat()).toEqual(all);
  });

  test('every page link keeps the query and its page size', async () => {
    const first = await ben.get('/maniphest/query/?statuses=any-open&order=title&limit=4');
    const next = new URL(link(first, 'next')!, 'http://x');
    expect(next.pathname).toBe('/maniphest/query/');
    expect([...next.searchParams.keys()]).toEqual(['statuses', 'order', 'limit', 'after']);
    const second = await ben.get(link(first, 'next')!);
    expect(new URL(link(second, 'prev')!, 'http://x').searchParams.get('limit')).toBe('4');
  });

  test('tasks with a priority or status no longer configured keep their place in grouped lists', async () => {
    // Written directly, as a task saved under an older configuration would be.
    const [author] = await t.db('users').where({ username: 'amy' }).pluck('id');
    await t.db('tasks').insert([
      { title: 'Odd priority widget', status: 'open', priority: 42, author_id: author, view_policy: 'users', owner_ordering: '' },
      { title: 'Odd status widget', status: 'stalled', priority: 50, author_id: author, view_policy: 'users', owner_ordering: '' },
    ]);
    for (const group of ['priority', 'status'] as const) {
      for (const order of ORDERS.filter((o) => o !== 'relevance')) {
        const all = await expected(order, group);
        expect(all.length).toBe(28);
        const pages = await walk(ben, `/maniphest/query/?order=${order}&group=${group}&limit=6`, 6);
        expect(pages.flat()).toEqual(all);
      }
    }
  });

  describe('malformed parameters get a message on the page and a 400', () => {
    const dateMessage = (v: string) => `"${v}" is not a date: use YYYY-MM-DD.`;
    const cases: [string, string, string, string | null][] = [
      // name, query, message, the form field it is shown beside
      ['a date that is not one', 'createdStart=2024-13-01', dateMessage('2024-13-01'), 'createdStart'],
      ['a day past the month', 'updatedEnd=2024-02-30', dateMessage('2024-02-30'), 'updatedEnd'],
      ['a date in words', 'closedStart=yesterday', dateMessage('yesterday'), 'closedStart'],
      ['year zero', 'createdStart=0000-01-01', dateMessage('0000-01-01'), 'createdStart'],
      ['an end before the start', 'createdStart=2024-05-10&createdEnd=2024-05-01', 'The end date is before the start date.', 'createdEnd'],
      ['an unknown status', 'statuses=open,bogus', '"bogus" is not a status. Use open, resolved, wontfix, invalid, duplicate, any-open or any-closed.', null],
      ['an unknown priority', 'priorities=urgent', '"urgent" is not a priority. Use unbreak, triage, high, normal, low, wish.', null],
      ['an unknown user', 'assigned=ghost', 'There is no user named "ghost".', 'assigned'],
      ['"nobody" as an author', 'authors=nobody', 'There is no user named "nobody".', 'authors'],
      ['an unknown subscriber', 'subscribers=amy,ghost', 'There is no user named "ghost".', 'subscribers'],
      ['an unknown closer', 'closers=ghost', 'There is no user named "ghost".', 'closers'],
      ['an unknown order', 'order=random', '"random" is not an order. Use priority, updated, outdated, newest, oldest, closed, title, relevance, due.', 'order'],
      ['an unknown grouping', 'group=tags', '"tags" is not a grouping. Use priority, owner, status, project, none.', 'group'],
      ['relevance without words', 'order=relevance', 'Ordering by relevance needs search words.', 'order'],
      ['a page size of 0', 'limit=0', 'The page size must be a number from 1 to 1000.', 'limit'],
      ['a page size of 1001', 'limit=1001', 'The page size must be a number from 1 to 1000.', 'limit'],
      ['a page size in letters', 'limit=abc', 'The page size must be a number from 1 to 1000.', 'limit'],
      ['a negative page size', 'limit=-5', 'The page size must be a number from 1 to 1000.', 'limit'],
      ['a fractional page size', 'limit=2.5', 'The page size must be a number from 1 to 1000.', 'limit'],
      ['a huge page size', 'limit=99999999999999999999', 'The page size must be a number from 1 to 1000.', 'limit'],
      ['the text twice', 'text=a&text=b', 'Send this field once.', 'text'],
      ['the order twice', 'order=title&order=newest', 'Send this field once.', 'order'],
      ['the page size twice', 'limit=5&limit=6', 'Send this field once.', 'limit'],
      ['a date twice', 'createdStart=2024-01-01&createdStart=2024-02-01', 'Send this field once.', 'createdStart'],
      ['a garbled cursor', 'after=!!!', 'That page link is malformed. Start again from the first page.', null],
      ['a cursor that is not a list', `after=${Buffer.from('{"a":1}').toString('base64url')}`, 'That page link is malformed. Start again from the first page.', null],
      ['a cursor with a NUL', `order=title&group=none&after=${Buffer.from(JSON.stringify(['title', 'none', 'a\u0000', 1])).toString('base64url')}`, 'That page link is malformed. Start again from the first page.', null],
      ['a cursor given twice', 'after=a&after=b', 'That page link is malformed. Start again from the first page.', null],
      ['both directions at once', 'after=a&before=b', 'A page link has either "after" or "before", not both.', null],
    ];
    test.each(cases)('%s', async (_name, query, message, field) => {
      const page = await ben.get(`/maniphest/query/?${query}`);
      expect(page.status).toBe(400);
      expect(page.text).toContain(message);
      expect(page.dom.querySelectorAll('.task-row')).toHaveLength(0);
      if (field) expect(fieldError(page, field, 'form.filters')).toBe(message);
    });

    test('every problem at once, with the input kept', async () => {
      const page = await ben.get('/maniphest/query/?createdStart=2024-13-01&assigned=ghost&limit=0&order=random');
      expect(page.status).toBe(400);
      expect(fieldError(page, 'createdStart', 'form.filters')).toBe(dateMessage('2024-13-01'));
      expect(fieldError(page, 'assigned', 'form.filters')).toBe('There is no user named "ghost".');
      expect(fieldError(page, 'limit', 'form.filters')).toBe('The page size must be a number from 1 to 1000.');
      expect(fieldError(page, 'order', 'form.filters')).toBe('"random" is not an order. Use priority, updated, outdated, newest, oldest, closed, title, relevance, due.');
      expect(page.dom.querySelector('form.filters input[name="createdStart"]')!.getAttribute('value')).toBe('2024-13-01');
      expect(page.dom.querySelector('form.filters input[name="assigned"]')!.getAttribute('value')).toBe('ghost');
    });

    test('a cursor from another order or grouping', async () => {
      const byTitle = await ben.get('/maniphest/query/?order=title&group=none&limit=5');
      const cursor = cursorIn(link(byTitle, 'next')!);
      for (const other of ['order=newest&group=none', 'order=title&group=owner', 'order=priority']) {
        const page = await ben.get(`/maniphest/query/?${other}&limit=5&after=${cursor}`);
        expect(page.status).toBe(400);
        expect(page.text).toContain('That page link belongs to another order or grouping. Start again from the first page.');
      }
      // The same cursor on its own order is fine.
      expect((await ben.get(`/maniphest/query/?order=title&group=none&limit=5&after=${cursor}`)).status).toBe(200);
    });

    test('on a built-in query too', async () => {
      const page = await ben.get('/maniphest/query/open/?after=!!!');
      expect(page.status).toBe(400);
      expect(page.text).toContain('That page link is malformed. Start again from the first page.');
    });

    test('repeated checkboxes and unknown parameters are not problems', async () => {
      expect((await ben.get('/maniphest/query/?statuses=open&statuses=resolved&priorities=high&priorities=low&assigned=amy&assigned=ben')).status).toBe(200);
      expect((await ben.get('/maniphest/query/?colour=blue&page=3')).status).toBe(200);
    });
  });
});

describe('page sizes, and pages while tasks change', () => {
  const t = useTestApp();

  test('100 a page by default, any size up to 1000', async () => {
    const bulk = await createUser(t.db, { username: 'bulk', role: 'engineer' });
    // Inserted directly: a thousand tasks through the editor would only test patience.
    await t.db.raw(
      `INSERT INTO tasks (title, status, priority, author_id, view_policy, created_at, updated_at)
       SELECT 'Bulk task ' || g, 'open', 50, ?, 'users', now(), now() - g * interval '1 second' FROM generate_series(1, 1005) g`,
      [bulk.id],
    );
    const all = ((await t.db('tasks').where({ author_id: bulk.id }).orderBy([{ column: 'updated_at', order: 'desc' }, { column: 'id', order: 'desc' }]).select('id')) as { id: number }[]).map((r) => `T${r.id}`);
    const browser = await loggedIn(t.app, 'bulk');

    const standard = await browser.get('/maniphest/query/?authors=bulk');
    expect(monograms(standard)).toEqual(all.slice(0, 100));

    const big = await browser.get('/maniphest/query/?authors=bulk&limit=1000');
    expect(monograms(big)).toEqual(all.slice(0, 1000));
    expect(big.dom.querySelector('.group-header')!.textContent).toBe('Normal (1,005)');
    const rest = await browser.get(link(big, 'next')!);
    expect(monograms(rest)).toEqual(all.slice(1000));
    expect(link(rest, 'next')).toBeNull();

    const one = await browser.get('/maniphest/query/?authors=bulk&limit=1&order=oldest');
    expect(monograms(one)).toHaveLength(1);
  });

  test('a task edited or created between page loads is neither repeated nor skips another', async () => {
    const live = await createUser(t.db, { username: 'live', role: 'maintainer' });
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push(await createTask(t.domain, live, { title: `Live task ${i}` }));
      await t.db('tasks').where({ id: ids[i] }).update({ updated_at: new Date(Date.UTC(2024, 5, 1, i)) });
    }
    const L = (...is: number[]) => is.map((i) => `T${ids[i]}`);
    const browser = await loggedIn(t.app, 'live');

    const first = await browser.get('/maniphest/query/?authors=live&order=updated&group=none&limit=5');
    expect(monograms(first)).toEqual(L(11, 10, 9, 8, 7));
    // Meanwhile: a task on the next page and one on this page are commented on (both jump to the top), and a task is created.
    await edit(t.domain, live, ids[4]!, { comment: 'Bumped.' });
    await edit(t.domain, live, ids[9]!, { comment: 'Bumped too.' });
    const fresh = await createTask(t.domain, live, { title: 'Brand new' });

    const second = await browser.get(link(first, 'next')!);
    expect(monograms(second)).toEqual(L(6, 5, 3, 2, 1));
    const third = await browser.get(link(second, 'next')!);
    expect(monograms(third)).toEqual(L(0));
    expect(link(third, 'next')).toBeNull();

    // Going back shows what now comes right before, moved and new tasks included.
    const back = await browser.get(link(second, 'prev')!);
    expect(monograms(back)).toEqual(L(4, 11, 10, 8, 7));
    const top = await browser.get(link(back, 'prev')!);
    expect(monograms(top)).toEqual([`T${fresh}`, ...L(9)]);
    expect(link(top, 'prev')).toBeNull();
  });

  test('a task whose priority changes moves to its new place', async () => {
    const prio = await createUser(t.db, { username: 'prio', role: 'maintainer' });
    const ids: number[] = [];
    for (let i = 0; i < 8; i++) {
      ids.push(await createTask(t.domain, prio, { title: `Prio task ${i}`, priority: 'normal' }));
      await t.db('tasks').where({ id: ids[i] }).update({ updated_at: new Date(Date.UTC(2024, 6, 1, i)) });
    }
    const P = (...is: number[]) => is.map((i) => `T${ids[i]}`);
    const browser = await loggedIn(t.app, 'prio');

    const first = await browser.get('/maniphest/query/?authors=prio&limit=3');
    expect(monograms(first)).toEqual(P(7, 6, 5));
    // One task seen already drops below the rest; one not yet seen rises above the cursor.
    await edit(t.domain, prio, ids[6]!, { priority: 'low' });
    await edit(t.domain, prio, ids[1]!, { priority: 'high' });

    const second = await browser.get(link(first, 'next')!);
    expect(monograms(second)).toEqual(P(4, 3, 2));
    const third = await browser.get(link(second, 'next')!);
    expect(monograms(third)).toEqual(P(0, 6));
    expect(third.dom.querySelectorAll('.group-header').map((h) => h.textContent.replace(/\s+/g, ' '))).toEqual(['Normal (6)', 'Low (1)']);
  });
});
