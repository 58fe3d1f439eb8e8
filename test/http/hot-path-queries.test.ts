import request from 'supertest';
import { useTestApp } from '../support/app';
import { call, tokenFor } from '../support/conduit';
import { createTask, createUser, edit } from '../support/factories';
import { loggedIn, type Browser } from '../support/http';
import { recordStatements, pageStatements } from '../support/statements';
import { whereAmong } from '../../server/db/lists';
import { BY_TEXT } from '../../server/db/prepared';
import { findTaskPage } from '../../server/tasks/page-repository';
import { findUsersByIdsOrNames, setDisabled } from '../../server/users/repository';
import type { User } from '../../server/users/user';

/**
 * The statements each hot path sends to PostgreSQL. Every statement is a
 * round trip the request waits for, so these are upper bounds on the count,
 * not timings: a change that adds a query to a hot path has to say why here.
 * Pages are rendered afresh every time here (no kept pages): what a kept page
 * costs is in kept-pages.test.ts.
 */
describe('the statements a hot path costs', () => {
  const t = useTestApp({ pageCacheBytes: 0 });
  const d = () => ({ db: t.db, tracker: t.tracker });
  let alice: User;
  let browser: Browser;
  let token: string;
  let busy: number;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    await createUser(t.db, { username: 'bob', role: 'engineer' });
    for (let i = 0; i < 30; i++) {
      await createTask(d(), alice, { title: `Webhook deadlock ${i}`, description: `Some text ${i}`, priority: i % 2 ? 'high' : 'normal' });
    }
    busy = await createTask(d(), alice, { title: 'Busy task', description: `See T1 and @bob.` });
    for (let n = 0; n < 20; n++) await edit(d(), alice, busy, { comment: `Comment ${n} about T${1 + n} and @bob.` });
    browser = await loggedIn(t.app, 'alice');
    token = await tokenFor(t.db, alice);
  });

  /** Every prepared statement's name, with the one SQL text it stands for. */
  const texts = new Map<string, Set<string>>();

  /** The SQL a request issues, but the session's sliding expiry; each prepared statement's text is noted in `texts`. */
  async function statementsOf(run: () => Promise<number>, expectStatus: number): Promise<string[]> {
    const { result, sql, statements } = await pageStatements(t.db, run);
    for (const { name, sql: text } of statements) if (name) texts.set(name, (texts.get(name) ?? new Set()).add(text));
    expect(result).toBe(expectStatus);
    if (process.env.SHOW_SQL) console.log(`${sql.length} statements, ${statements.filter((q) => q.name).length} prepared\n${sql.join('\n')}`);
    return sql;
  }

  const get = (path: string) => () => browser.get(path).then((p) => p.status);

  test('the task page with 20 comments', async () => {
    await browser.get(`/T${busy}`);
    const sql = await statementsOf(get(`/T${busy}`), 200);
    // The session; the task with all that hangs off it (whether the viewer muted it, its subscribers, events,
    // edges, files, field values, tags, cards and boards, the people attached to it, and whether it has a parent
    // or a subtask); then every task and every other person its texts name: one statement each, whatever the
    // comments hold. It has no parent and no subtask, so no graph is read.
    expect(sql.length).toBeLessThanOrEqual(4);
    expect(sql.some((s) => /WITH RECURSIVE/i.test(s))).toBe(false);
  });

  test('the task page of a task whose texts name no one else reads its people with the task', async () => {
    const quiet = await createTask(d(), alice, { title: 'Quiet task', description: 'Nothing named here.', owner: 'bob' });
    await edit(d(), alice, quiet, { comment: 'A plain comment.' });
    await browser.get(`/T${quiet}`);
    const sql = await statementsOf(get(`/T${quiet}`), 200);
    // The session and the task with its author, owner, subscribers and actors: nothing else.
    expect(sql).toHaveLength(2);
    const page = await browser.get(`/T${quiet}`);
    expect(page.html).toContain('href="/p/bob/"');
    expect(page.html).toContain('href="/p/alice/"');
    // Read as JSON with the task, each person is the very User a read of users gives, times included.
    const bob = (await findUsersByIdsOrNames(t.db, [], ['bob']))[0]!;
    await setDisabled(t.db, bob.id, true);
    const attached = (await findTaskPage(t.db, quiet, null))!.users;
    expect([...attached].sort((a, b) => a.id - b.id)).toEqual(await findUsersByIdsOrNames(t.db, attached.map((u) => u.id), []).then((us) => us.sort((a, b) => a.id - b.id)));
    expect(attached.find((u) => u.username === 'bob')!.disabledAt).toBeInstanceOf(Date);
    await setDisabled(t.db, bob.id, false);
  });

  test('people a page names beyond those attached to the task are read as well', async () => {
    await createUser(t.db, { username: 'carol', role: 'engineer' });
    await createUser(t.db, { username: 'dave', role: 'engineer' });
    const moved = await createTask(d(), alice, { title: 'Moved task', owner: 'carol' });
    await edit(d(), alice, moved, { owner: 'bob' });
    await edit(d(), alice, moved, { subscribers: { remove: ['carol'] } });
    // A mention written through the editor would subscribe dave, and its event would name him by id: as an
    // imported text, the description names him by username alone.
    await t.db('tasks').where({ id: moved }).update({ description: 'Ask @dave about it.' });
    const page = await browser.get(`/T${moved}`);
    // Neither is attached to the task: carol is named by the reassignment's event, dave by the description.
    expect(page.dom.querySelector('dd.subscribers')!.text).toBe('alice, bob');
    expect(page.text).toContain('alice reassigned this task from carol to bob.');
    expect(page.html).toContain('href="/p/carol/"');
    expect(page.html).toContain('href="/p/dave/"');
  });

  test('the task page of a task with a subtask reads its graph as well', async () => {
    const parent = await createTask(d(), alice, { title: 'Parent of a busy task' });
    await edit(d(), alice, parent, { subtasks: { add: [`T${busy - 3}`] } });
    for (const id of [parent, busy - 3]) {
      await browser.get(`/T${id}`);
      const sql = await statementsOf(get(`/T${id}`), 200);
      expect(sql.filter((s) => /WITH RECURSIVE/i.test(s))).toHaveLength(1);
      expect(sql.length).toBeLessThanOrEqual(5);
    }
  });

  test('the open tasks list', async () => {
    await browser.get('/maniphest/query/open/');
    const sql = await statementsOf(get('/maniphest/query/open/'), 200);
    // The session, the navigation's saved queries, and the page: its rows carry their owners, tags' project ids,
    // fields and subtasks marker, and its groups their counts, as columns of the one statement (the projects
    // themselves are kept by the process: test/http/list-tags.test.ts).
    expect(sql.length).toBeLessThanOrEqual(3);
  });

  test("a list's statement is named after its text, with the values that steer its plan written in", async () => {
    const { result: status, statements } = await recordStatements(t.db, () => browser.get('/maniphest/query/?statuses=any-open&priorities=high,normal').then((p) => p.status));
    expect(status).toBe(200);
    const seen = statements.filter((q) => /^with "listed"|from \(select/i.test(q.sql)).map((q) => ({ sql: q.sql, bindings: q.bindings, byText: q.options[BY_TEXT] === true }));
    expect(seen).toHaveLength(1);
    const [list] = seen;
    expect(list!.byText).toBe(true);
    // A maintainer sees every task, so nothing is left to bind: PostgreSQL plans the text once per connection.
    // One value is a plain equality, so the list index led by the status also serves the order.
    expect(list!.sql).toContain(`"tasks"."status" = 'open'::text`);
    expect(list!.sql).toContain(`"tasks"."priority" = ANY(ARRAY[80, 50]::bigint[])`);
    expect(list!.sql).toMatch(/limit 101\b/);
    expect(list!.bindings).toEqual([]);
  });

  test('a value written into a statement is quoted, whatever it holds', async () => {
    const odd = ["it's", 'what?', 'back\\slash', 'open'];
    const rows = await whereAmong(t.db('tasks').count({ n: '*' }), 'tasks.status', odd, 'text');
    expect(Number(rows[0]!.n)).toBe(await t.db('tasks').where('status', 'open').count({ n: '*' }).then((r) => Number(r[0]!.n)));
    expect(() => whereAmong(t.db('tasks'), 'tasks.priority', [1.5], 'bigint')).toThrow(/integer/);
  });

  test('a full-text search', async () => {
    const sql = await statementsOf(get('/maniphest/query/?text=webhook+deadlock'), 200);
    expect(sql.length).toBeLessThanOrEqual(3);
  });

  test('creating a task through the form', async () => {
    const csrf = await browser.csrf('/maniphest/task/edit/');
    const fields = { __csrf__: csrf, title: 'Made by the form', description: 'Steps:\n\n1. one\n2. two', priority: 'triage', status: 'open', view: 'users', owner: '' };
    const sql = await statementsOf(() => browser.postRaw('/maniphest/task/edit/', fields).then((p) => p.status), 303);
    // The session; in the edit's transaction the task with its subscribers and its events (one statement), the mail's
    // recipients; after the commit, the live notice.
    expect(sql.length).toBeLessThanOrEqual(6);
  });

  test('creating a task through maniphest.edit', async () => {
    // A token's first use of the minute is written down; the calls after it are what a client's run costs.
    expect((await call(t.app, 'conduit.ping', {}, token)).error_code).toBeNull();
    const params = { transactions: [{ type: 'title', value: 'Made by the API' }, { type: 'description', value: 'Some words.' }], __conduit__: { token } };
    const sql = await statementsOf(async () => {
      const res = await request(t.app).post('/api/maniphest.edit').type('form').send({ params: JSON.stringify(params), output: 'json' });
      expect(res.body.error_code).toBeNull();
      return res.status;
    }, 200);
    // The login throttle, the token and its rate limit; in the edit's transaction the task with its subscribers and
    // events (whose PHIDs the answer gives), the mail's recipients; after the commit, the live notice. Nothing is read
    // back after the edit.
    expect(sql.length).toBeLessThanOrEqual(8);
  });

  test('adding a comment', async () => {
    const csrf = await browser.csrf(`/T${busy - 1}`);
    const sql = await statementsOf(() => browser.postRaw(`/T${busy - 1}/comment`, { __csrf__: csrf, comment: 'One more word.' }).then((p) => p.status), 303);
    // The session; in the edit's transaction the task locked with all it starts from, then one statement for the row
    // with its subscribers and comment words and the event; the mail's recipients; after the commit, the live notice.
    expect(sql.length).toBeLessThanOrEqual(7);
  });

  test('a prepared statement always stands for the same SQL', async () => {
    // Another viewer and another task give the same texts; a name reused for other SQL fails on a connection that has it.
    const bob = await loggedIn(t.app, 'bob');
    const { statements } = await recordStatements(t.db, async () => {
      for (const path of [`/T${busy - 2}`, '/maniphest/query/all/', '/maniphest/query/?text=deadlock']) expect((await bob.get(path)).status).toBe(200);
      expect((await call(t.app, 'conduit.ping', {}, token)).error_code).toBeNull();
    });
    for (const { name, sql } of statements) if (name) texts.set(name, (texts.get(name) ?? new Set()).add(sql));
    if (process.env.SHOW_SQL) console.log([...texts.keys()].join(' '));
    expect(texts.size).toBeGreaterThan(5);
    for (const [name, sqls] of texts) expect([name, sqls.size]).toEqual([name, 1]);
  });
});
