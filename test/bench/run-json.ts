import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { figureKey, formatCpu, formatRatio, formatRps, type Figure } from './ratios';
import { table } from './report';

/** A run's figures as `--json FILE` writes them, so runs on other days, commits or machines can be set side by side. */
export interface RunJson {
  format: 'trellis-bench/1';
  date: string;
  commit: string;
  machine: { cpu: string; cores: number; memoryGiB: number; os: string; node: string; postgres: string; loadAtStart: number[]; loadAtEnd: number[] };
  data: { tasks: number; eventsPerTask: number; people: number; search: string; searchMatches: number };
  /**
   * `processes` is absent in runs written before 2026-12-06, `warmup` in runs written before the scenario warm-up
   * (2026-12-06; they had none), `pageCacheMb` in runs written before pages were kept (they kept none),
   * `writesPerSecond` in runs written before writes could be sent beside the reads (they sent none).
   */
  settings: { duration: number; warmup?: number; slices?: number; connections: number[]; processes?: number[]; pageCacheMb?: number; writesPerSecond?: number };
  figures: Figure[];
  /** Statements with a sequential scan, by scenario, with fresh statistics and without any. */
  seqScans?: { scenario: string; statistics: 'fresh' | 'none'; table: string; rows: number; sql: string }[];
}

export function commitOf(dir = path.resolve(__dirname, '../..')): string {
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: dir, encoding: 'utf8' }).trim();
    return dirty ? `${hash}+changes` : hash;
  } catch {
    return 'unknown';
  }
}

export async function machineFacts(c: pg.Client): Promise<RunJson['machine']> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: (await c.query('SHOW server_version')).rows[0].server_version as string,
    loadAtStart: os.loadavg(),
    loadAtEnd: [],
  };
}

export function writeRunJson(file: string, run: RunJson): void {
  fs.writeFileSync(file, JSON.stringify(run, null, 2) + '\n');
}

export function readRunJson(file: string): RunJson {
  const run = JSON.parse(fs.readFileSync(file, 'utf8')) as RunJson;
  if (run?.format !== 'trellis-bench/1' || !Array.isArray(run.figures)) throw new Error(`${file} is not a file written by npm run bench -- --json.`);
  return run;
}

const describe = (label: string, r: RunJson) =>
  `${label}: ${r.date}, commit ${r.commit}, ${r.data.tasks.toLocaleString('en-US')} tasks, ${r.machine.cores} cores (${r.machine.cpu}), load ${r.machine.loadAtStart[0]?.toFixed(1)} at start, ` +
  (r.settings.pageCacheMb ? `pages kept (PAGE_CACHE_MB=${r.settings.pageCacheMb})` : 'pages rendered afresh') +
  (r.settings.writesPerSecond ? `, ${r.settings.writesPerSecond} writes a second beside the reads` : '') +
  // Runs written before slices took the floor, then the scenario.
  `, ${(r.settings.slices ?? 1) > 1 ? `in ${r.settings.slices} slices with the floor` : 'the floor before each run'}`;

/**
 * Two runs side by side, by scenario and concurrency: each one's req/s and
 * ratio to its own floor, and how the ratio moved (B's over A's), then each
 * one's app CPU a request and the database's where the run read them. Ratios
 * travel between machines and loads far better than req/s do.
 */
export function compareRuns(a: RunJson, b: RunJson): string {
  const inA = new Map(a.figures.map((f) => [figureKey(f), f]));
  const inB = new Map(b.figures.map((f) => [figureKey(f), f]));
  const keys = [...new Set([...a.figures.map(figureKey), ...b.figures.map(figureKey)])];
  const rows = keys.map((k) => {
    const fa = inA.get(k);
    const fb = inB.get(k);
    const any = (fa ?? fb)!;
    return [
      any.title,
      any.connections,
      fa ? formatRps(fa.rps) : '-',
      fa ? formatRatio(fa.ratio) : '-',
      fb ? formatRps(fb.rps) : '-',
      fb ? formatRatio(fb.ratio) : '-',
      fa && fb ? `${formatRatio(fb.ratio / fa.ratio)}x` : '-',
      formatCpu(fa?.cpuMs),
      formatCpu(fb?.cpuMs),
      formatCpu(fa?.dbCpuMs),
      formatCpu(fb?.dbCpuMs),
    ];
  });
  return [
    describe('A', a),
    describe('B', b),
    '',
    table(['scenario', 'c', 'A req/s', 'A ratio to floor', 'B req/s', 'B ratio to floor', 'B ratio / A ratio', 'A CPU ms/req', 'B CPU ms/req', 'A database CPU ms/req', 'B database CPU ms/req'], rows),
  ].join('\n');
}
