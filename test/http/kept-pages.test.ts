import { readTrackerVersion } from '../../server/db/tracker-version';
import { keptHtml, type Rendered } from '../../server/web/kept-html';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { createTask, createUser, edit } from '../support/factories';
import request from 'supertest';
import { Browser, loggedIn } from '../support/http';
import { pageStatements } from '../support/statements';

/**
 * Lists' rendered rows and task pages are kept by the process between writes to the tracker.
 * These tests change what a kept page shows in every way it can change, through the app and
 * behind its back, and check that the next view shows the change, to each viewer only what they
 * may see.
 */

/** Tables a write to which changes nothing a page shows of the tracker, each with why. */
const UNTRACKED: Record<string, string> = {
  api_rate_limits: 'counts of API calls',
  api_tokens: 'shown only on the owner’s settings page, which is never kept',
  audit_log: 'security log, on no kept page',
  auth_attempts: 'login throttling',
  bulk_edit_tasks: 'a bulk edit’s progress; its edits write the tasks',
  bulk_edits: 'a bulk edit’s progress; its edits write the tasks',
  cache_versions: 'the versions themselves',
  task_versions: 'the versions themselves',
  calendar_feeds: 'feed tokens',
  import_pending_links: 'the importer’s own queue',
  inbound_mail: 'mail received; the comments it makes write the tasks',
  jobs: 'the job queue',
  knex_migrations: 'the schema’s history',
  knex_migrations_lock: 'the schema’s history',
  login_links: 'one-time login links',
  mail_attempts: 'delivery attempts',
  mail_messages: 'mail outbox',
  mail_preferences: 'shown only on the owner’s settings page',
  mfa_factors: 'second factors',
  mfa_recovery_codes: 'second factors',
  saved_queries: 'a saved query’s kept list is keyed by its query itself; the navigation is read every time',
  sessions: 'written on every request that slides a session',
  settings: 'install secrets',
};

