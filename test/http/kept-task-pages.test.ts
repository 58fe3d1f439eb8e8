import { readScopedVersions, readTrackerVersion } from '../../server/db/tracker-version';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { onPostgres } from '../support/db';
import { createTask, createUser, edit } from '../support/factories';
import { Browser, loggedIn } from '../support/http';
import { pageStatements } from '../support/statements';

/**
 * A task page is kept while the tasks it shows, and what is no task's (people, projects, files),
 * are unchanged, whatever is written to other tasks. These tests write to other tasks and check
 * the page stays kept, and change what it shows in each way it can change, through the app and
 * behind its back, and check the next view shows the change.
 */
describe('task pages kept while their tasks are unchanged', () => {
  const t = useTestApp();
  const d = () => ({ db: t.db, tracker: t.tracker });
  let mia: User;
  let bob: User;
  let miaBrowser: Browser;
  let bobBrowser: Browser;

  beforeAll(async () => {
    mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    miaBrowser = await loggedIn(t.app, 'mia');
    bobBrowser = await loggedIn(t.app, 'bob');
  });

  const isVersion = (q: string) => /sum\(version\)/.test(q);
  /** Whether a view of the page was rendered (the page's statement ran) or served as kept. */
  const rendered = async (b: Browser, id: number) => {
    const { sql, result } = await pageStatements(t.db, () => b.get(`/T${id}`));
    expect(result.status).toBe(200);
    return sql.some((q) => /from tasks where tasks\.id = /i.test(q));
  };
  const pageText = async (b: Browser, id: number) => (await b.get(`/T${id}`)).text;

  test('a write to another task leaves the page kept; one to its own task shows on the next view', async () => {
    const id = await createTask(d(), mia, { title: 'Kept across other writes' });
    const other = await createTask(d(), mia, { title: 'Written meanwhile' });
    expect(await rendered(miaBrowser, id)).toBe(true);
    expect(await rendered(miaBrowser, id)).toBe(false);
    const tracker = await readTrackerVersion(t.db);
    await edit(d(), mia, other, { comment: 'Elsewhere.', priority: 'high' });
    expect(await readTrackerVersion(t.db)).not.toBe(tracker);
    const kept = await pageStatements(t.db, () => miaBrowser.get(`/T${id}`));
    expect(kept.result.text).toContain('Kept across other writes');
    expect(kept.sql.filter(isVersion)).toHaveLength(1);
    expect(kept.sql.filter((q) => !isVersion(q) && !/ FROM sessions s /.test(q))).toEqual([]);
    await edit(d(), mia, id, { comment: 'Here.' });
    expect(await pageText(miaBrowser, id)).toContain('Here.');
  });

  test('a task it names shows as it is now, kept or not: retitled behind the app’s back, then hidden', async () => {
    const named = await createTask(d(), mia, { title: 'Named once', view: 'users' });
    const id = await createTask(d(), mia, { title: 'Names another', description: `See T${named}.` });
    await bobBrowser.get(`/T${id}`);
    await t.db('tasks').where({ id: named }).update({ title: 'Named anew' });
    expect(await rendered(bobBrowser, id)).toBe(true);
    expect((await bobBrowser.get(`/T${id}`)).html).toContain('Named anew');
    await edit(d(), mia, named, { view: 'maintainers' });
    expect((await bobBrowser.get(`/T${id}`)).html).not.toContain('Named anew');
  });

  test('a mention from another task shows on its kept page', async () => {
    const id = await createTask(d(), mia, { title: 'Soon mentioned' });
    await miaBrowser.get(`/T${id}`);
    expect(await rendered(miaBrowser, id)).toBe(false);
    const mentioning = await createTask(d(), mia, { title: 'Mentions it', description: `Like T${id}.` });
    expect(await pageText(miaBrowser, id)).toContain(`mentioned this in T${mentioning}`);
  });

  test('a person renamed behind the app’s back shows: what is no task’s moves every task page', async () => {
    const id = await createTask(d(), mia, { title: 'Owned', owner: 'bob' });
    await miaBrowser.get(`/T${id}`);
    expect(await rendered(miaBrowser, id)).toBe(false);
    await t.db('users').where({ id: bob.id }).update({ username: 'robert' });
    try {
      const page = await pageText(miaBrowser, id);
      expect(page).toContain('robert');
      expect(page).not.toMatch(/\bbob\b/);
    } finally {
      await t.db('users').where({ id: bob.id }).update({ username: 'bob' });
    }
    expect(await pageText(miaBrowser, id)).toMatch(/\bbob\b/);
  });

  test('a page with a task graph is kept only while the whole tracker is unchanged: a hidden task in its walk may be shown', async () => {
    const top = await createTask(d(), mia, { title: 'Top of the graph', view: 'users' });
    const middle = await createTask(d(), mia, { title: 'Hidden middle', view: 'maintainers' });
    const bottom = await createTask(d(), mia, { title: 'Bottom of the graph', view: 'users' });
    await edit(d(), mia, middle, { parents: { add: [`T${top}`] }, subtasks: { add: [`T${bottom}`] } });
    expect(await pageText(bobBrowser, top)).not.toContain('Bottom of the graph');
    expect(await rendered(bobBrowser, top)).toBe(false);
    // Only the middle task's row changes: the page walks through it to the bottom one.
    await t.db('tasks').where({ id: middle }).update({ view_policy: 'users' });
    const page = await pageText(bobBrowser, top);
    expect(page).toContain('Hidden middle');
    expect(page).toContain('Bottom of the graph');
    // And any write anywhere renders it afresh.
    await createTask(d(), mia, { title: 'Unrelated' });
    expect(await rendered(bobBrowser, top)).toBe(true);
  });

  test('a page naming a file is kept only while the whole tracker is unchanged: attaching it to another task may show it', async () => {
    const csrf = await miaBrowser.csrf('/maniphest/');
    const upload = await miaBrowser.agent.post('/file/upload').set('X-CSRF-Token', csrf).attach('file', Buffer.from('notes'), { filename: 'notes.txt', contentType: 'text/plain' });
    expect(upload.status).toBe(201);
    const file = upload.body.id as number;
    const id = await createTask(d(), bob, { title: 'Names a file', description: `Read {F${file}}.` });
    const link = `/file/data/F${file}/`;
    expect((await bobBrowser.get(`/T${id}`)).html).not.toContain(link);
    // Mia names it on a task everyone may see: bob may see the file now, on a page that did not change.
    await createTask(d(), mia, { title: 'Publishes the file', description: `{F${file}}`, view: 'users' });
    expect((await bobBrowser.get(`/T${id}`)).html).toContain(link);
  });

  describe('the versions', () => {
    test('a commit moves the version of each task it wrote a row of, both ends of a link, and no other', async () => {
      const [a, b, c] = [await createTask(d(), mia), await createTask(d(), mia), await createTask(d(), mia)];
      const before = await Promise.all([a, b, c].map((id) => readScopedVersions(t.db, [id])));
      await t.db('task_edges').insert({ src_task_id: a, type: 'mentions', dst_task_id: b });
      const after = await Promise.all([a, b, c].map((id) => readScopedVersions(t.db, [id])));
      expect(after.map((v, i) => v.scoped === before[i]!.scoped)).toEqual([false, false, true]);
    });

    test('a transaction that writes more tasks than are noted one by one moves what is no task’s, so every page', async () => {
      const [id, other] = [await createTask(d(), mia), await createTask(d(), mia)];
      const before = await readScopedVersions(t.db, [id]);
      await t.db.transaction(async (trx) => {
        await trx.raw('SELECT trellis_note_tasks(ARRAY(SELECT generate_series(1000000, 1001000)))');
        await trx('task_mutes').insert({ task_id: other, user_id: mia.id });
      });
      expect((await readScopedVersions(t.db, [id])).scoped).not.toBe(before.scoped);
    });

    // A version moved by each statement would lock the second task's row while the other transaction
    // holds it, each waiting on the other: PostgreSQL would end one with a deadlock. The embedded
    // database runs one transaction at a time.
    (onPostgres() ? test : test.skip)('two transactions writing the same two tasks in opposite orders both commit: their versions are locked at commit', async () => {
      const [a, b] = [await createTask(d(), mia), await createTask(d(), mia)];
      const before = await readScopedVersions(t.db, [a, b]);
      const first = await t.db.transaction();
      const second = await t.db.transaction();
      try {
        await first('task_mutes').insert({ task_id: a, user_id: mia.id });
        await second('task_mutes').insert({ task_id: b, user_id: mia.id });
        await first('task_mutes').insert({ task_id: b, user_id: bob.id });
        await second('task_mutes').insert({ task_id: a, user_id: bob.id });
        await Promise.all([first.commit(), second.commit()]);
      } finally {
        if (!first.isCompleted()) await first.rollback();
        if (!second.isCompleted()) await second.rollback();
      }
      const after = await readScopedVersions(t.db, [a, b]);
      expect(after.scoped).not.toBe(before.scoped);
      expect(Number((await t.db('task_mutes').whereIn('task_id', [a, b]).count('* as n').first())!.n)).toBe(4);
    });

    test('every table the tracker’s version covers is a task’s, noting its tasks, or no task’s, moving the shared version', async () => {
      const { rows } = (await t.db.raw(`
        SELECT c.relname AS name,
               count(*) FILTER (WHERE tg.tgname LIKE '%\\_note\\_%\\_tasks') AS notes,
               bool_or(tg.tgname LIKE '%\\_move\\_tracker\\_version' AND tg.tgnargs = 1) AS shared
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_trigger tg ON tg.tgrelid = c.oid AND NOT tg.tgisinternal
        WHERE n.nspname = current_schema()
        GROUP BY c.relname
        HAVING bool_or(tg.tgname LIKE '%\\_move\\_tracker\\_version')`)) as { rows: { name: string; notes: string; shared: boolean }[] };
      expect(rows.length).toBeGreaterThan(15);
      const kindOf = (r: (typeof rows)[number]) => (Number(r.notes) === 3 && !r.shared ? 'task' : Number(r.notes) === 0 && r.shared ? 'shared' : 'neither');
      expect(rows.filter((r) => kindOf(r) === 'neither').map((r) => r.name)).toEqual([]);
    });
  });
});
