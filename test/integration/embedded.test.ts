import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { parse } from 'node-html-parser';
import { textOf } from '../support/http';
import { launch, runCli, type Exit, type Proc } from '../support/process';

/**
 * The real process on the embedded database, started the way `npm start`
 * starts it. Each start costs seconds (the first one runs initdb), so the
 * tests are few, walk through one data folder in order, and the second test
 * goes on with the server the first one leaves running.
 */

const SLOW = 240_000;
const servers = new Set<ChildProcess>();

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

interface Server extends Proc {
  url: string;
}

/** Starts the server and resolves once it says it is listening; a server that exits instead fails the test with its output. */
async function startServer(dataDir: string): Promise<Server> {
  const port = await freePort();
  const proc = launch('server/main.ts', [], { DATA_DIR: dataDir, PORT: String(port) });
  servers.add(proc.child);
  proc.exited.then(() => servers.delete(proc.child));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (proc.stdout().includes('Trellis is listening on')) resolve();
    };
    proc.child.stdout!.on('data', check);
    proc.exited.then((e) => reject(new Error(`The server exited (${e.code ?? e.signal}) before listening:\n${e.stdout}${e.stderr}`)));
    check();
  });
  expect(proc.stdout()).toContain(`Trellis is listening on http://localhost:${port}/ using embedded PostgreSQL in ${dataDir}`);
  return { ...proc, url: `http://127.0.0.1:${port}` };
}

/** A browser against whichever server is running: cookies survive a server restart, as in a real one. */
class Client {
  private cookies = new Map<string, string>();

  constructor(public base: string) {}

  async request(pathname: string, init: { method?: string; body?: URLSearchParams } = {}) {
    const res = await fetch(this.base + pathname, {
      method: init.method ?? 'GET',
      body: init.body,
      redirect: 'manual',
      headers: { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (value) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
    const html = await res.text();
    const dom = parse(html);
    return { status: res.status, location: res.headers.get('location'), dom, text: textOf(dom.querySelector('main') ?? dom) };
  }

  get(pathname: string) {
    return this.request(pathname);
  }

  async post(pathname: string, fields: Record<string, string>, from: string) {
    const page = await this.get(from);
    const token = page.dom.querySelector('input[name="__csrf__"]')?.getAttribute('value');
    if (!token) throw new Error(`No form token on ${from} (status ${page.status})`);
    return this.request(pathname, { method: 'POST', body: new URLSearchParams({ __csrf__: token, ...fields }) });
  }

  session(): string | undefined {
    return this.cookies.get('trellis_session');
  }
}

const signedInAs = (page: { dom: ReturnType<typeof parse> }) => page.dom.querySelector('.account .me')?.textContent.trim() ?? null;

async function stop(server: Server, signal: NodeJS.Signals = 'SIGTERM'): Promise<Exit> {
  server.child.kill(signal);
  return server.exited;
}

describe('Trellis on its embedded database', () => {
  let dataDir: string;
  let lockFile: string;
  /** The server the first test recovers from kill -9: the next test uses it, then stops it. */
  let recovered: Server | undefined;
  const alice = new Client('');
  const lockHolder = () => (JSON.parse(fs.readFileSync(lockFile, 'utf8')) as { pid: number }).pid;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-embedded-'));
    lockFile = path.join(dataDir, 'trellis.lock');
  });
  afterAll(async () => {
    for (const child of servers) child.kill('SIGKILL');
    // The server runs under tsx; a child left holding the folder would outlive the test run.
    if (fs.existsSync(lockFile)) {
      try {
        process.kill(lockHolder(), 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test(
    'keeps tasks and sessions across a clean stop and across kill -9',
    async () => {
      let server = await startServer(dataDir);
      alice.base = server.url;
      expect((await alice.get('/maniphest/')).location).toBe('/setup');
      const setup = await alice.post('/setup', { username: 'alice', password: 'a long passphrase', confirm: 'a long passphrase' }, '/setup');
      expect([setup.status, setup.location]).toEqual([303, '/']);
      const created = await alice.post('/maniphest/task/edit/', { title: 'Survive a restart', priority: 'high' }, '/maniphest/task/edit/');
      expect([created.status, created.location]).toEqual([303, '/T1']);
      const session = alice.session();
      expect(session).toBeDefined();

      const clean = await stop(server);
      expect(clean.code).toBe(0);
      expect(clean.stdout).toContain('SIGTERM received: finishing requests in flight, then stopping');
      expect(clean.stdout).toContain('stopped cleanly');
      expect(fs.existsSync(lockFile)).toBe(false);

      server = await startServer(dataDir);
      alice.base = server.url;
      let page = await alice.get('/T1');
      expect(page.status).toBe(200);
      expect(signedInAs(page)).toBe('alice');
      expect(page.dom.querySelector('h1')!.textContent).toContain('Survive a restart');
      expect(page.text).toContain('Open, High');
      expect(alice.session()).toBe(session);
      const comment = await alice.post('/T1/comment', { comment: 'Written just before the crash.' }, '/T1');
      expect([comment.status, comment.location]).toEqual([303, '/T1']);
      const second = await alice.post('/maniphest/task/edit/', { title: 'Survive kill -9' }, '/maniphest/task/edit/');
      expect(second.location).toBe('/T2');

      const crashed = lockHolder();
      process.kill(crashed, 'SIGKILL');
      await server.exited;
      // The dead process leaves its lock behind; the next start must take it over.
      expect(lockHolder()).toBe(crashed);

      server = await startServer(dataDir);
      alice.base = server.url;
      recovered = server;
      expect(lockHolder()).not.toBe(crashed);
      page = await alice.get('/T1');
      expect(page.status).toBe(200);
      expect(signedInAs(page)).toBe('alice');
      expect(page.dom.querySelectorAll('.comment').map((c) => c.textContent.trim())).toEqual(['Written just before the crash.']);
      expect((await alice.get('/T2')).status).toBe(200);
      // Its clean stop is checked at the end of the next test, which uses it first.
    },
    SLOW,
  );

  test(
    'refuses a second server and a CLI command on the folder a running server holds',
    async () => {
      // Started here only when the first test failed before getting that far.
      const server = recovered ?? (await startServer(dataDir));
      alice.base = server.url;
      const holder = lockHolder();
      const refusal = `The data folder ${dataDir} is in use by another Trellis process (pid ${holder}).`;
      const advice = 'Stop that process first (Ctrl-C, or kill ' + holder + '), or point DATA_DIR at another folder, or set DATABASE_URL to a PostgreSQL server';

      // Both only read the lock, so they can knock at the same time.
      const port = String(await freePort());
      const [second, migrate] = await Promise.all([
        launch('server/main.ts', [], { DATA_DIR: dataDir, PORT: port }).exited,
        runCli(['migrate'], { DATA_DIR: dataDir }),
      ]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(refusal);
      expect(second.stderr).toContain(advice);
      expect(second.stdout).not.toContain('listening');

      expect(migrate.code).toBe(1);
      expect(migrate.stderr).toContain(refusal);
      expect(migrate.stderr).toContain(advice);

      // The running server kept its folder and its data.
      expect(lockHolder()).toBe(holder);
      const page = await alice.get('/T1');
      expect(page.status).toBe(200);
      expect(signedInAs(page)).toBe('alice');
      expect(page.dom.querySelectorAll('.comment').map((c) => c.textContent.trim())).toEqual(['Written just before the crash.']);

      expect((await stop(server)).code).toBe(0);
    },
    SLOW,
  );
});
