import type { Measurement } from './load';
import { table } from './report';

/** A scenario's measurement and the floor's, measured right before it at the same concurrency. */
export interface Paired {
  title: string;
  /** App processes serving the scenario (WEB_CONCURRENCY). */
  processes: number;
  m: Measurement;
  floor: Measurement;
}

/** One figure of a run, as the table prints it and the JSON keeps it. */
export interface Figure {
  scenario: string;
  title: string;
  connections: number;
  /** App processes (WEB_CONCURRENCY); absent in runs written before 2026-12-06, which ran as one unless set. */
  processes?: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  unexpected: number;
  load: number;
  floorRps: number;
  floorP50: number;
  /** req/s over the floor's req/s, measured together. */
  ratio: number;
  /** req/s over /healthz's req/s at the same concurrency, when /healthz ran. */
  healthzRatio: number | null;
  /** The app's CPU milliseconds per request, and the floor's (null in runs that did not read them). */
  cpuMs: number | null;
  floorCpuMs: number | null;
  /** The database server's CPU milliseconds per request, and during the floor's run (absent in runs written before 2026-12-06, null where not read). */
  dbCpuMs?: number | null;
  floorDbCpuMs?: number | null;
  /** The floor's CPU per request over the app's: the ratio with the other processes on the cores left out. */
  cpuRatio: number | null;
}

export const ratio = (a: number, b: number): number => (b > 0 && Number.isFinite(a) ? a / b : NaN);

/** The figures of a run: each scenario against its own floor, and against /healthz at its concurrency. */
/** Which figure of another run a figure stands beside: the same scenario, concurrency and app processes. */
export const figureKey = (f: Pick<Figure, 'scenario' | 'connections' | 'processes'>): string => `${f.scenario}\u0000${f.connections}\u0000${f.processes ?? 1}`;

/** The figures of a run: each scenario against its own floor, and against /healthz at its concurrency and app processes. */
export function figures(paired: Paired[], healthz = 'baseline'): Figure[] {
  const at = (processes: number, connections: number) => `${processes}\u0000${connections}`;
  const ref = new Map(paired.filter((p) => p.m.scenario === healthz).map((p) => [at(p.processes, p.m.connections), p.m.rps]));
  return paired.map(({ title, processes, m, floor }) => ({
    scenario: m.scenario,
    title,
    connections: m.connections,
    processes,
    rps: m.rps,
    p50: m.p50,
    p95: m.p95,
    p99: m.p99,
    errors: m.errors,
    unexpected: m.unexpected,
    load: m.load,
    floorRps: floor.rps,
    floorP50: floor.p50,
    ratio: ratio(m.rps, floor.rps),
    healthzRatio: ref.has(at(processes, m.connections)) ? ratio(m.rps, ref.get(at(processes, m.connections))!) : null,
    cpuMs: m.cpuMs,
    floorCpuMs: floor.cpuMs,
    dbCpuMs: m.dbCpuMs,
    floorDbCpuMs: floor.dbCpuMs,
    cpuRatio: m.cpuMs !== null && floor.cpuMs !== null ? ratio(floor.cpuMs, m.cpuMs) : null,
  }));
}

