import type { Express } from 'express';
import type { Knex } from 'knex';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { openPostgres, type Database } from '../../server/db/connect';
import type { User } from '../../server/users/user';
import { WROTE_COOKIE } from '../../server/web/replica';
import { useTestApp } from '../support/app';
import { onPostgres } from '../support/db';
import { createTask, createUser } from '../support/factories';
import { Browser, loggedIn } from '../support/http';
import { databaseUrl } from '../support/targets';

// A replica is a second server: the embedded database has none.
const onServer = onPostgres() ? describe : describe.skip;

/** Counts the statements a pool runs, so a test sees which pool a page read from. */
function counted(db: Knex): { count: () => number; texts: string[] } {
  const texts: string[] = [];
  db.on('query', (q: { sql: string }) => texts.push(q.sql));
  return { count: () => texts.length, texts };
}

onServer('list and search reads with DATABASE_REPLICA_URL', () => {
  const t = useTestApp();
  let replica: Database;
  let app: Express;
  let reads: ReturnType<typeof counted>;
  let writes: ReturnType<typeof counted>;
  let mia: User;

  beforeAll(async () => {
    // The "replica" is a second pool on the same database: what it serves is the same, which pool served it is what the test reads.
    const { rows } = (await t.db.raw('SELECT current_database() AS name')) as { rows: { name: string }[] };
    replica = openPostgres(databaseUrl(rows[0]!.name, process.env.TRELLIS_TEST_ADMIN_URL), 2);
    reads = counted(replica.db);
    writes = counted(t.db);
    app = createApp({ ...t.deps, reads: replica.db, config: { ...t.deps.config, replicaUrl: 'postgres://replica', replicaStickySeconds: 600 } });
    mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    await createTask(t.domain, mia, { title: 'Printer on fire', view: 'public' });
  });
  afterAll(() => replica?.close());

  test('is a setting that needs a PostgreSQL server', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://db/trellis', DATABASE_REPLICA_URL: 'postgres://replica/trellis' }).replicaUrl).toBe('postgres://replica/trellis');
    expect(loadConfig({ DATABASE_URL: 'postgres://db/trellis' }).replicaStickySeconds).toBe(10);
    expect(() => loadConfig({ DATABASE_REPLICA_URL: 'postgres://replica/trellis' })).toThrow(/DATABASE_REPLICA_URL: needs DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://db/trellis', DATABASE_REPLICA_URL: 'mysql://x' })).toThrow(/DATABASE_REPLICA_URL: must start with postgres/);
  });

  test("a visitor's list, search and export read from the replica", async () => {
    const visitor = new Browser(app);
    const before = { reads: reads.count(), writes: writes.count() };
    const list = await visitor.get('/maniphest/query/all/');
    expect(list.status).toBe(200);
    expect(list.text).toContain('Printer on fire');
    const search = await visitor.get('/maniphest/query/?text=printer');
    expect(search.text).toContain('Printer on fire');
    const csv = await visitor.agent.get('/maniphest/query/all/export.csv');
    expect(csv.status).toBe(200);
    expect(csv.text).toContain('Printer on fire');
    expect(reads.texts.slice(before.reads).some((sql) => /from "tasks"|FROM tasks/i.test(sql))).toBe(true);
    // The primary answered only what every page asks (the setup check), never the lists.
    expect(writes.texts.slice(before.writes).some((sql) => /from "tasks"|FROM tasks/i.test(sql))).toBe(false);
  });

  test('someone who just wrote reads their list from the primary, and sees their change', async () => {
    const browser = await loggedIn(app, 'mia');
    const created = await browser.post('/maniphest/task/edit/', { title: 'Toner everywhere', priority: 'high' }, '/maniphest/task/edit/');
    expect(created.status).toBe(303);
    const cookies = (browser.agent as unknown as { jar: { getCookie(name: string, access: object): { value: string } | undefined } }).jar;
    expect(cookies.getCookie(WROTE_COOKIE, { path: '/', domain: '127.0.0.1', secure: false, script: false })).toBeDefined();

    const before = reads.count();
    const list = await browser.get('/maniphest/query/all/');
    expect(list.text).toContain('Toner everywhere');
    const csv = await browser.agent.get('/maniphest/query/all/export.csv');
    expect(csv.text).toContain('Toner everywhere');
    expect(reads.count()).toBe(before);
  });

  test('the task page and every write stay on the primary whoever asks', async () => {
    const id = await createTask(t.domain, mia, { title: 'Paper jam', view: 'public' });
    const before = reads.count();
    const page = await new Browser(app).get(`/T${id}`);
    expect(page.text).toContain('Paper jam');
    expect(reads.count()).toBe(before);
  });
});
