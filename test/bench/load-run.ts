import type pg from 'pg';
import type { AppProcess } from './app-process';
import { measure, sample, summarize, type Measurement, type Sample } from './load';
import type { Session } from './login';
import type { Paired } from './ratios';
import { formatCpu, formatRatio } from './ratios';
import { FLOOR, type Scenario } from './scenarios';
import { startSideWrites, type SideWrites } from './side-writes';
import { settle } from './writes';

export interface LoadContext {
  app: AppProcess;
  /** How many processes `app` is (WEB_CONCURRENCY). */
  processes: number;
  floor: AppProcess;
  admin: pg.Client;
  /** The database server's CPU seconds so far, when it runs on this machine (databaseCpuReader). */
  dbCpu: (() => number) | null;
  cookie: string;
  duration: number;
  /** Stretches each run is cut into, taken in turn with the floor's (BenchArgs.slices). */
  slices: number;
  /** Seconds of unmeasured load before a scenario's first run (BenchArgs.warmup). */
  warmup: number;
  say: (line: string) => void;
  /**
   * Writes sent beside every measured run of a page or list on the app (--writes-per-second), as
   * their own session, which every app process knows: sessions live in the database.
   */
  beside: { write: Scenario; cookie: string; perSecond: number } | null;
}

/** A scenario's title, with the app's processes when there are several. */
const titleAt = (title: string, processes: number): string => (processes > 1 ? `${title} (${processes} app processes)` : title);

/** A second of unmeasured load, then the wait until the database is idle and its mail sent. */
async function warm(x: LoadContext, target: AppProcess, s: Scenario, connections: number): Promise<void> {
  await measure(target.baseUrl, s, x.cookie, connections, 1);
  await settle(x.admin, 180, { jobs: true });
}

/**
 * One measured slice, and the wait until the database is idle again and the mail the slice queued is
 * sent, so nothing spills into the next slice (the floor's after a write scenario's included).
 */
async function slice(x: LoadContext, target: AppProcess, s: Scenario, connections: number, seconds: number): Promise<{ part: Sample; beside: SideWrites | null; drained: number }> {
  const writer = x.beside && target === x.app && (s.kind === 'page' || s.kind === 'list') ? startSideWrites(target.baseUrl, x.beside.write, x.beside.cookie, x.beside.perSecond) : null;
  const part = await sample(target.baseUrl, s, x.cookie, connections, seconds, { app: () => target.cpuSeconds(), db: x.dbCpu });
  const beside = writer ? await writer.stop() : null;
  const drained = await settle(x.admin, 180, { jobs: true });
  return { part, beside, drained };
}

/**
 * `duration` seconds in at most `slices` slices of whole seconds, as even as they come (10 in 4: 3, 3,
 * 2, 2): autocannon ends a run on its once-a-second tick, so a slice of 2.5 s would take 3 and count
 * the requests of 2.5.
 */
export function sliceLengths(duration: number, slices: number): number[] {
  const n = Math.max(1, Math.min(slices, Math.floor(duration)));
  const base = Math.floor(duration / n);
  return Array.from({ length: n }, (_, i) => base + (i < duration - base * n ? 1 : 0));
}

/** The writes sent beside a run's slices, added up. */
function besideOf(parts: (SideWrites | null)[]): SideWrites | null {
  const sent = parts.filter((w): w is SideWrites => w !== null);
  if (!sent.length) return null;
  const answered: Record<string, number> = {};
  for (const w of sent) for (const [status, n] of Object.entries(w.answered)) answered[status] = (answered[status] ?? 0) + n;
  return { perSecond: sent[0]!.perSecond, sent: sent.reduce((n, w) => n + w.sent, 0), answered };
}

/**
 * The floor and a scenario at one concurrency, each after a second of warm-up, in `x.slices` turns:
 * a slice of the floor, then a slice of the scenario, so that both are measured across the same
 * minutes of a shared machine, whose speed moves from one half minute to the next. Each run's
 * figures are those of its slices together.
 */
async function pairedRun(x: LoadContext, s: Scenario, connections: number) {
  await warm(x, x.floor, FLOOR, connections);
  await warm(x, x.app, s, connections);
  const floorParts: Sample[] = [];
  const parts: Sample[] = [];
  const besides: (SideWrites | null)[] = [];
  let drained = 0;
  for (const seconds of sliceLengths(x.duration, x.slices)) {
    floorParts.push((await slice(x, x.floor, FLOOR, connections, seconds)).part);
    const taken = await slice(x, x.app, s, connections, seconds);
    parts.push(taken.part);
    besides.push(taken.beside);
    drained += taken.drained;
  }
  return { floor: summarize(floorParts, FLOOR.expect), m: summarize(parts, s.expect), beside: besideOf(besides), drained };
}

