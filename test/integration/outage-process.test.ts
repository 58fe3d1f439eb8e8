import net from 'node:net';
import { onPostgres } from '../support/db';
import { createTask, createUser } from '../support/factories';
import { startOutageApp, type OutageApp } from '../support/outage';
import { launch, type Proc } from '../support/process';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function listening(proc: Proc): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => proc.stdout().includes('Trellis is listening on') && resolve();
    proc.child.stdout!.on('data', check);
    proc.exited.then((e) => reject(new Error(`The server exited (${e.code ?? e.signal}) before listening:\n${e.stdout}${e.stderr}`)));
    check();
  });
}

/**
 * Each test starts the process cold, which on a busy two-core machine running the other test files can
 * take a good part of a minute before the outage itself begins.
 */
const PROCESS_TEST_MS = 150_000;

/** The real process, `npm start`, on a PostgreSQL reached through a proxy the test breaks. */
(onPostgres() ? describe : describe.skip)('the server process through a database outage (PostgreSQL only)', () => {
  let t: OutageApp;
  let server: Proc | null = null;
  let taskId: number;

  beforeAll(async () => {
    t = await startOutageApp({ connectMs: 1000, statementMs: 1500, acquireMs: 2000 });
    const alice = await createUser(t.db, { username: 'alice', role: 'maintainer' });
    taskId = await createTask(t.domain, alice, { title: 'Open while the database stalls', view: 'public' });
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await t?.close();
  });

  async function startServer(): Promise<string> {
    const port = await freePort();
    server = launch('server/main.ts', [], {
      DATABASE_URL: t.url,
      PORT: String(port),
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
      DATABASE_STATEMENT_TIMEOUT_MS: '1500',
      DATABASE_ACQUIRE_TIMEOUT_MS: '2000',
    });
    await listening(server);
    const base = `http://127.0.0.1:${port}`;
    // Several pages at once leave the pool a few open connections, so that the request made during an
    // outage finds one and sends its statement, rather than waiting to connect.
    const pages = await Promise.all([1, 2, 3].map(() => fetch(`${base}/T${taskId}`)));
    expect(pages.map((p) => p.status)).toEqual([200, 200, 200]);
    return base;
  }

  /** The Connection header of the last answer stopDuringOutage got. */
  let connection: string | null = null;

  /** SIGTERM with a request made during the outage: it gets its 503 before the process stops. */
  async function stopDuringOutage(base: string, waitingOnDatabase: Promise<void>) {
    const inFlight = fetch(`${base}/T${taskId}`);
    await waitingOnDatabase;
    server!.child.kill('SIGTERM');
    const res = await inFlight;
    expect(res.status).toBe(503);
    connection = res.headers.get('connection');
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.text()).toContain('Trellis can not reach its database; try again shortly.');
    const exit = await server!.exited;
    server = null;
    expect(exit.code).toBe(0);
    expect(exit.stdout).toContain('SIGTERM received: finishing requests in flight, then stopping');
    // The kept-alive connection of the answered request is closed at once, not when the 10 s grace runs out.
    expect(exit.stdout).not.toContain('requests still open after 10 s');
    expect(exit.stderr).toBe('');
    return exit;
  }

  /**
   * Settles once the request is waiting on the stuck database: the stuck server is sent either the anonymous
   * task page's statement (known by its name, server/db/prepared.ts, which goes with its text the first time a
   * connection runs it, and alone after) or, when the job runner's polls hold every open connection, a new
   * connection's start-up message (which names the database). The second gives up after the connect timeout
   * (1 s), so what follows must come at once: a fixed wait of a second raced that timeout and lost one run in
   * five. After 500 ms it settles anyway, as the last resort.
   */
  function requestWaitingOnStuckDatabase(): Promise<void> {
    const reachedDatabase = t.proxy.heldTraffic(/trellis_task_page\b|\0database\0/);
    return Promise.race([reachedDatabase, new Promise<void>((resolve) => setTimeout(resolve, 500))]);
  }

  test('SIGTERM while the database is stuck: the request in flight gets its 503, and the process stops without waiting on the database for long', async () => {
    const base = await startServer();
    t.proxy.stuck();
    try {
      const exit = await stopDuringOutage(base, requestWaitingOnStuckDatabase());
      // An answer still to be sent at the signal is the last on its connection, which then closes.
      expect(connection).toBe('close');
      // Connections waiting on an answer are dropped at once; an idle one says goodbye, which a paused server never acknowledges.
      expect(exit.stdout).toMatch(/stopped cleanly|the database did not acknowledge closing within 1000 ms: stopped anyway/);
    } finally {
      await t.proxy.restore();
    }
  }, PROCESS_TEST_MS);

  test('SIGTERM while the database is down: the request in flight gets its 503, and the process stops cleanly', async () => {
    const base = await startServer();
    // The request must have reached the app before the signal: one still unread on its kept-alive connection
    // is dropped with the idle connections, and a database already gone answers it too fast to catch it in
    // between. So the database stops answering, the request is seen waiting on it, and then it goes away.
    t.proxy.stuck();
    try {
      const exit = await stopDuringOutage(base, requestWaitingOnStuckDatabase().then(() => t.proxy.down()));
      expect(exit.stdout).toContain('stopped cleanly');
    } finally {
      await t.proxy.restore();
    }
  }, PROCESS_TEST_MS);

  test('starting while the database is down fails at once, saying so, without a stack', async () => {
    await t.proxy.down();
    try {
      const exit = await launch('server/main.ts', [], { DATABASE_URL: t.url, PORT: String(await freePort()), DATABASE_CONNECT_TIMEOUT_MS: '1000' }).exited;
      expect(exit.code).toBe(1);
      expect(exit.stderr).toMatch(/^Trellis could not start: Trellis can not reach its database \(connect ECONNREFUSED 127\.0\.0\.1:[0-9]+\)\. Check that PostgreSQL is running and that DATABASE_URL names it, then try again\.\n$/);
      expect(exit.stdout).not.toContain('listening');
    } finally {
      await t.proxy.restore();
    }
  }, PROCESS_TEST_MS);
});
