import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpuSecondsOf } from '../bench/process-cpu';

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