export const formatRps = (n: number): string => (!Number.isFinite(n) ? '-' : n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
/** CPU milliseconds per request; '-' where a run did not read them. */
export const formatCpu = (ms: number | null | undefined): string => (ms === null || ms === undefined || !Number.isFinite(ms) ? '-' : ms >= 10 ? ms.toFixed(1) : ms.toFixed(3));
export const formatRatio = (r: number | null): string => (r === null || !Number.isFinite(r) ? '-' : r >= 1 ? r.toFixed(2) : r.toFixed(3));

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/**
 * The table: per scenario, req/s and its ratio to the floor at each
 * concurrency. The floor's row is the mean of its measurements at that
 * concurrency (one before each scenario); each ratio is to the floor measured
 * right before that scenario, not to the mean.
 */
export function floorTable(fs: Figure[]): string {
  const connections = [...new Set(fs.map((f) => f.connections))].sort((a, b) => a - b);
  const head = ['scenario', ...connections.flatMap((c, i) => [`c=${c} req/s`, i === 0 ? 'ratio to floor' : 'ratio'])];
  const floorRow = [
    'floor: express + pg `SELECT 1`',
    ...connections.flatMap((c) => [formatRps(mean(fs.filter((f) => f.connections === c).map((f) => f.floorRps))), '1']),
  ];
  const row = (f: Figure) => `${f.scenario}\u0000${f.processes ?? 1}`;
  const names = [...new Set(fs.map(row))];
  const rows = names.map((name) => {
    const mine = fs.filter((f) => row(f) === name);
    return [
      mine[0]!.title,
      ...connections.flatMap((c) => {
        const f = mine.find((x) => x.connections === c);
        return f ? [formatRps(f.rps), formatRatio(f.ratio)] : ['-', '-'];
      }),
    ];
  });
  return table(head, [floorRow, ...rows]);
}

/** Every figure with its latencies, its floor and both ratios. */
export function detailTable(fs: Figure[]): string {
  return table(
    ['scenario', 'c', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors/unexpected', 'floor req/s', 'floor p50 ms', 'x floor', 'x /healthz', 'CPU ms/req', 'floor CPU ms/req', 'x floor CPU', 'database CPU ms/req', 'floor database CPU ms/req', 'load avg'],
    fs.map((f) => [
      f.title,
      f.connections,
      formatRps(f.rps),
      f.p50.toFixed(2),
      f.p95.toFixed(2),
      f.p99.toFixed(2),
      `${f.errors}/${f.unexpected}`,
      formatRps(f.floorRps),
      f.floorP50.toFixed(2),
      formatRatio(f.ratio),
      formatRatio(f.healthzRatio),
      formatCpu(f.cpuMs),
      formatCpu(f.floorCpuMs),
      formatRatio(f.cpuRatio ?? null),
      formatCpu(f.dbCpuMs),
      formatCpu(f.floorDbCpuMs),
      f.load.toFixed(1),
    ]),
  );
}

/** The spread of the floor over the run at each concurrency: how much the machine moved under the figures. */
export function floorSpread(fs: Figure[]): string {
  const connections = [...new Set(fs.map((f) => f.connections))].sort((a, b) => a - b);
  return connections
    .map((c) => {
      const xs = fs.filter((f) => f.connections === c).map((f) => f.floorRps);
      return `c=${c}: ${formatRps(Math.min(...xs))} to ${formatRps(Math.max(...xs))} req/s over ${xs.length} measurements`;
    })
    .join('; ');
}

/** Issue 16's targets, as ratios to the floor: the task page, the lists and full text, and the writes. */
const FLOOR_TARGETS: Record<string, number> = {
  task: 0.2,
  open: 0.1,
  assigned: 0.1,
  fulltext: 0.1,
  filtered: 0.1,
  due: 0.1,
  custom: 0.1,
  create: 0.05,
  api: 0.05,
  comment: 0.05,
};

/**
 * Each figure against its target ratio, and the target read as a budget: the app CPU a request at which
 * its CPU ratio would meet it (the floor's CPU a request over the target). Once the floor and the app
 * each fill a core (c=16 on two cores), the ratio by req/s follows the CPU ratio, so the budget says how
 * far a page is from its target in what the app itself spends.
 */
export function targetsTable(fs: Figure[]): string {
  const rows = fs
    .filter((f) => FLOOR_TARGETS[f.scenario] !== undefined)
    .map((f) => {
      const target = FLOOR_TARGETS[f.scenario]!;
      const budget = f.floorCpuMs !== null ? f.floorCpuMs / target : null;
      return [
        f.title,
        f.connections,
        formatRatio(target),
        formatRatio(f.ratio),
        Number.isFinite(f.ratio) ? (f.ratio >= target ? 'yes' : 'NO') : '-',
        formatCpu(budget),
        formatCpu(f.cpuMs),
        formatCpu(f.dbCpuMs),
      ];
    });
  return table(['scenario', 'c', 'target', 'ratio to floor', 'met', 'CPU budget ms/req', 'app CPU ms/req', 'database CPU ms/req'], rows);
}
