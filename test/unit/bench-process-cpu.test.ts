import { spawn } from 'node:child_process';
import { cpuSecondsOf } from '../bench/process-cpu';

const onLinux = process.platform === 'linux';

function spin(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

(onLinux ? describe : describe.skip)("a process's CPU time, from /proc", () => {
  test('grows with the work the process does, and is NaN for a process that is gone', () => {
    const before = cpuSecondsOf(process.pid);
    spin(300);
    expect(cpuSecondsOf(process.pid) - before).toBeGreaterThanOrEqual(0.2);
    expect(cpuSecondsOf(2 ** 22 + 7)).toBeNaN();
  });

  test("counts its live children's too, as the app processes of a group are", async () => {
    const child = spawn(process.execPath, ['-e', 'const t = Date.now() + 3000; while (Date.now() < t);'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 600));
      const mine = () => {
        const own = process.cpuUsage();
        return (own.user + own.system) / 1e6;
      };
      const before = cpuSecondsOf(process.pid) - mine();
      await new Promise((resolve) => setTimeout(resolve, 700));
      // Sleeping, this process spends almost nothing: the growth is the child's spinning.
      expect(cpuSecondsOf(process.pid) - mine() - before).toBeGreaterThanOrEqual(0.4);
    } finally {
      child.kill();
    }
  });
});
