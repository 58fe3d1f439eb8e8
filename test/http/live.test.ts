import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { applyEdit } from '../../server/tasks/editor';
import type { User } from '../../server/users/user';
import { useTestApp } from '../support/app';
import { onPostgres } from '../support/db';
import { createTask, createUser, PASSWORD } from '../support/factories';
import { launch } from '../support/process';
import { databaseUrl } from '../support/targets';

/**
 * Live pages over server-sent events: a task page's stream says when the task
 * changed, a list's stream counts changed tasks, each judged with the viewer's
 * visibility; a task one may not see is a 404; every stream of a process
 * shares one listening connection.
 */

interface Received {
  event: string;
  data: Record<string, unknown>;
}

/** An open event stream: what it received so far, and a wait for the next event of a kind. */
class Stream {
  readonly events: Received[] = [];
  ended = false;
  private waiters: (() => void)[] = [];

  constructor(readonly status: number, private readonly res: http.IncomingMessage) {
    let buffer = '';
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) this.events.push({ event, data: JSON.parse(data) });
      }
      this.wake();
    });
    res.on('end', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }

  /** The first event of this kind, waiting up to `ms` for it. */
  async next(event: string, ms = 3000): Promise<Received> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.events.find((e) => e.event === event);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no "${event}" within ${ms} ms; received ${JSON.stringify(this.events)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  close() {
    this.res.destroy();
  }
}

function open(base: string, path: string, cookie = ''): Promise<Stream> {
  return new Promise((resolve, reject) => {
    http.get(`${base}${path}`, { headers: { Accept: 'text/event-stream', Cookie: cookie } }, (res) => resolve(new Stream(res.statusCode ?? 0, res))).on('error', reject);
  });
}

/** Logs in over HTTP as a browser does; returns the session cookie. */
async function login(base: string, username: string): Promise<string> {
  const form = await fetch(`${base}/login`);
  const cookies = form.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const csrf = /name="__csrf__" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookies },
    body: new URLSearchParams({ __csrf__: csrf, username, password: PASSWORD }),
  });
  if (res.status !== 303) throw new Error(`login as ${username}: ${res.status}`);
  return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

/** No event of this kind arrives within `ms`. */
async function quiet(s: Stream, event: string, ms = 600) {
  await new Promise((r) => setTimeout(r, ms));
  expect(s.events.filter((e) => e.event === event)).toEqual([]);
}