describe('pages kept between writes', () => {
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

  const LIST = '/maniphest/query/?group=none&order=updated';
  const rowsOf = async (b: Browser, path = LIST) => (await b.get(path)).dom.querySelectorAll('li.task-row').map((li) => li.textContent.replace(/\s+/g, ' ').trim());

  /** The statements a request sends, but the session's sliding expiry. */
  const statementsOf = async (run: () => Promise<unknown>) => (await pageStatements(t.db, run)).sql;

  /** Statements a request sends that read a list's rows. */
  const listReadsOf = async (run: () => Promise<unknown>) => (await statementsOf(run)).filter((q) => /^with "listed"|from \(select/i.test(q)).length;
  const isVersion = (q: string) => /sum\(version\)/.test(q);

  test('a list rendered afresh reads the version before and after; kept, it costs the session, the version and the saved queries', async () => {
    await createTask(d(), mia, { title: 'A write: no list is kept from before it' });
    const fresh = await statementsOf(() => miaBrowser.get('/maniphest/query/open/'));
    expect(fresh.filter(isVersion)).toHaveLength(2);
    expect(fresh.length).toBeLessThanOrEqual(5);
    const kept = await statementsOf(() => miaBrowser.get('/maniphest/query/open/'));
    expect(kept.filter(isVersion)).toHaveLength(1);
    expect(kept.length).toBeLessThanOrEqual(3);
  });

  test('every table is either moved by the version or named here with why not', async () => {
    const { rows } = (await t.db.raw(`
      SELECT c.relname AS name,
             count(*) FILTER (WHERE tg.tgname LIKE '%\\_move\\_tracker\\_version') AS moves,
             count(*) FILTER (WHERE tg.tgname LIKE '%\\_truncate\\_tracker\\_version') AS truncates
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_trigger tg ON tg.tgrelid = c.oid AND NOT tg.tgisinternal
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')
      GROUP BY c.relname ORDER BY c.relname`)) as { rows: { name: string; moves: string; truncates: string }[] };
    expect(rows.length).toBeGreaterThan(30);
    for (const r of rows) {
      const tracked = Number(r.moves) === 1 && Number(r.truncates) === 1;
      expect({ table: r.name, tracked }).toEqual({ table: r.name, tracked: !(r.name in UNTRACKED) });
    }
  });

  test('the version moves by one when a transaction that writes commits, not before, and not on a rollback', async () => {
    const id = await createTask(d(), mia, { title: 'Versioned' });
    const before = BigInt(await readTrackerVersion(t.db));
    await t.db.transaction(async (trx) => {
      await trx('tasks').where({ id }).update({ title: 'Versioned twice' });
      await trx('users').where({ id: bob.id }).update({ realname: 'Bob' });
      await trx('tasks').where({ id }).update({ title: 'Versioned thrice' });
      // The slots move at commit: inside the transaction, after its writes, the version is as it was.
      expect(BigInt(await readTrackerVersion(trx))).toBe(before);
    });
    expect(BigInt(await readTrackerVersion(t.db))).toBe(before + 1n);
    await expect(
      t.db.transaction(async (trx) => {
        await trx('tasks').where({ id }).update({ title: 'Never saved' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(BigInt(await readTrackerVersion(t.db))).toBe(before + 1n);
    await t.db('tasks').where({ id }).update({ title: 'Versioned alone' });
    expect(BigInt(await readTrackerVersion(t.db))).toBe(before + 2n);
  });

  test('reading pages moves nothing: a kept list stays kept while people only read', async () => {
    const id = await createTask(d(), mia, { title: 'Only read' });
    await miaBrowser.get(LIST);
    const before = await readTrackerVersion(t.db);
    for (const path of [`/T${id}`, LIST, '/maniphest/query/open/', '/p/mia/', '/maniphest/query/?text=read']) expect((await miaBrowser.get(path)).status).toBe(200);
    expect(await readTrackerVersion(t.db)).toBe(before);
    expect(await listReadsOf(() => miaBrowser.get(LIST))).toBe(0);
  });

  test('an edit through the app shows on the next view of a kept list', async () => {
    const id = await createTask(d(), mia, { title: 'Before the edit' });
    expect((await rowsOf(miaBrowser)).some((r) => r.includes('Before the edit'))).toBe(true);
    expect(await listReadsOf(() => miaBrowser.get(LIST))).toBe(0);
    await edit(d(), mia, id, { title: 'After the edit', priority: 'high', owner: 'bob' });
    const row = (await rowsOf(miaBrowser)).find((r) => r.includes(`T${id} `))!;
    expect(row).toContain('After the edit');
    expect(row).toContain('High');
    expect(row).toContain('bob');
  });

  test('a write made behind the app’s back shows too: a renamed person', async () => {
    const id = await createTask(d(), mia, { title: 'Owned by someone renamed', owner: 'bob' });
    expect((await rowsOf(miaBrowser)).find((r) => r.includes(`T${id} `))).toContain('bob');
    await t.db('users').where({ id: bob.id }).update({ username: 'robert' });
    try {
      const row = (await rowsOf(miaBrowser)).find((r) => r.includes(`T${id} `))!;
      expect(row).toContain('robert');
      expect(row).not.toMatch(/\bbob\b/);
    } finally {
      await t.db('users').where({ id: bob.id }).update({ username: 'bob' });
    }
    expect((await rowsOf(miaBrowser)).find((r) => r.includes(`T${id} `))).toMatch(/\bbob\b/);
  });

  test('a task hidden from a viewer leaves their kept list, and no one is shown another’s kept list', async () => {
    const id = await createTask(d(), mia, { title: 'Soon for maintainers only', view: 'users' });
    expect((await rowsOf(bobBrowser)).some((r) => r.includes('Soon for maintainers only'))).toBe(true);
    expect((await rowsOf(miaBrowser)).some((r) => r.includes('Soon for maintainers only'))).toBe(true);
    await edit(d(), mia, id, { view: 'maintainers' });
    // mia's list is rendered again and kept; bob, asking for the same address, gets his own.
    expect((await rowsOf(miaBrowser)).some((r) => r.includes('Soon for maintainers only'))).toBe(true);
    expect((await rowsOf(bobBrowser)).some((r) => r.includes('Soon for maintainers only'))).toBe(false);
    expect(await listReadsOf(() => bobBrowser.get(LIST))).toBe(0);
    expect((await rowsOf(bobBrowser)).some((r) => r.includes('Soon for maintainers only'))).toBe(false);
    await edit(d(), mia, id, { view: 'users' });
    expect((await rowsOf(bobBrowser)).some((r) => r.includes('Soon for maintainers only'))).toBe(true);
  });

  test('a kept list page carries the session’s own CSRF token: saving its query from it works in each session', async () => {
    const other = await loggedIn(t.app, 'mia');
    const list = '/maniphest/query/?group=none&order=newest';
    const tokens = [];
    for (const b of [miaBrowser, other, miaBrowser, other]) tokens.push((await b.get(list)).dom.querySelector('form.save-query input[name="__csrf__"]')!.getAttribute('value'));
    expect(tokens[0]).toBe(tokens[2]);
    expect(tokens[1]).toBe(tokens[3]);
    expect(tokens[0]).not.toBe(tokens[1]);
    for (const [b, name] of [[miaBrowser, 'Kept one'], [other, 'Kept two']] as const) {
      expect((await b.post('/maniphest/query/save/', { name, query: 'group=none&order=newest' }, list)).status).toBe(303);
    }
    // The navigation is read every time: both saved queries show on a kept list at once.
    const nav = (await miaBrowser.get(list)).dom.querySelector('nav.query-nav')!.textContent;
    expect(nav).toContain('Kept one');
    expect(nav).toContain('Kept two');
  });

  test('a list whose query moves with time ("overdue") is never kept', async () => {
    await miaBrowser.get('/maniphest/query/?due=overdue');
    expect(await listReadsOf(() => miaBrowser.get('/maniphest/query/?due=overdue'))).toBe(1);
    await miaBrowser.get('/maniphest/query/?due=any');
    expect(await listReadsOf(() => miaBrowser.get('/maniphest/query/?due=any'))).toBe(0);
  });

  test('a refused query is rendered every time and never kept', async () => {
    for (let i = 0; i < 2; i++) {
      const page = await miaBrowser.get('/maniphest/query/?order=sideways');
      expect(page.status).toBe(400);
      expect(page.text).toContain('"sideways" is not an order');
    }
  });

  describe('task pages', () => {
    const linkTo = (html: string, id: number) => new RegExp(`<a class="task-ref[^"]*"[^>]*href="/T${id}"`).exec(html)?.[0] ?? null;

    test('a kept task page costs the session and the version; a comment shows on the next view', async () => {
      const id = await createTask(d(), mia, { title: 'Kept task page' });
      await miaBrowser.get(`/T${id}`);
      const kept = await statementsOf(() => miaBrowser.get(`/T${id}`));
      expect(kept.filter(isVersion)).toHaveLength(1);
      expect(kept.length).toBeLessThanOrEqual(2);
      // The kept page's comment form works: its CSRF token is this session's.
      expect((await miaBrowser.post(`/T${id}/comment`, { comment: 'Posted from a kept page.' }, `/T${id}`)).status).toBe(303);
      expect((await miaBrowser.get(`/T${id}`)).text).toContain('Posted from a kept page.');
    });

    test('a task a page refers to shows as it is now: retitled, closed, then hidden from the viewer', async () => {
      const other = await createTask(d(), mia, { title: 'Referred to', view: 'users' });
      const id = await createTask(d(), mia, { title: 'Refers', description: `See T${other}.` });
      for (let i = 0; i < 2; i++) expect(linkTo((await bobBrowser.get(`/T${id}`)).html, other)).not.toContain('closed');
      await edit(d(), mia, other, { status: 'resolved' });
      expect(linkTo((await bobBrowser.get(`/T${id}`)).html, other)).toContain('closed');
      await edit(d(), mia, other, { view: 'maintainers' });
      const hidden = await bobBrowser.get(`/T${id}`);
      expect(linkTo(hidden.html, other)).toBeNull();
      expect(hidden.text).toContain(`See T${other}.`);
      expect(linkTo((await miaBrowser.get(`/T${id}`)).html, other)).toContain('closed');
    });

    test('each session gets its own page, with its own CSRF token; a quoted reply is never kept', async () => {
      const id = await createTask(d(), mia, { title: 'Two sessions' });
      await edit(d(), mia, id, { comment: 'Quote me.' });
      const other = await loggedIn(t.app, 'mia');
      const tokens = [];
      for (const b of [miaBrowser, other, miaBrowser, other]) tokens.push((await b.get(`/T${id}`)).dom.querySelector('form.comment-form input[name="__csrf__"], input[name="__csrf__"]')!.getAttribute('value'));
      expect(tokens[0]).toBe(tokens[2]);
      expect(tokens[1]).toBe(tokens[3]);
      expect(tokens[0]).not.toBe(tokens[1]);
      expect((await other.post(`/T${id}/comment`, { comment: 'From the second session.' }, `/T${id}`)).status).toBe(303);
      const commentId = await t.db('task_events').where({ task_id: id, type: 'comment' }).orderBy('id').first('id').then((r: { id: number }) => r.id);
      const quoted = await miaBrowser.get(`/T${id}?quote=${commentId}`);
      expect(quoted.dom.querySelector('textarea[name="comment"]')!.textContent).toContain('Quote me.');
      expect((await miaBrowser.get(`/T${id}`)).dom.querySelector('textarea[name="comment"]')!.textContent).not.toContain('Quote me.');
    });

    test('a visitor’s page is kept once their client keeps the cookie its token is bound to; a client that keeps none is never kept for', async () => {
      const id = await createTask(d(), mia, { title: 'Read by visitors', view: 'public' });
      const visitor = new Browser(t.app);
      const crawl = () => request(t.app).get(`/T${id}`);
      const firstVisit = await statementsOf(() => visitor.get(`/T${id}`));
      expect(firstVisit.filter(isVersion)).toHaveLength(0);
      for (let i = 0; i < 2; i++) {
        const crawled = await pageStatements(t.db, crawl);
        expect(crawled.result.status).toBe(200);
        expect(crawled.result.text).toContain('Read by visitors');
        expect(crawled.sql.filter(isVersion)).toHaveLength(0);
      }
      expect((await statementsOf(() => visitor.get(`/T${id}`))).filter(isVersion)).toHaveLength(2);
      const kept = await statementsOf(() => visitor.get(`/T${id}`));
      expect(kept.filter(isVersion)).toHaveLength(1);
      expect(kept).toHaveLength(1);
    });
  });

  describe('keptHtml', () => {
    const rendering = (html: string, staleAt = Infinity) => {
      const calls = { n: 0 };
      const render = async (): Promise<Rendered<null>> => {
        calls.n++;
        return { html, facts: null, staleAt };
      };
      return { calls, render };
    };

    test('keeps what it rendered while the version holds, and renders again once it moves', async () => {
      const { calls, render } = rendering('<p>one</p>');
      expect((await keptHtml(t.db, 1 << 20, 'k1', render)).html).toBe('<p>one</p>');
      expect((await keptHtml(t.db, 1 << 20, 'k1', render)).html).toBe('<p>one</p>');
      expect(calls.n).toBe(1);
      await createTask(d(), mia, { title: 'Moves the version' });
      await keptHtml(t.db, 1 << 20, 'k1', render);
      expect(calls.n).toBe(2);
    });

    test('keeps nothing when a write commits while it renders', async () => {
      let n = 0;
      const render = async (): Promise<Rendered<null>> => {
        n++;
        if (n === 1) await createTask(d(), mia, { title: 'Committed mid-render' });
        return { html: `<p>${n}</p>`, facts: null, staleAt: Infinity };
      };
      expect((await keptHtml(t.db, 1 << 20, 'k2', render)).html).toBe('<p>1</p>');
      expect((await keptHtml(t.db, 1 << 20, 'k2', render)).html).toBe('<p>2</p>');
      expect((await keptHtml(t.db, 1 << 20, 'k2', render)).html).toBe('<p>2</p>');
      expect(n).toBe(2);
    });

    /** Starts requests with `start`, and resolves once they have read the version `reads` times: none can then find a kept page. */
    async function pastVersionReads<T>(reads: number, start: () => T): Promise<T> {
      let seen = 0;
      const counted = (_r: unknown, q: { sql: string }) => void (isVersion(q.sql) && seen++);
      t.db.on('query-response', counted);
      try {
        const started = start();
        while (seen < reads) await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
        return started;
      } finally {
        t.db.off('query-response', counted);
      }
    }

    test('requests that miss together share one rendering; one that read a later version renders its own', async () => {
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      let n = 0;
      const render = async (): Promise<Rendered<null>> => {
        const mine = ++n;
        await gate;
        return { html: `<p>${mine}</p>`, facts: null, staleAt: Infinity };
      };
      const together = await pastVersionReads(3, () => [0, 1, 2].map(() => keptHtml(t.db, 1 << 20, 'k4', render)));
      expect(n).toBe(1);
      await createTask(d(), mia, { title: 'Committed while the page renders' });
      const later = keptHtml(t.db, 1 << 20, 'k4', render);
      while (n < 2) await new Promise((r) => setImmediate(r));
      release();
      expect((await Promise.all(together)).map((r) => r.html)).toEqual(['<p>1</p>', '<p>1</p>', '<p>1</p>']);
      expect((await later).html).toBe('<p>2</p>');
      // The first rendering read a version that had moved by its end, so only the second is kept.
      expect((await keptHtml(t.db, 1 << 20, 'k4', render)).html).toBe('<p>2</p>');
      expect(n).toBe(2);
    });

    test('a request that waited for a rendering whose dates turned while it rendered renders its own', async () => {
      let release = () => {};
      const gate = new Promise<void>((resolve) => (release = resolve));
      let n = 0;
      const render = async (): Promise<Rendered<null>> => {
        const mine = ++n;
        // The first reads the data, whose dates turn in 30 ms, then takes longer than that to render.
        const staleAt = mine === 1 ? Date.now() + 30 : Infinity;
        if (mine === 1) await gate;
        return { html: `<p>${mine}</p>`, facts: null, staleAt };
      };
      const [first, waiting] = await pastVersionReads(2, () => [keptHtml(t.db, 1 << 20, 'k5', render), keptHtml(t.db, 1 << 20, 'k5', render)]);
      await new Promise((r) => setTimeout(r, 40));
      release();
      // Which of the two renders first is the order their version reads come back in, on two connections.
      expect((await Promise.all([first, waiting])).map((r) => r.html).sort()).toEqual(['<p>1</p>', '<p>2</p>']);
    });

    test('renders again once time alone has changed what it shows, and keeps nothing with no room', async () => {
      const soon = rendering('<p>soon</p>', Date.now() + 50);
      await keptHtml(t.db, 1 << 20, 'k3', soon.render);
      await keptHtml(t.db, 1 << 20, 'k3', soon.render);
      expect(soon.calls.n).toBe(1);
      await new Promise((r) => setTimeout(r, 60));
      await keptHtml(t.db, 1 << 20, 'k3', soon.render);
      expect(soon.calls.n).toBe(2);

      const off = rendering('<p>off</p>');
      await keptHtml(t.db, 0, 'k4', off.render);
      await keptHtml(t.db, 0, 'k4', off.render);
      expect(off.calls.n).toBe(2);
    });
  });
});
