import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { User } from '../../server/users/user';
import { eventually, SiteVisitor, startAppProcess, type AppProcess } from '../support/app-processes';
import { useTestApp } from '../support/app';
import { tokenFor } from '../support/conduit';
import { onPostgres } from '../support/db';
import { createTask, createUser } from '../support/factories';
import { smtpProvider, type Provider } from '../support/smtp';
import { databaseUrl } from '../support/targets';

// Two processes on one database need a database server; the embedded one belongs to one process.
const onServer = onPostgres() ? describe : describe.skip;

/**
 * TEST_POOLER_URL names a PgBouncer in transaction mode in front of the test server
 * (postgres://postgres@127.0.0.1:6432/postgres): the processes then reach the database through
 * it, as an install with DATABASE_POOLER=pgbouncer does, and LISTEN and migrate directly.
 */
const POOLER_URL = process.env.TEST_POOLER_URL;

/** Starting two tsx processes on two loaded cores takes a while. */
jest.setTimeout(180_000);

onServer('two app processes on one database', () => {
  const t = useTestApp();
  let sink: Provider;
  let dir: string;
  let a: AppProcess;
  let b: AppProcess;
  const users = {} as Record<'mia' | 'bob' | 'ann', User>;

  beforeAll(async () => {
    sink = await smtpProvider('accept');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-two-'));
    const configFile = path.join(dir, 'trellis.json');
    fs.writeFileSync(
      configFile,
      JSON.stringify({ mailers: [{ key: 'sink', type: 'smtp', options: { host: '127.0.0.1', port: sink.port, secure: false, timeout: 5000 } }], mail: { from: 'Trellis <trellis@example.com>' } }),
    );
    users.mia = await createUser(t.db, { username: 'mia', role: 'maintainer', email: 'mia@example.com' });
    users.bob = await createUser(t.db, { username: 'bob', role: 'engineer', email: 'bob@example.com' });
    users.ann = await createUser(t.db, { username: 'ann', role: 'engineer', email: 'ann@example.com' });
    const { rows } = (await t.db.raw('SELECT current_database() AS name')) as { rows: { name: string }[] };
    const direct = databaseUrl(rows[0]!.name, process.env.TRELLIS_TEST_ADMIN_URL);
    const database: Record<string, string> = POOLER_URL ? { DATABASE_URL: databaseUrl(rows[0]!.name, POOLER_URL), DATABASE_POOLER: 'pgbouncer', DATABASE_DIRECT_URL: direct } : { DATABASE_URL: direct };
    const settings = { ...database, TRELLIS_CONFIG: configFile, API_RATE_LIMIT: '4' };
    [a, b] = await Promise.all([startAppProcess(settings), startAppProcess(settings)]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await sink?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('they are two processes on two ports', () => {
    expect(a.child.pid).not.toBe(b.child.pid);
    expect(a.baseUrl).not.toBe(b.baseUrl);
  });

  test('a login made on one is valid on the other, and logging out on either ends it on both', async () => {
    const mia = new SiteVisitor();
    expect((await mia.post(a.baseUrl, '/login', { username: 'mia', password: 'correct horse battery' }, '/login')).status).toBe(303);
    const onB = await mia.get(b.baseUrl, '/settings/');
    expect(onB.status).toBe(200);
    expect(onB.text).toContain('mia');

    expect((await mia.post(b.baseUrl, '/logout', {}, '/settings/')).status).toBe(303);
    for (const server of [a, b]) {
      const page = await mia.get(server.baseUrl, '/settings/');
      expect(page.status).toBe(303);
      expect(page.location).toMatch(/^\/login/);
    }
  });

  test('the API rate limit counts the calls made to both', async () => {
    const token = await tokenFor(t.db, users.bob);
    const ping = async (server: AppProcess) => {
      const res = await fetch(`${server.baseUrl}/api/conduit.ping`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ params: JSON.stringify({ __conduit__: { token } }), output: 'json' }),
      });
      return ((await res.json()) as { error_code: string | null }).error_code;
    };
    // API_RATE_LIMIT is 4 a minute: two calls to each are allowed, the fifth is refused by either.
    expect([await ping(a), await ping(b), await ping(a), await ping(b)]).toEqual([null, null, null, null]);
    expect(await ping(a)).toBe('ERR-RATE-LIMIT');
    expect(await ping(b)).toBe('ERR-RATE-LIMIT');
  });

  test('a bulk edit posted to one is run to its end, and its page on the other says so', async () => {
    const ids = [await createTask(t.domain, users.mia, { title: 'Bulk one' }), await createTask(t.domain, users.mia, { title: 'Bulk two' })];
    const mia = new SiteVisitor();
    await mia.post(a.baseUrl, '/login', { username: 'mia', password: 'correct horse battery' }, '/login');
    const posted = await mia.post(a.baseUrl, '/maniphest/bulk/', { scope: 'selected', ids: ids.map(String), priority: 'low', back: '/maniphest/', query: '' }, '/maniphest/query/all/');
    expect(posted.status).toBe(303);
    expect(posted.location).toMatch(/^\/maniphest\/bulk\/[0-9]+\/$/);
    const done = await eventually('the bulk edit to finish', async () => {
      const page = await mia.get(b.baseUrl, posted.location!);
      return page.status === 200 && !page.text.includes('class="progress') && page;
    });
    expect(done.text).toContain('2 tasks were changed.');
    expect(await t.db('tasks').whereIn('id', ids).pluck('priority')).toEqual([25, 25]);
  });

  test('mail queued by an edit on one is sent once', async () => {
    const ann = new SiteVisitor();
    await ann.post(b.baseUrl, '/login', { username: 'ann', password: 'correct horse battery' }, '/login');
    const created = await ann.post(b.baseUrl, '/maniphest/task/edit/', { title: 'Mail me once', owner: 'bob' }, '/maniphest/task/edit/');
    expect(created.status).toBe(303);
    const id = Number(created.location!.slice(2));
    await eventually('the mail to be sent', async () => (await t.db('mail_messages').where({ status: 'sent' }).whereRaw('subject LIKE ?', [`%T${id}:%`])).length > 0);
    // Both processes poll the queue: nothing of the message's is left for a second send.
    await eventually('the mail jobs to finish', async () => (await t.db('jobs').where({ kind: 'mail-send' }).whereNull('finished_at')).length === 0);
    const toBob = sink.received.filter((r) => r.mail.subject?.includes(`T${id}:`));
    expect(toBob).toHaveLength(1);
    expect(toBob[0]!.recipients).toEqual(['bob@example.com']);
  });

  test('a task page open on one hears of a comment posted on the other', async () => {
    const id = await createTask(t.domain, users.mia, { title: 'Live across processes', view: 'public' });
    const controller = new AbortController();
    const stream = await fetch(`${a.baseUrl}/T${id}/live`, { signal: controller.signal });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    let heard = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        heard += Buffer.from(value).toString();
      }
    })().catch(() => undefined);
    try {
      // The stream is answered before its process has its LISTEN connection: wait for that, then write.
      await eventually('process A to listen', async () => {
        const { rows } = (await t.db.raw(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN %'`)) as { rows: { n: number }[] };
        return rows[0]!.n > 0;
      });
      const bob = new SiteVisitor();
      await bob.post(b.baseUrl, '/login', { username: 'bob', password: 'correct horse battery' }, '/login');
      expect((await bob.post(b.baseUrl, `/T${id}`, { comment: 'Seen from the other side.' }, `/T${id}`)).status).toBe(303);
      await eventually('the change to reach the open page', async () => heard.includes('event: change'));
    } finally {
      controller.abort();
      await reading;
    }
  });

  test('a list kept by one shows a claim made on the other at once', async () => {
    const mia = new SiteVisitor();
    await mia.post(a.baseUrl, '/login', { username: 'mia', password: 'correct horse battery' }, '/login');
    const id = await createTask(t.domain, users.mia, { title: 'Zebracorn kept in a list' });
    const list = '/maniphest/query/?text=zebracorn&group=none';
    // Twice on a: the second is the kept rendering.
    for (let i = 0; i < 2; i++) expect((await mia.get(a.baseUrl, list)).text).toContain('<span class="owner none">Unassigned</span>');
    expect((await mia.post(b.baseUrl, `/T${id}/claim`, {}, `/T${id}`)).status).toBe(303);
    const after = await mia.get(a.baseUrl, list);
    expect(after.text).toContain('<mark>Zebracorn</mark> kept in a list');
    expect(after.text).not.toContain('<span class="owner none">Unassigned</span>');
    expect(after.text).toContain('<a class="owner" href="/p/mia/">mia</a>');
  });

  test('failed logins are counted across both', async () => {
    const visitor = new SiteVisitor();
    const statuses: number[] = [];
    // Ten in fifteen minutes for one account: five on each, then the next is refused wherever it goes.
    for (let i = 0; i < 10; i++) statuses.push((await visitor.post(i % 2 ? b.baseUrl : a.baseUrl, '/login', { username: 'ann', password: 'wrong' }, '/login')).status);
    expect(statuses.every((s) => s === 422 || s === 401 || s === 403)).toBe(true);
    const refused = await visitor.post(a.baseUrl, '/login', { username: 'ann', password: 'correct horse battery' }, '/login');
    expect(refused.status).toBe(429);
    expect((await visitor.post(b.baseUrl, '/login', { username: 'ann', password: 'correct horse battery' }, '/login')).status).toBe(429);
  });
});