describe('live pages', () => {
  const t = useTestApp();
  const users = {} as Record<'alice' | 'bob' | 'mia', User>;
  const cookies = {} as Record<'alice' | 'bob' | 'mia', string>;
  let server: Server;
  let base: string;
  const streams: Stream[] = [];
  const watch = async (path: string, cookie = '') => {
    const s = await open(base, path, cookie);
    streams.push(s);
    return s;
  };

  beforeAll(async () => {
    users.alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
    users.bob = await createUser(t.db, { username: 'bob', role: 'engineer' });
    users.mia = await createUser(t.db, { username: 'mia', role: 'maintainer' });
    // An install with an administrator is set up: a fresh process would otherwise send every page to /setup.
    await createUser(t.db, { username: 'root', role: 'admin' });
    server = http.createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (const name of ['alice', 'bob', 'mia'] as const) cookies[name] = await login(base, name);
  });

  afterEach(() => {
    for (const s of streams.splice(0)) s.close();
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test("a task page's stream tells of someone else's comment at once, with the version to reach", async () => {
    const id = await createTask(t.domain, users.mia, { title: 'Printer', view: 'public' });
    const s = await watch(`/T${id}/live?since=999999999`);
    expect(s.status).toBe(200);
    const started = Date.now();
    const { events } = await applyEdit(t.domain, users.bob, id, [{ type: 'comment', value: 'On fire again.' }]);
    const change = await s.next('change');
    expect(change.data).toEqual({ version: Math.max(...events.map((e) => e.id)) });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a page that missed changes catches up when its stream opens', async () => {
    const id = await createTask(t.domain, users.mia, { title: 'Scanner', view: 'public' });
    await applyEdit(t.domain, users.bob, id, [{ type: 'comment', value: 'Missed this.' }]);
    expect((await (await watch(`/T${id}/live?since=1`)).next('change')).data.version).toBeGreaterThan(1);
  });

  test('a task one may not see answers 404, exactly as a missing one', async () => {
    const id = await createTask(t.domain, users.mia, { title: 'Secret', view: 'maintainers' });
    const hidden = await watch(`/T${id}/live`, cookies.alice);
    const missing = await watch(`/T999999/live`, cookies.alice);
    expect([hidden.status, missing.status]).toEqual([404, 404]);
    expect((await watch(`/T${id}/live`)).status).toBe(404);
    expect((await watch(`/T${id}/live?since=999999999`, cookies.mia)).status).toBe(200);
  });

  test('a task hidden while its page is open: the stream says "gone" and ends, and tells nothing more', async () => {
    const id = await createTask(t.domain, users.mia, { title: 'Soon secret', view: 'users' });
    const s = await watch(`/T${id}/live?since=999999999`, cookies.alice);
    await applyEdit(t.domain, users.mia, id, [{ type: 'view', value: 'maintainers' }]);
    await s.next('gone');
    expect(s.events.map((e) => e.event)).toEqual(['gone']);
  });

  test("a mention from a task the viewer may not see is not news to them", async () => {
    const id = await createTask(t.domain, users.mia, { title: 'Visible', view: 'public' });
    const secret = await createTask(t.domain, users.mia, { title: 'Secret', view: 'maintainers' });
    const visitor = await watch(`/T${id}/live?since=999999999`);
    const maintainer = await watch(`/T${id}/live?since=999999999`, cookies.mia);
    await applyEdit(t.domain, users.mia, secret, [{ type: 'comment', value: `Related to T${id}.` }]);
    await maintainer.next('change');
    await quiet(visitor, 'change');
  });

  test('a list counts the changed tasks its viewer may see', async () => {
    const open1 = await createTask(t.domain, users.mia, { title: 'One', view: 'users' });
    const open2 = await createTask(t.domain, users.mia, { title: 'Two', view: 'users' });
    const secret = await createTask(t.domain, users.mia, { title: 'Three', view: 'maintainers' });
    const s = await watch('/maniphest/live', cookies.alice);
    await applyEdit(t.domain, users.mia, secret, [{ type: 'priority', value: 'high' }]);
    await applyEdit(t.domain, users.bob, open1, [{ type: 'comment', value: 'One.' }]);
    await applyEdit(t.domain, users.bob, open1, [{ type: 'comment', value: 'One again.' }]);
    await applyEdit(t.domain, users.bob, open2, [{ type: 'priority', value: 'low' }]);
    await s.next('changed');
    for (let i = 0; i < 40 && s.events.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(s.events.map((e) => e.data)).toEqual([{ count: 1 }, { count: 2 }]);
  });

  test('all the streams of a process share one listening connection, and hold no other', async () => {
    const id = await createTask(t.domain, users.mia, { title: 'Crowded', view: 'public' });
    const many = await Promise.all(Array.from({ length: 50 }, () => watch(`/T${id}/live?since=999999999`)));
    expect(t.deps.live.size).toBeGreaterThanOrEqual(50);
    if (onPostgres()) {
      const rows = await t.db.raw(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN trellis_live'`);
      expect(rows.rows[0].n).toBe(1);
    }
    await applyEdit(t.domain, users.bob, id, [{ type: 'comment', value: 'Hello, everyone.' }]);
    await Promise.all(many.map((s) => s.next('change')));
  });

  (onPostgres() ? test : test.skip)('a change made by one app process reaches a page open on another', async () => {
    const name = (await t.db.raw('SELECT current_database() AS name')).rows[0].name as string;
    const port = 20000 + Math.floor(Math.random() * 20000);
    const other = launch('server/main.ts', [], { DATABASE_URL: databaseUrl(name, process.env.TRELLIS_TEST_ADMIN_URL!), PORT: String(port) });
    try {
      const otherBase = `http://127.0.0.1:${port}`;
      for (let i = 0; i < 400 && !other.stdout().includes('listening'); i++) await new Promise((r) => setTimeout(r, 100));
      if (!other.stdout().includes('listening')) throw new Error(`the second process did not start: ${other.stdout()} ${other.stderr()}`);
      const id = await createTask(t.domain, users.mia, { title: 'Far away', view: 'public' });
      const s = await open(otherBase, `/T${id}/live?since=999999999`);
      streams.push(s);
      expect(s.status).toBe(200);
      await applyEdit(t.domain, users.bob, id, [{ type: 'comment', value: 'From this process.' }]);
      // The other process has just started, beside a loaded test run: its first read of a change may be slow.
      await s.next('change', 15_000);
    } finally {
      other.child.kill('SIGTERM');
      const exit = await other.exited;
      expect(exit.stderr).toBe('');
    }
  }, 60_000);
});
