import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DataDirLock, DataDirLockedError } from '../../server/db/lock';
import { processProbe, psCommand, type ProcessProbe } from '../../server/db/process-probe';

/**
 * The embedded database's folder lock against real processes: a lock left
 * behind whose pid now belongs to some other program is taken over, and one
 * whose owner still runs is refused.
 */
describe('the embedded data folder lock', () => {
  let dir: string;
  let other: ChildProcess;
  const lockFile = () => path.join(dir, 'trellis.lock');
  const writeLock = (content: unknown) => fs.writeFileSync(lockFile(), typeof content === 'string' ? content : JSON.stringify(content));
  const holder = () => {
    const lock = JSON.parse(fs.readFileSync(lockFile(), 'utf8')) as number | { pid: number };
    return typeof lock === 'number' ? lock : lock.pid;
  };

  beforeAll(() => {
    // Some other program: it stands for whatever process was given the dead owner's pid.
    other = spawn('sleep', ['300'], { stdio: 'ignore' });
  });
  afterAll(() => {
    other.kill('SIGKILL');
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-lock-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function expectTakenOver(probe: ProcessProbe = processProbe) {
    const lock = DataDirLock.acquire(dir, probe);
    expect(holder()).toBe(process.pid);
    lock.release();
    expect(fs.existsSync(lockFile())).toBe(false);
  }

  function expectRefused(probe: ProcessProbe = processProbe) {
    let refusal: unknown;
    try {
      DataDirLock.acquire(dir, probe).release();
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(DataDirLockedError);
    expect((refusal as Error).message).toContain(`is in use by another Trellis process (pid ${other.pid}).`);
    expect(holder()).toBe(other.pid);
  }

  const onLinux = process.platform === 'linux' && processProbe.started(process.pid) !== null;

  (onLinux ? test : test.skip)('on Linux, a live pid that started at another time than the lock says is some other program: the lock is taken over', () => {
    const started = processProbe.started(other.pid!)!;
    const earlier = started.replace(/:([0-9]+)$/, (_m, ticks: string) => `:${Number(ticks) - 1}`);
    writeLock({ pid: other.pid, started: earlier, command: processProbe.command(other.pid!), token: 'theirs' });
    expectTakenOver();
  });

  (onLinux ? test : test.skip)('on Linux, the process that wrote the lock, still running, keeps it', () => {
    writeLock({ pid: other.pid, started: processProbe.started(other.pid!), command: 'node server/main.ts', token: 'theirs' });
    expectRefused();
  });

  describe('where start times can not be read, the command line decides', () => {
    // As on a Unix without /proc: command lines come from ps.
    const noStartTimes: ProcessProbe = { alive: processProbe.alive, started: () => null, command: psCommand };

    test('a pid now running another command is some other program', () => {
      writeLock({ pid: other.pid, started: null, command: 'node /srv/trellis/node_modules/.bin/tsx server/main.ts', token: 'theirs' });
      expect(noStartTimes.command(other.pid!)).toBe('sleep 300');
      expectTakenOver(noStartTimes);
    });

    test('the same command is the owner', () => {
      writeLock({ pid: other.pid, started: null, command: noStartTimes.command(other.pid!), token: 'theirs' });
      expectRefused(noStartTimes);
    });

    test('when nothing at all can be read about the pid, a live one is taken at its word', () => {
      writeLock({ pid: other.pid, started: null, command: 'node server/main.ts', token: 'theirs' });
      expectRefused({ alive: processProbe.alive, started: () => null, command: () => null });
    });
  });

  describe('a lock from an earlier version, holding only a pid', () => {
    test('is taken over from a program that is not Trellis', () => {
      writeLock(String(other.pid));
      expectTakenOver();
    });

    test('is refused while a Trellis entry point runs under that pid', () => {
      writeLock(String(other.pid));
      expectRefused({ ...processProbe, started: () => null, command: () => 'node --require tsx/cjs server/main.ts' });
    });
  });

  test('a lock whose pid is gone is taken over, and garbage in the file is no owner', () => {
    const dead = spawn('true');
    return new Promise<void>((resolve) => {
      dead.on('exit', () => {
        writeLock({ pid: dead.pid, started: null, command: null, token: 'theirs' });
        expectTakenOver();
        writeLock('not a lock');
        expectTakenOver();
        resolve();
      });
    });
  });

  test('a process releases only the lock it wrote', () => {
    const lock = DataDirLock.acquire(dir);
    // Someone removed the file by hand and another process locked the folder since.
    writeLock({ pid: other.pid, started: processProbe.started(other.pid!), command: processProbe.command(other.pid!), token: 'theirs' });
    lock.release();
    expect(holder()).toBe(other.pid);
  });

  test('the lock records who holds it: pid, start time and command line', () => {
    const lock = DataDirLock.acquire(dir);
    try {
      const mine = JSON.parse(fs.readFileSync(lockFile(), 'utf8')) as { pid: number; started: string | null; command: string | null };
      expect(mine.pid).toBe(process.pid);
      expect(mine.command).toBe(processProbe.command(process.pid));
      if (onLinux) expect(mine.started).toBe(processProbe.started(process.pid));
    } finally {
      lock.release();
    }
  });
});
