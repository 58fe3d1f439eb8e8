import os from 'node:os';
import autocannon from 'autocannon';
import type { Scenario } from './scenarios';

export interface Measurement {
  scenario: string;
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Connection errors, timeouts included. */
  errors: number;
  /** Answers other than the scenario's expected status (a 200 page, a 303 after a save). */
  unexpected: number;
  statuses: Record<string, number>;
  /** The machine's 1-minute load average when the run ended: other work on the cores shows here. */
  load: number;
  /**
   * CPU milliseconds the measured process spent per answered request over the run (null when not
   * asked for). Unlike req/s, this does not move with what else runs on the cores at the time.
   */
  cpuMs: number | null;
  /**
   * CPU milliseconds the PostgreSQL server spent per answered request over the run, all its processes
   * together (null when not asked for, or the server is not on this machine). The app's CPU leaves out
   * the statements it waits on; on a machine the app shares with its database, they take the same cores.
   */
  dbCpuMs: number | null;
}

/** What measure() reads the CPU of: the measured process, and the database server. */
export interface CpuReaders {
  app: () => number;
  db: (() => number) | null;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Only this machine is ever a target. */
function assertLocal(baseUrl: string) {
  const host = new URL(baseUrl).hostname;
  if (host !== '127.0.0.1') throw new Error(`The load generator only targets 127.0.0.1, not ${host}.`);
}

/** How many latencies are kept for percentiles; beyond it, a uniform sample (a reservoir) keeps memory bounded. */
const RESERVOIR = 200_000;

/** One stretch of load as it was taken, before its figures are drawn: slices of one run add up. */
export interface Sample {
  scenario: string;
  connections: number;
  seconds: number;
  /** Response times in ms: every one, or a uniform sample (a reservoir) past RESERVOIR. */
  latencies: number[];
  seen: number;
  errors: number;
  statuses: Record<string, number>;
  /** CPU seconds the measured process and the database spent over it; null when not read. */
  cpuSeconds: number | null;
  dbCpuSeconds: number | null;
}

/**
 * Drives one scenario at one concurrency for a fixed time with autocannon
 * (which stops by itself at the duration) and keeps every response time, since
 * autocannon's own summary has no p95.
 */
export async function sample(baseUrl: string, s: Scenario, cookie: string, connections: number, seconds: number, cpu?: CpuReaders): Promise<Sample> {
  assertLocal(baseUrl);
  const headers: Record<string, string> = {};
  if (s.auth) headers.cookie = cookie;
  if (s.method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded';
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let seen = 0;
  const cpuBefore = cpu?.app();
  const dbBefore = cpu?.db?.();
  const started = process.hrtime.bigint();
  let finish: (r: autocannon.Result) => void = () => {};
  let fail: (e: unknown) => void = () => {};
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const instance = autocannon(
    {
      url: baseUrl,
      connections,
      duration: seconds,
      timeout: 30,
      headers,
      requests: [
        {
          method: s.method,
          path: s.path,
          ...(s.next ? { setupRequest: (req: autocannon.Request) => ({ ...req, ...s.next!() }) } : {}),
        },
      ],
    },
    (err, result) => (err ? fail(err) : finish(result)),
  );
  instance.on('response', (_client, status, _bytes, ms) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    seen++;
    if (latencies.length < RESERVOIR) latencies.push(ms);
    else {
      const j = Math.floor(Math.random() * seen);
      if (j < RESERVOIR) latencies[j] = ms;
    }
  });
  const result = await done;
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const spent = (read: (() => number) | null | undefined, before: number | undefined) => (read && before !== undefined ? read() - before : null);
  return {
    scenario: s.name,
    connections,
    seconds: elapsed,
    latencies,
    seen,
    errors: result.errors,
    statuses,
    cpuSeconds: spent(cpu?.app, cpuBefore),
    dbCpuSeconds: spent(cpu?.db, dbBefore),
  };
}

/**
 * The figures of one run from its slices (one, unless the run alternated with the floor): requests
 * and seconds add up, percentiles are taken over the response times of all of them, and CPU is
 * what all of them spent over all their requests.
 */
export function summarize(samples: Sample[], expect: number): Measurement {
  const first = samples[0]!;
  const seen = samples.reduce((n, x) => n + x.seen, 0);
  const seconds = samples.reduce((n, x) => n + x.seconds, 0);
  const statuses: Record<string, number> = {};
  for (const x of samples) for (const [status, n] of Object.entries(x.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  const latencies = samples.flatMap((x) => x.latencies).sort((a, b) => a - b);
  const perRequest = (part: (x: Sample) => number | null) => {
    const parts = samples.map(part);
    return seen && parts.every((v) => v !== null) ? ((parts as number[]).reduce((a, b) => a + b, 0) * 1000) / seen : null;
  };
  return {
    scenario: first.scenario,
    connections: first.connections,
    seconds,
    requests: seen,
    rps: seen / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? NaN,
    errors: samples.reduce((n, x) => n + x.errors, 0),
    unexpected: seen - (statuses[expect] ?? 0),
    statuses,
    load: os.loadavg()[0]!,
    cpuMs: perRequest((x) => x.cpuSeconds),
    dbCpuMs: perRequest((x) => x.dbCpuSeconds),
  };
}

/** One scenario at one concurrency for a fixed time, in one stretch: `sample` and `summarize`. */
export async function measure(baseUrl: string, s: Scenario, cookie: string, connections: number, seconds: number, cpu?: CpuReaders): Promise<Measurement> {
  return summarize([await sample(baseUrl, s, cookie, connections, seconds, cpu)], s.expect);
}
