import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { processProbe, type ProcessProbe } from './process-probe';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The data folder ${dataDir} is in use by another Trellis process (pid ${pid}).\n` +
        'The embedded database allows one process at a time; a second one would corrupt it.\n' +
        'Stop that process first (Ctrl-C, or kill ' +
        pid +
        '), or point DATA_DIR at another folder, or set DATABASE_URL to a PostgreSQL server, which any number of processes can share.',
    );
  }
}

/** What a lock file says about the process that wrote it. */
interface LockOwner {
  pid: number;
  /** When that process started (Linux), so that a later process given the same pid is told apart. */
  started: string | null;
  /** Its command line, the check where start times can not be read. */
  command: string | null;
  /** This lock's own mark: a process releases only the lock it wrote. */
  token: string | null;
}

/** Reads a lock file: JSON, or the bare pid that earlier versions wrote. */
function readOwner(text: string): LockOwner | null {
  const trimmed = text.trim();
  if (/^[0-9]+$/.test(trimmed)) return { pid: Number(trimmed), started: null, command: null, token: null };
  try {
    const o = JSON.parse(trimmed) as Partial<LockOwner>;
    if (!Number.isInteger(o.pid) || o.pid! <= 0) return null;
    const str = (v: unknown) => (typeof v === 'string' ? v : null);
    return { pid: o.pid!, started: str(o.started), command: str(o.command), token: str(o.token) };
  } catch {
    return null;
  }
}

/** A command line that runs one of Trellis's entry points, for locks that recorded nothing else. */
const TRELLIS_COMMAND = /server\/(cli\/)?main\.[jt]s\b/;

/**
 * Whether the lock's writer still runs. A live pid is not enough: once its
 * owner died, the pid may have gone to any other process, which must not be
 * named as the holder (nor killed on our advice). The process is the owner
 * when its start time matches; where start times can not be read, when its
 * command line does; when neither can be read, a live pid is taken at its word.
 */
function stillHeld(owner: LockOwner, probe: ProcessProbe): boolean {
  // Our own pid in the lock is a previous life of this pid (a container restarts as pid 1 each time).
  if (owner.pid === process.pid || !probe.alive(owner.pid)) return false;
  const started = probe.started(owner.pid);
  if (owner.started !== null && started !== null) return started === owner.started;
  const command = probe.command(owner.pid);
  if (command === null) return true;
  if (owner.command !== null) return command === owner.command;
  return TRELLIS_COMMAND.test(command);
}

/**
 * An exclusive lock on an embedded data folder: a file naming the owner
 * process, created with O_EXCL. A lock whose owner is gone (kill -9, or a pid
 * since reused by another program) is stale and is taken over; a lock held by
 * the live owner is refused.
 */
export class DataDirLock {
  private released = false;

  private constructor(
    readonly file: string,
    private readonly token: string,
  ) {}

  static acquire(dataDir: string, probe: ProcessProbe = processProbe): DataDirLock {
    const file = path.join(dataDir, 'trellis.lock');
    const token = crypto.randomBytes(12).toString('hex');
    const me: LockOwner = { pid: process.pid, started: probe.started(process.pid), command: probe.command(process.pid), token };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(file, JSON.stringify(me) + '\n', { flag: 'wx' });
        return new DataDirLock(file, token);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readOwner(fs.readFileSync(file, 'utf8'));
      if (owner && stillHeld(owner, probe)) throw new DataDirLockedError(dataDir, owner.pid);
      fs.rmSync(file, { force: true });
    }
    throw new Error(`Could not lock ${dataDir}: another process keeps taking the lock`);
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      if (readOwner(fs.readFileSync(this.file, 'utf8'))?.token === this.token) fs.rmSync(this.file);
    } catch {
      // Already gone: nothing to release.
    }
  }
}
