import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSecond: number | null = null;

/** The kernel's clock ticks per second, in which /proc counts CPU time (100 on every common Linux). */
function clockTicks(): number {
  if (ticksPerSecond === null) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/**
 * utime + stime (every thread of the process), cutime + cstime (its children that have exited and been
 * waited for) and its parent's pid, from /proc/PID/stat; null once it is gone.
 */
function statOf(pid: number): { ticks: number; reaped: number; ppid: number } | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name, in parentheses, may hold spaces: the fields are counted from after it.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ticks: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14]), ppid: Number(fields[1]) };
}

/** Ticks of a process and its live children, and with `reaped` of its children that have exited. */
function treeTicks(pid: number, reaped: boolean): number {
  const own = statOf(pid);
  if (!own) return NaN;
  let ticks = own.ticks + (reaped ? own.reaped : 0);
  for (const name of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name) || Number(name) === pid) continue;
    const child = statOf(Number(name));
    if (child?.ppid === pid) ticks += child.ticks;
  }
  return ticks;
}

/**
 * CPU seconds spent so far by a process and its live children: the app
 * processes of a WEB_CONCURRENCY group are the children of the one started.
 * Linux only; NaN elsewhere, so a figure that can not be read is never a zero.
 */
export function cpuSecondsOf(pid: number): number {
  return treeTicks(pid, false) / clockTicks();
}

const commOf = (pid: number): string | null => {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
};

/**
 * CPU seconds spent so far by the PostgreSQL server a connection is on, when it runs on this machine:
 * its postmaster, every backend and background process (each a child of the postmaster), and the
 * backends that have exited since it started. Null when the server is not a process this machine
 * can read (another host, another PID namespace), so that no figure stands for what was not read.
 */
export function databaseCpuReader(backendPid: number): (() => number) | null {
  const backend = statOf(backendPid);
  if (!backend || commOf(backendPid) !== 'postgres') return null;
  const postmaster = backend.ppid;
  if (commOf(postmaster) !== 'postgres') return null;
  return () => treeTicks(postmaster, true) / clockTicks();
}
