import type request from 'supertest';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import { Browser, loggedIn } from '../support/http';

const COLUMNS = ['id', 'monogram', 'title', 'status', 'priority', 'owner', 'author', 'created', 'updated', 'closed', 'due', 'url'];

/** Reads CSV strictly by RFC 4180: CRLF between records, quoted fields may hold commas, quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('Unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else field += text[i++];
      }
    } else if (text.startsWith('\r\n', i)) {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else if (text[i] === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (text[i] === '"' || text[i] === '\n' || text[i] === '\r') {
      throw new Error(`Bare ${JSON.stringify(text[i])} at ${i}`);
    } else field += text[i++];
  }
  if (field !== '' || record.length) throw new Error('The last record does not end with CRLF');
  return records;
}

async function download(browser: Browser, path: string): Promise<request.Response> {
  return browser.agent.get(path).buffer(true).parse((res, done) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => (body += chunk));
    res.on('end', () => done(null, body));
  });
}

describe('exporting a query as CSV or JSON', () => {
  const t = useTestApp();
  const users = {} as Record<'mia' | 'erin' | 'otto', User>;

  beforeAll(async () => {
    users.mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    users.erin = await createUser(t.db, { username: 'erin', role: 'engineer' });
    users.otto = await createUser(t.db, { username: 'otto', role: 'engineer' });
  });

  /** Open tasks as a maintainer sees the Open Tasks list: highest priority, then latest update, then highest id. */
  const openInOrder = async (): Promise<number[]> =>
    t.db('tasks').where({ status: 'open' }).orderBy([
      { column: 'priority', order: 'desc' },
      { column: 'updated_at', order: 'desc' },
      { column: 'id', order: 'desc' },
    ]).pluck('id');

  test('2,500 results export completely and in the list order, as CSV and as JSON', async () => {
    // Rows written directly: thousands of tasks through the editor would take minutes. Updates repeat, so ties fall to the id.
    await t.db.raw(
      `INSERT INTO tasks (title, status, priority, author_id, owner_id, view_policy, created_at, updated_at)
       SELECT 'Exported task ' || n, 'open', (ARRAY[100, 90, 80, 50, 25, 0])[1 + n % 6], ?::int, CASE WHEN n % 3 = 0 THEN ?::int END, 'users',
              timestamptz '2026-01-01' + n * interval '1 minute', timestamptz '2026-06-01' + (n % 97) * interval '1 second'
       FROM generate_series(1, 2500) AS n`,
      [users.erin.id, users.otto.id],
    );
    const expected = await openInOrder();
    expect(expected).toHaveLength(2500);
    const browser = await loggedIn(t.app, 'mia');

    const csv = await download(browser, '/maniphest/query/open/export.csv');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="trellis-tasks-open.csv"');
    const records = parseCsv(csv.body as string);
    expect(records[0]).toEqual(COLUMNS);
    expect(records).toHaveLength(2501);
    expect(records.slice(1).map((r) => Number(r[0]))).toEqual(expected);
    const sample = await t.db('tasks').where({ id: expected[0] }).first();
    expect(records[1]).toEqual([
      String(sample.id),
      `T${sample.id}`,
      sample.title,
      'Open',
      'Unbreak Now!',
      sample.owner_id ? 'otto' : '',
      'erin',
      sample.created_at.toISOString(),
      sample.updated_at.toISOString(),
      '',
      '',
      expect.stringMatching(new RegExp(`^http://127\\.0\\.0\\.1:[0-9]+/T${sample.id}$`)),
    ]);
    expect(records.filter((r) => r[5] === 'otto')).toHaveLength(833);

    const json = await download(browser, '/maniphest/query/open/export.json');
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.headers['content-disposition']).toBe('attachment; filename="trellis-tasks-open.json"');
    const rows = JSON.parse(json.body as string) as Record<string, unknown>[];
    expect(rows.map((r) => r.id)).toEqual(expected);
    expect(Object.keys(rows[0]!)).toEqual(COLUMNS);
    expect(rows[0]).toMatchObject({ id: sample.id, monogram: `T${sample.id}`, title: sample.title, status: 'Open', priority: 'Unbreak Now!', author: 'erin', closed: null });
  });

  test('CSV fields are quoted by RFC 4180 and formulas are defused', async () => {
    const titles = ['Comma, inside', 'A "quoted" word', 'Two\nlines', '=HYPERLINK("http://x.example","click")', '+1 for this', '-2 degrees', '@SUM(A1)', 'Plain title'];
    const ids: number[] = [];
    for (const title of titles) {
      const [row] = await t.db('tasks').insert({ title, status: 'open', priority: 50, author_id: users.otto.id, view_policy: 'users' }).returning('id');
      ids.push((row as { id: number }).id);
    }
    const browser = await loggedIn(t.app, 'erin');
    const csv = await download(browser, '/maniphest/query/export.csv?authors=otto&order=oldest&group=none');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-disposition']).toBe('attachment; filename="trellis-tasks-query.csv"');
    const text = csv.body as string;
    expect(text).toContain(`,"Comma, inside",`);
    expect(text).toContain(`,"A ""quoted"" word",`);
    expect(text).toContain(`,"Two\nlines",`);
    expect(text).toContain(`,"'=HYPERLINK(""http://x.example"",""click"")",`);
    expect(text).toContain(`,'+1 for this,`);
    expect(text).toContain(`,'-2 degrees,`);
    expect(text).toContain(`,'@SUM(A1),`);
    expect(parseCsv(text).slice(1).map((r) => [Number(r[0]), r[2]])).toEqual([
      [ids[0], 'Comma, inside'],
      [ids[1], 'A "quoted" word'],
      [ids[2], 'Two\nlines'],
      [ids[3], `'=HYPERLINK("http://x.example","click")`],
      [ids[4], "'+1 for this"],
      [ids[5], "'-2 degrees"],
      [ids[6], "'@SUM(A1)"],
      [ids[7], 'Plain title'],
    ]);
    // JSON carries the titles as they are: it is read by programs, not spreadsheets.
    const json = JSON.parse((await download(browser, '/maniphest/query/export.json?authors=otto&order=oldest')).body as string) as { title: string }[];
    expect(json.map((r) => r.title)).toEqual(titles);
  });

  test('an export holds exactly the tasks its viewer may see', async () => {
    const vera = await createUser(t.db, { username: 'vera', role: 'maintainer' });
    const publicTask = await createTask(t.domain, vera, { title: 'Seen by all', view: 'public' });
    const usersTask = await createTask(t.domain, vera, { title: 'Seen by accounts', view: 'users' });
    const secret = await createTask(t.domain, vera, { title: 'Maintainers only', view: 'maintainers' });
    const erinsSecret = await createTask(t.domain, vera, { title: 'Held by erin', view: 'maintainers', owner: 'erin' });
    const closed = await createTask(t.domain, vera, { title: 'Done and public', view: 'public' });
    await edit(t.domain, vera, closed, { status: 'resolved' });
    const ids = async (browser: Browser, path: string) => parseCsv((await download(browser, path)).body as string).slice(1).map((r) => Number(r[0]));
    const query = '/maniphest/query/export.csv?authors=vera&order=oldest';

    expect(await ids(await loggedIn(t.app, 'mia'), query)).toEqual([publicTask, usersTask, secret, erinsSecret, closed]);
    expect(await ids(await loggedIn(t.app, 'erin'), query)).toEqual([publicTask, usersTask, erinsSecret, closed]);
    expect(await ids(await loggedIn(t.app, 'otto'), query)).toEqual([publicTask, usersTask, closed]);
    expect(await ids(new Browser(t.app), query)).toEqual([publicTask, closed]);

    const visitor = new Browser(t.app);
    const open = parseCsv((await download(visitor, '/maniphest/query/open/export.csv')).body as string);
    expect(open.slice(1).map((r) => Number(r[0]))).toEqual([publicTask]);
    const closedRow = parseCsv((await download(visitor, `${query}&statuses=any-closed`)).body as string)[1]!;
    expect([closedRow[3], closedRow[9]]).toEqual(['Resolved', expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)]);
  });

  test('the list links to its exports; a bad query, an unknown format or a missing login get a page, not a file', async () => {
    const browser = await loggedIn(t.app, 'erin');
    const list = await browser.get('/maniphest/query/?priorities=high&order=title');
    expect(list.dom.querySelectorAll('a.export').map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['CSV', '/maniphest/query/export.csv?priorities=high&order=title'],
      ['JSON', '/maniphest/query/export.json?priorities=high&order=title'],
    ]);
    const named = await browser.get('/maniphest/query/assigned/');
    expect(named.dom.querySelectorAll('a.export').map((a) => a.getAttribute('href'))).toEqual(['/maniphest/query/assigned/export.csv', '/maniphest/query/assigned/export.json']);

    const bad = await browser.get('/maniphest/query/export.csv?statuses=shelved&createdStart=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('"shelved" is not a status.');
    expect(bad.text).toContain('"yesterday" is not a date: use YYYY-MM-DD.');
    const relevance = await browser.get('/maniphest/query/export.json?order=relevance');
    expect(relevance.status).toBe(400);
    expect(relevance.text).toContain('Ordering by relevance needs search words.');
    const xml = await browser.get('/maniphest/query/open/export.xml');
    expect(xml.status).toBe(404);
    expect(xml.text).toContain('Exports come as .csv or .json.');
    expect((await browser.get('/maniphest/query/nosuchquery/export.csv')).status).toBe(404);

    const visitor = await new Browser(t.app).get('/maniphest/query/assigned/export.csv');
    expect(visitor.status).toBe(303);
    expect(visitor.location).toBe('/login?next=%2Fmaniphest%2Fquery%2Fassigned%2Fexport.csv');
  });
});
