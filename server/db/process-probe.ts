import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

/** What can be learnt about another process on this machine, to tell whether it is the one that wrote a lock. */
export interface ProcessProbe {
  alive(pid: number): boolean;
  /** When the process started, unique on this machine; null where that can not be read. */
  started(pid: number): string | null;
  /** Its command line; null where that can not be read. */
  command(pid: number): string | null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readProc(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * Linux: field 22 of /proc/<pid>/stat is the start time in clock ticks since
 * boot; with the boot's id it names one process for good. The fields are
 * counted from after the command name, which may itself hold spaces and ')'.
 */
function started(pid: number): string | null {
  const stat = readProc(`/proc/${pid}/stat`);
  const boot = readProc('/proc/sys/kernel/random/boot_id');
  if (stat === null || boot === null) return null;
  const ticks = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  return ticks && /^[0-9]+$/.test(ticks) ? `${boot.trim()}:${ticks}` : null;
}

/** A command line as `ps` shows it: every Unix has `ps`, not every one has /proc. */
export function psCommand(pid: number): string | null {
  if (process.platform === 'win32') return null;
  try {
    const out = execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return out || null;
  } catch {
    return null;
  }
}

/** /proc/<pid>/cmdline on Linux, `ps` elsewhere. */
function command(pid: number): string | null {
  const cmdline = readProc(`/proc/${pid}/cmdline`);
  return cmdline !== null ? cmdline.replace(/\0+$/, '').split('\0').join(' ') : psCommand(pid);
}

export const processProbe: ProcessProbe = { alive, started, command };
