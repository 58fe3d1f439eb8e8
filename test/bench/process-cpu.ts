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

/** utime + stime (every thread of the process) and its parent's pid, from /proc/PID/stat; null once it is gone. */
function statOf(pid: number): { ticks: number; ppid: number } | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name, in parentheses, may hold spaces: the fields are counted from after it.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ticks: Number(fields[11]) + Number(fields[12]), ppid: Number(fields[1]) };
}

/**
 * CPU seconds spent so far by a process and its live children: the app
 * processes of a WEB_CONCURRENCY group are the children of the one started.
 * Linux only; NaN elsewhere, so a figure that can not be read is never a zero.
 */
export function cpuSecondsOf(pid: number): number {
  const own = statOf(pid);
  if (!own) return NaN;
  let ticks = own.ticks;
  for (const name of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name) || Number(name) === pid) continue;
    const child = statOf(Number(name));
    if (child?.ppid === pid) ticks += child.ticks;
  }
  return ticks / clockTicks();
}
