import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eventually, startAppProcess, type AppProcess } from '../support/app-processes';
import { onPostgres } from '../support/db';
import { emptyPostgresDatabase } from '../support/empty-database';

jest.setTimeout(180_000);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

interface Line {
  worker?: number;
  msg?: string;
  path?: string;
}

const linesOf = (group: AppProcess): Line[] =>
  group
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);

const pidOf = (group: AppProcess, slot: number, after = 0): number | null => {
  const said = linesOf(group)
    .slice(after)
    .map((l) => new RegExp(`^app process ${slot} \\(pid (\\d+)\\) serves`).exec(l.msg ?? ''))
    .filter(Boolean);
  return said.length ? Number(said[said.length - 1]![1]) : null;
};

describe('WEB_CONCURRENCY', () => {
  test('more than one process on the embedded database is refused at start, saying why', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-concurrency-'));
    try {
      const started = await startAppProcess({ DATA_DIR: dir, WEB_CONCURRENCY: '2' }).then(
        () => null,
        (err: Error) => err.message,
      );
      expect(started).toContain('WEB_CONCURRENCY: 2 app processes need a PostgreSQL server (DATABASE_URL)');
      expect(fs.existsSync(path.join(dir, 'pgdata'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  (onPostgres() ? test : test.skip)('runs that many app processes on one port, migrated once, restarts one that crashes and stops them all cleanly', async () => {
    const database = await emptyPostgresDatabase();
    let group: AppProcess | undefined;
    try {
      group = await startAppProcess({ DATABASE_URL: database.url, WEB_CONCURRENCY: '2', LOG_REQUESTS: 'true' });
      const g = group;
      expect(linesOf(g).filter((l) => l.msg?.startsWith('applied migrations'))).toEqual([expect.not.objectContaining({ worker: expect.anything() })]);
      const [first, second] = [pidOf(g, 1), pidOf(g, 2)];
      expect(first && second && first !== second && first !== g.child.pid).toBeTruthy();

      // Each connection goes to one of them; both answer before long, and each request's log line says which.
      await eventually('both app processes to answer', async () => {
        await Promise.all(Array.from({ length: 4 }, () => fetch(`${g.baseUrl}/healthz`, { headers: { connection: 'close' } }).then((r) => r.text())));
        const workers = new Set(linesOf(g).filter((l) => l.path === '/healthz').map((l) => l.worker));
        return workers.has(1) && workers.has(2);
      });

      const before = linesOf(g).length;
      process.kill(first!, 'SIGKILL');
      const replacement = await eventually('app process 1 to be started again', async () => pidOf(g, 1, before));
      expect(replacement).not.toBe(first);
      expect(linesOf(g).some((l) => /^app process 1 \(pid \d+\) exited with signal SIGKILL; starting it again/.test(l.msg ?? ''))).toBe(true);
      expect(await (await fetch(`${g.baseUrl}/healthz`)).text()).toBe('ok');

      g.child.kill('SIGTERM');
      expect(await g.exited).toEqual({ code: 0, signal: null });
      expect(linesOf(g).filter((l) => l.msg === 'stopped cleanly').map((l) => l.worker ?? 0).sort()).toEqual([0, 1, 2]);
      expect([alive(replacement), alive(second!)]).toEqual([false, false]);
    } finally {
      await group?.stop();
      await database.drop();
    }
  });
});
