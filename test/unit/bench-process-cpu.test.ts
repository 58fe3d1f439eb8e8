import { spawn } from 'node:child_process';
import { once } from 'node:events';
import pg from 'pg';
import { cpuSecondsOf, databaseCpuReader } from '../bench/process-cpu';
import { onPostgres } from '../support/db';

const onLinux = process.platform === 'linux';

/** This process's own CPU seconds, as node counts them. */
function mine(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6;
}

/**
 * Works until this process has spent `seconds` of CPU, however long a loaded machine makes that take:
 * a spin for a span of wall time would spend less CPU the busier the cores are.
 */
function spend(seconds: number): void {
  const until = mine() + seconds;
  while (mine() < until);
}

(onLinux ? describe : describe.skip)("a process's CPU time, from /proc", () => {
  test('grows with the work the process does, and is NaN for a process that is gone', () => {
    const before = cpuSecondsOf(process.pid);
    spend(0.3);
    // /proc counts in ticks of 10 ms.
    expect(cpuSecondsOf(process.pid) - before).toBeGreaterThanOrEqual(0.28);
    expect(cpuSecondsOf(2 ** 22 + 7)).toBeNaN();
  });

  test("counts its live children's too, as the app processes of a group are", async () => {
    // The child spends 0.5 s of CPU, says so, then stays alive and idle until it is stopped.
    const script = `const t = process.cpuUsage().user + 500000; while (process.cpuUsage().user < t); console.log('spent'); setInterval(() => {}, 1000);`;
    const before = cpuSecondsOf(process.pid) - mine();
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      await once(child.stdout!, 'data');
      // Waiting, this process spends almost nothing of its own: the growth is the child's.
      expect(cpuSecondsOf(process.pid) - mine() - before).toBeGreaterThanOrEqual(0.48);
    } finally {
      child.kill();
    }
  }, 60_000);
});

(onLinux ? describe : describe.skip)("the database server's CPU time, from /proc", () => {
  test('is not read for a process that is not a PostgreSQL backend, nor for one that is gone', () => {
    expect(databaseCpuReader(process.pid)).toBeNull();
    expect(databaseCpuReader(2 ** 22 + 7)).toBeNull();
  });

  (onPostgres() ? test : test.skip)('grows with the work a statement makes the server do, when the server runs here', async () => {
    const client = new pg.Client({ connectionString: process.env.TRELLIS_TEST_ADMIN_URL });
    await client.connect();
    try {
      const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const read = databaseCpuReader(pid);
      // The tests' server is on this machine wherever they run (127.0.0.1:5432, as in CI).
      expect(read).not.toBeNull();
      const before = read!();
      await client.query('SELECT count(*) FROM generate_series(1, 4000000) g WHERE g % 7 = 3');
      // This process only waited: the growth is the server's.
      expect(read!() - before).toBeGreaterThanOrEqual(0.1);
    } finally {
      await client.end();
    }
  }, 60_000);
});