/**
 * A write's requests over the run and the wait for the work they queued (their mail, sent once the
 * requests pause): the rate the machine keeps up with them, work and all, when that wait is a second
 * or more. Only for writes: after a read run with writes beside it, the wait is those writes' mail.
 */
const drainedPart = (s: Scenario, m: Measurement, drained: number, floor: Measurement): string => {
  if (s.kind !== 'write' || drained < 1) return '';
  const rps = m.requests / (m.seconds + drained);
  return `\n  ${''.padEnd(9)} with the work it queued: ${drained.toFixed(1)} s more until the database was idle and its mail sent, ${rps.toFixed(1)} req/s over both, ratio ${formatRatio(rps / floor.rps)}`;
};

/** "  beside it 80 comments (10/s): 303 ×80" on a run's line, when writes were sent beside it. */
const besidePart = (w: SideWrites | null): string =>
  w
    ? `  beside it ${w.sent} ${w.sent === 1 ? 'write' : 'writes'} (${w.perSecond}/s): ${Object.entries(w.answered)
        .map(([status, n]) => `${status} ×${n}`)
        .join(', ')}`
    : '';

/** " (database 1.23)" beside a CPU figure, when the database server's CPU was read. */
const dbPart = (m: Measurement): string => (m.dbCpuMs === null ? '' : ` (database ${formatCpu(m.dbCpuMs)})`);

/**
 * One scenario at each concurrency, each time in turns with the floor at the
 * same concurrency (pairedRun): the ratio compares two figures taken under the
 * same machine load, which on a shared machine moves from one minute to the next.
 */
export async function measureWithFloor(x: LoadContext, s: Scenario, connections: number[]): Promise<Paired[]> {
  const out: Paired[] = [];
  if (x.warmup > 0) {
    // A server that has been up a while has compiled what a page runs; a second after start it has
    // not, and the first runs would measure V8's compiler beside the app.
    const top = Math.max(...connections);
    const w = await measure(x.app.baseUrl, s, x.cookie, top, x.warmup, { app: () => x.app.cpuSeconds(), db: x.dbCpu });
    await settle(x.admin, 180, { jobs: true });
    x.say(`  ${s.name.padEnd(9)} warm-up, c=${top}, not counted: ${w.rps.toFixed(1)} req/s, CPU ${formatCpu(w.cpuMs)} ms/req${dbPart(w)}`);
  }
  for (const c of connections) {
    const { floor, m, beside, drained } = await pairedRun(x, s, c);
    out.push({ title: titleAt(s.title, x.processes), processes: x.processes, m, floor });
    const odd = Object.entries(m.statuses).filter(([code]) => Number(code) !== s.expect);
    x.say(
      `  ${s.name.padEnd(9)} c=${String(c).padEnd(3)}${x.processes > 1 ? ` x${x.processes}` : ''} ${m.rps.toFixed(1).padStart(8)} req/s  p50 ${m.p50.toFixed(2)}  p95 ${m.p95.toFixed(2)}  p99 ${m.p99.toFixed(2)} ms` +
        `  floor ${floor.rps.toFixed(1)} req/s, ratio ${formatRatio(m.rps / floor.rps)}` +
        `  CPU ${formatCpu(m.cpuMs)} ms/req${dbPart(m)}, floor ${formatCpu(floor.cpuMs)}${dbPart(floor)}` +
        (m.errors || odd.length ? `  errors ${m.errors}, statuses ${JSON.stringify(m.statuses)}` : '') +
        besidePart(beside) +
        drainedPart(s, m, drained, floor),
    );
  }
  return out;
}

/**
 * The scenarios again with the app as `processes` processes, at one concurrency, each right after
 * the floor: an app started for them (logged in afresh, since a session cookie is the app's), and
 * stopped after them.
 */
export async function measureAsProcesses(
  x: Omit<LoadContext, 'app' | 'processes' | 'cookie'>,
  processes: number,
  connections: number,
  start: (processes: number) => Promise<AppProcess>,
  login: (app: AppProcess) => Promise<Session>,
  scenariosFor: (session: Session) => Scenario[],
): Promise<Paired[]> {
  const app = await start(processes);
  try {
    const session = await login(app);
    const out: Paired[] = [];
    for (const s of scenariosFor(session)) out.push(...(await measureWithFloor({ ...x, app, processes, cookie: session.cookie }, s, [connections])));
    return out;
  } finally {
    await app.stop();
  }
}
