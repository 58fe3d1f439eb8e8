import request from 'supertest';
import type { DatabaseTimeouts } from '../../server/config';
import { isDatabaseUnavailable } from '../../server/db/unavailable';
import { InboundListener } from '../../server/mail/inbound/listener';
import { queueRefusal } from '../../server/mail/inbound/refusal';
import { replyAddress } from '../../server/mail/reply-address';
import { queueBulkEdit } from '../../server/tasks/bulk';
import type { User } from '../../server/users/user';
import { startTestApp, type TestApp } from '../support/app';
import { tokenFor } from '../support/conduit';
import { onPostgres } from '../support/db';
import { createTask, createUser } from '../support/factories';
import { Browser, loggedIn, type Page } from '../support/http';
import { deliver, inboundMailConfig, REPLY_DOMAIN } from '../support/inbound';
import { APP_NAME, startOutageApp, type OutageApp } from '../support/outage';

const MESSAGE = 'Trellis can not reach its database; try again shortly.';

/**
 * Short enough that an outage is seen within seconds, long enough that a
 * healthy database on a busy machine is never mistaken for a broken one.
 */
const TIMEOUTS: DatabaseTimeouts = { connectMs: 2000, statementMs: 1500, acquireMs: 2500 };

/** The outage page: 503, Retry-After, the sentence, inside the site's usual layout. */
function expectOutagePage(page: Page, res: { headers: Record<string, string> }) {
  expect(page.status).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(page.text).toContain(MESSAGE);
  expect(page.dom.querySelector('header.topbar a.brand')?.getAttribute('href')).toBe('/maniphest/');
  expect(page.dom.querySelector('h1')!.textContent).toBe('Temporarily Unavailable');
}

async function getPage(browser: Browser, path: string): Promise<{ page: Page; headers: Record<string, string> }> {
  const res = await browser.agent.get(path);
  const { parse } = await import('node-html-parser');
  const dom = parse(res.text ?? '');
  const main = dom.querySelector('main');
  return {
    page: { status: res.status, html: res.text, dom, text: (main ?? dom).textContent.replace(/\s+/g, ' ').trim(), location: res.headers.location },
    headers: res.headers as Record<string, string>,
  };
}

const conduitSearch = (t: OutageApp, token: string) => request(t.app).post('/api/maniphest.search').type('form').send({ 'api.token': token });

(onPostgres() ? describe : describe.skip)('a database that is down or stuck (PostgreSQL only: the embedded database has no network to lose)', () => {
  let t: OutageApp;
  let alice: User;
  let taskId: number;
  let token: string;

  beforeAll(async () => {
    t = await startOutageApp(TIMEOUTS);
    alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    taskId = await createTask(t.domain, alice, { title: 'Survives outages', view: 'public' });
    token = await tokenFor(t.db, alice);
  });
  afterAll(async () => {
    await t?.close();
  });
  afterEach(async () => {
    await t.proxy.restore();
    t.log.splice(0);
  });

  async function expectHealthy(browser: Browser) {
    const health = await request(t.app).get('/healthz');
    expect([health.status, health.text]).toEqual([200, 'ok']);
    expect((await browser.get(`/T${taskId}`)).status).toBe(200);
    const api = await conduitSearch(t, token);
    expect(api.status).toBe(200);
    expect(api.body.error_code).toBeNull();
  }

  async function expectOutage(browser: Browser, visitor: Browser) {
    const health = await request(t.app).get('/healthz');
    expect(health.status).toBe(503);
    expect(health.headers['retry-after']).toBe('5');
    expect(health.text).toContain('database unreachable');

    // A visitor without a session, and a person whose session can not be read.
    for (const who of [visitor, browser]) {
      const { page, headers } = await getPage(who, `/T${taskId}`);
      expectOutagePage(page, { headers });
    }

    const api = await conduitSearch(t, token);
    expect(api.status).toBe(503);
    expect(api.headers['retry-after']).toBe('5');
    expect(api.body).toEqual({ result: null, error_code: 'ERR-CONDUIT-CORE', error_info: MESSAGE });
    expect(t.log.some((l) => l.includes('"level":"error"'))).toBe(false);
    expect(t.log.some((l) => l.includes('"msg":"database unreachable"'))).toBe(true);
  }

  test('down: pages, the API and /healthz answer 503 with Retry-After, nothing is half-written, and the app recovers by itself', async () => {
    const browser = await loggedIn(t.app, 'alice');
    const visitor = new Browser(t.app);
    const form = await browser.csrf(`/T${taskId}`);
    await expectHealthy(browser);
    const events = await t.db('task_events').count<{ n: number }[]>({ n: '*' });

    await t.proxy.down();
    await expectOutage(browser, visitor);
    // A comment sent now is refused with the text kept on the page.
    const comment = await browser.postRaw(`/T${taskId}/comment`, { __csrf__: form, comment: 'Typed during the outage' });
    expect(comment.status).toBe(503);
    expect(comment.dom.querySelector('.kept textarea')!.textContent).toBe('Typed during the outage');

    await t.proxy.restore();
    await expectHealthy(browser);
    expect(await t.db('task_events').count<{ n: number }[]>({ n: '*' })).toEqual(events);
    const again = await browser.post(`/T${taskId}/comment`, { comment: 'Typed after it' }, `/T${taskId}`);
    expect([again.status, again.location]).toEqual([303, `/T${taskId}`]);
  }, 60_000);

  test('stuck: connections open but nothing answers; 503 within the timeouts, then served again once it answers', async () => {
    const browser = await loggedIn(t.app, 'alice');
    const visitor = new Browser(t.app);
    await expectHealthy(browser);

    t.proxy.stuck();
    await expectOutage(browser, visitor);

    await t.proxy.restore();
    await expectHealthy(browser);
  }, 60_000);

  test('a restart: a request in flight answers 503, and the connections the restart closed are replaced unseen', async () => {
    const browser = await loggedIn(t.app, 'alice');
    await expectHealthy(browser);

    // The server ends every session of the app, as a restart does; the pool drops them as their goodbye arrives.
    const { rows } = await t.db.raw(`SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?`, [APP_NAME]);
    expect(rows.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expectHealthy(browser);

    // A request waiting on the database when the connection drops.
    t.proxy.stuck();
    const inFlight = getPage(browser, `/T${taskId}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    t.proxy.cut();
    await t.proxy.restore();
    const { page, headers } = await inFlight;
    expectOutagePage(page, { headers });
    await expectHealthy(browser);
  }, 60_000);

  test('mail arriving while the database is down is deferred with 451, so the relay delivers it again, and applied once it is back', async () => {
    const mia = await createUser(t.db, { username: 'mia', role: 'engineer', email: 'mia@example.test' });
    const mailed = await createTask(t.domain, alice, { title: 'Answered by mail', view: 'public' });
    const inbound = new InboundListener({ db: t.proxied.db, tracker: t.deps.tracker, log: (l) => t.log.push(l), refuse: queueRefusal }, { mail: inboundMailConfig(), secret: t.deps.secret });
    const { port } = await inbound.listen();
    try {
      const mail = { from: 'mia@example.test', to: replyAddress(t.deps.secret, REPLY_DOMAIN, { taskId: mailed, userId: mia.id }), subject: `Re: T${mailed}`, text: 'Sent while the database was away.', messageId: '<outage-1@example.test>' };
      await t.proxy.down();
      expect(await deliver(port, mail)).toMatchObject({ ok: false, code: 451 });
      expect(t.log.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'inbound mail')).toEqual([
        expect.objectContaining({ level: 'warn', outcome: 'deferred', reason: 'database unreachable' }),
      ]);

      await t.proxy.restore();
      expect(await deliver(port, mail)).toMatchObject({ ok: true, code: 250 });
      expect(await t.db('task_events').where({ task_id: mailed, type: 'comment' }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 1 }]);
      expect(await t.db('inbound_mail').pluck('outcome')).toEqual(['applied']);
    } finally {
      await inbound.close();
    }
  }, 60_000);

  test('the job runner survives an outage mid-job, leaves the untouched tasks pending, and finishes the job once the database is back', async () => {
    const ids: number[] = [];
    for (const title of ['First', 'Second', 'Third']) ids.push(await createTask(t.domain, alice, { title, priority: 'normal' }));
    const job = await queueBulkEdit(t.db, alice, ids, [{ type: 'priority', value: 'high' }], '/maniphest/');

    // The database goes away as the runner locks the first task to edit it.
    let tripped = false;
    const trip = (q: { sql: string }) => {
      if (tripped || !/for (no key )?update/i.test(q.sql) || /skip locked/i.test(q.sql)) return;
      tripped = true;
      void t.proxy.down();
    };
    t.proxied.db.on('query', trip);
    try {
      await t.deps.jobs.kick();
    } finally {
      t.proxied.db.off('query', trip);
    }
    expect(tripped).toBe(true);
    expect(t.log.filter((l) => l.includes('"level":"error"'))).toEqual([]);
    // Said once, however many workers find the database away.
    expect(t.log.filter((l) => l.includes('database unreachable; jobs wait until it answers'))).toHaveLength(1);
    // No task was marked as refused for the outage, and none was changed.
    expect(await t.db('bulk_edit_tasks').where({ bulk_edit_id: job }).whereNotNull('outcome').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
    expect((await t.db('tasks').whereIn('id', ids).pluck('priority')).sort()).toEqual([50, 50, 50]);

    await t.proxy.restore();
    // The job this process dropped is given back and taken up at once, without waiting for its lease to lapse.
    await t.deps.jobs.kick();
    expect(t.log.filter((l) => l.includes('the database answers again: jobs go on'))).toHaveLength(1);
    const [row] = await t.db('bulk_edits').where({ id: job }).select('finished_at');
    expect(row.finished_at).not.toBeNull();
    expect(await t.db('bulk_edit_tasks').where({ bulk_edit_id: job }).orderBy('position').pluck('outcome')).toEqual(['changed', 'changed', 'changed']);
    expect((await t.db('tasks').whereIn('id', ids).pluck('priority')).sort()).toEqual([80, 80, 80]);
    // Each task was edited once: one priority event each.
    expect(await t.db('task_events').whereIn('task_id', ids).where({ type: 'priority' }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 6 }]);
  }, 60_000);
});

(onPostgres() ? describe : describe.skip)('a pool held by slow statements (PostgreSQL only)', () => {
  let t: OutageApp;
  let taskId: number;

  beforeAll(async () => {
    // Statements may run longer than a request waits for a connection.
    t = await startOutageApp({ connectMs: 1000, statementMs: 2500, acquireMs: 1000 }, 2);
    const alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    taskId = await createTask(t.domain, alice, { title: 'Waits for a connection', view: 'public' });
  });
  afterAll(async () => {
    await t?.close();
  });

  test('a request that can not get a connection in time answers 503, and is served once the pool frees up', async () => {
    // Both of the pool's connections, taken (a knex query starts when it is awaited, so it is started here).
    const slow = [1, 2].map(() => t.proxied.db.raw('SELECT pg_sleep(1.8)').then(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const browser = new Browser(t.app);
    const { page, headers } = await getPage(browser, `/T${taskId}`);
    expectOutagePage(page, { headers });
    await Promise.all(slow);
    expect((await browser.get(`/T${taskId}`)).status).toBe(200);
  }, 30_000);

  test('a statement past the statement timeout is cancelled by the server, and counts as the database not answering', async () => {
    const err = await t.proxied.db.raw('SELECT pg_sleep(10)').catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('57014');
    expect(isDatabaseUnavailable(err)).toBe(true);
  }, 30_000);
});

describe('the timeouts, with a database that answers (embedded or PostgreSQL)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ database: TIMEOUTS });
    await createUser(t.db, { username: 'alice', role: 'engineer' });
  });
  afterAll(async () => {
    await t.deps.jobs.stop();
    await t.database.close();
  });

  test('change nothing for a database that answers: /healthz and pages are served', async () => {
    const health = await request(t.app).get('/healthz');
    expect([health.status, health.text]).toEqual([200, 'ok']);
    expect((await new Browser(t.app).get('/maniphest/')).status).toBe(200);
    expect(t.errors).toEqual([]);
  });
});
