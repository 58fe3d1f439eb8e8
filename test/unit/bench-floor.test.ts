import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from '../bench/args';
import type { Measurement } from '../bench/load';
import { detailTable, figures, floorSpread, floorTable, formatRatio, formatRps, ratio, targetsTable, type Paired } from '../bench/ratios';
import { compareRuns, readRunJson, writeRunJson, type RunJson } from '../bench/run-json';
import { nearestSearch, searchCandidates } from '../bench/search-words';
import type { StatementPlan } from '../bench/statement-plans';
import { statementPlansReport } from '../bench/statement-report';

function m(scenario: string, connections: number, rps: number, cpuMs: number | null = null, dbCpuMs: number | null = null): Measurement {
  return { scenario, connections, seconds: 10, requests: rps * 10, rps, p50: 1000 / rps, p95: 2000 / rps, p99: 3000 / rps, max: 0, errors: 0, unexpected: 0, statuses: {}, load: 1.5, cpuMs, dbCpuMs };
}
const pair = (scenario: string, title: string, c: number, rps: number, floorRps: number, processes = 1): Paired => ({
  title,
  processes,
  m: m(scenario, c, rps),
  floor: m('floor', c, floorRps),
});

const RUN: Paired[] = [
  pair('baseline', '/healthz', 1, 4000, 8000),
  pair('baseline', '/healthz', 10, 6000, 12000),
  pair('task', 'task page, 20 comments', 1, 400, 8400),
  pair('task', 'task page, 20 comments', 10, 600, 11600),
];

describe('ratios to the floor', () => {
  test('each scenario is read against the floor measured right before it, and against /healthz at its concurrency', () => {
    const fs = figures(RUN);
    const task1 = fs.find((f) => f.scenario === 'task' && f.connections === 1)!;
    expect(task1.ratio).toBeCloseTo(400 / 8400);
    expect(task1.healthzRatio).toBeCloseTo(0.1);
    expect(task1.floorRps).toBe(8400);
    const healthz10 = fs.find((f) => f.scenario === 'baseline' && f.connections === 10)!;
    expect(healthz10.ratio).toBe(0.5);
    expect(healthz10.healthzRatio).toBe(1);
  });

  test("CPU per request is read against the floor's: the floor's over the app's, and none where either was not read", () => {
    const [withCpu, without] = figures([
      { title: 'task page', processes: 1, m: m('task', 16, 700, 1.6), floor: m('floor', 16, 6600, 0.12) },
      { title: 'open list', processes: 1, m: m('open', 16, 250), floor: m('floor', 16, 6600, 0.12) },
    ]);
    expect(withCpu!.cpuRatio).toBeCloseTo(0.075);
    expect(withCpu!.cpuMs).toBe(1.6);
    expect(withCpu!.floorCpuMs).toBe(0.12);
    expect(without!.cpuRatio).toBeNull();
    const detail = detailTable([withCpu!, without!]);
    expect(detail).toContain('x floor CPU');
    expect(detail).toMatch(/\| 1\.600 +\| 0\.120 +\| 0\.075 /);
  });

  test("the database server's CPU a request is carried beside the app's, the floor's too, and shown where it was read", () => {
    const [read, unread] = figures([
      { title: 'open list', processes: 1, m: m('open', 16, 110, 9.6, 3.52), floor: m('floor', 16, 2400, 0.44, 0.151) },
      { title: 'task page', processes: 1, m: m('task', 16, 300, 3.2), floor: m('floor', 16, 2400, 0.44) },
    ]);
    expect(read!.dbCpuMs).toBe(3.52);
    expect(read!.floorDbCpuMs).toBe(0.151);
    expect(unread!.dbCpuMs).toBeNull();
    const detail = detailTable([read!, unread!]);
    expect(detail).toContain('database CPU ms/req');
    expect(detail).toMatch(/\| 3\.520 +\| 0\.151 +\| 1\.5 /);
    const targets = targetsTable([read!, unread!]);
    expect(targets).toContain('database CPU ms/req');
    expect(targets).toMatch(/open list .*\| 9\.600 +\| 3\.520 +\|/);
    expect(targets).toMatch(/task page .*\| 3\.200 +\| - +\|/);
  });

  test('without /healthz in the run there is no second ratio, and a floor of nothing gives no ratio', () => {
    expect(figures(RUN.filter((p) => p.m.scenario !== 'baseline'))[0]!.healthzRatio).toBeNull();
    expect(ratio(10, 0)).toBeNaN();
    expect(formatRatio(NaN)).toBe('-');
    expect(formatRatio(null)).toBe('-');
  });

  test('numbers are printed as the issue prints them', () => {
    expect(formatRps(8275.4)).toBe('8,275');
    expect(formatRps(38.26)).toBe('38.3');
    expect(formatRatio(0.04627)).toBe('0.046');
    expect(formatRatio(1.153)).toBe('1.15');
  });

  test('the table has the issue shape: the floor row first (its mean), then each scenario with its ratio at each concurrency', () => {
    const lines = floorTable(figures(RUN)).split('\n');
    expect(lines[0]!.split('|').map((c) => c.trim())).toEqual(['', 'scenario', 'c=1 req/s', 'ratio to floor', 'c=10 req/s', 'ratio', '']);
    const cells = (i: number) => lines[i]!.split('|').map((c) => c.trim()).slice(1, -1);
    expect(cells(2)).toEqual(['floor: express + pg `SELECT 1`', '8,200', '1', '11,800', '1']);
    expect(cells(3)).toEqual(['/healthz', '4,000', '0.500', '6,000', '0.500']);
    expect(cells(4)).toEqual(['task page, 20 comments', '400', '0.048', '600', '0.052']);
  });

  test('a scenario missing at a concurrency shows a dash; the detail table and the floor spread cover every figure', () => {
    const fs = figures([...RUN, pair('open', 'open tasks', 1, 200, 8000)]);
    expect(floorTable(fs).split('\n').at(-1)).toMatch(/\| open tasks +\| 200 +\| 0\.025 +\| - +\| - +\|/);
    expect(detailTable(fs).split('\n')).toHaveLength(2 + 5);
    expect(floorSpread(fs)).toBe('c=1: 8,000 to 8,400 req/s over 3 measurements; c=10: 11,600 to 12,000 req/s over 2 measurements');
  });

  test("each scenario with a target is read against it, and the target as the app CPU a request the floor's CPU allows", () => {
    const at16 = (scenario: string, title: string, rps: number, cpu: number | null): Paired => ({
      title,
      processes: 1,
      m: m(scenario, 16, rps, cpu),
      floor: m('floor', 16, 7500, 0.135),
    });
    const out = targetsTable(
      figures([
        at16('baseline', '/healthz', 3800, 0.29),
        at16('task', 'task page, 20 comments', 600, 1.5),
        at16('graph', 'task page, 200 connected tasks', 300, 3),
        at16('open', 'open tasks', 250, 4.2),
        at16('create', 'create a task (POST)', 450, null),
      ]),
    );
    const cells = (title: string) => out.split('\n').find((l) => l.startsWith(`| ${title} `))?.split('|').map((c) => c.trim()).slice(1, -1);
    expect(cells('task page, 20 comments')).toEqual(['task page, 20 comments', '16', '0.200', '0.080', 'NO', '0.675', '1.500', '-']);
    expect(cells('open tasks')).toEqual(['open tasks', '16', '0.100', '0.033', 'NO', '1.350', '4.200', '-']);
    expect(cells('create a task (POST)')).toEqual(['create a task (POST)', '16', '0.050', '0.060', 'yes', '2.700', '-', '-']);
    // Only the scenarios have a target.
    expect(cells('/healthz')).toBeUndefined();
    expect(cells('task page, 200 connected tasks')).toBeUndefined();
  });

  test('a scenario measured again with more app processes is a row of its own, read against /healthz with as many', () => {
    const fs = figures([
      ...RUN,
      pair('baseline', '/healthz (2 app processes)', 10, 9000, 12000, 2),
      pair('task', 'task page, 20 comments (2 app processes)', 10, 900, 12000, 2),
    ]);
    const task2 = fs.find((f) => f.scenario === 'task' && f.processes === 2)!;
    expect(task2.healthzRatio).toBeCloseTo(0.1);
    expect(fs.find((f) => f.scenario === 'task' && f.processes === 1 && f.connections === 10)!.healthzRatio).toBeCloseTo(0.1);
    const lines = floorTable(fs).split('\n');
    const cells = (title: string) => lines.find((l) => l.startsWith(`| ${title} `))!.split('|').map((c) => c.trim()).slice(1, -1);
    expect(cells('task page, 20 comments')).toEqual(['task page, 20 comments', '400', '0.048', '600', '0.052']);
    expect(cells('task page, 20 comments (2 app processes)')).toEqual(['task page, 20 comments (2 app processes)', '-', '-', '900', '0.075']);
  });
});

function run(commit: string, fs: Paired[]): RunJson {
  return {
    format: 'trellis-bench/1',
    date: '2026-12-03T14:00:00.000Z',
    commit,
    machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 8, os: 'Linux', node: 'v20', postgres: '15', loadAtStart: [1.2, 1, 1], loadAtEnd: [1, 1, 1] },
    data: { tasks: 10000, eventsPerTask: 10, people: 1000, search: 'email deadlock', searchMatches: 126 },
    settings: { duration: 10, connections: [1, 10] },
    figures: figures(fs),
  };
}

describe('comparing two runs', () => {
  test("each run's app CPU a request, and the database's, sit beside its ratios, where the run read them", () => {
    const withCpu = (rps: number, cpu: number, db: number | null): Paired => ({ title: 'task page, 20 comments', processes: 1, m: m('task', 1, rps, cpu, db), floor: m('floor', 1, 8000, 0.25, 0.09) });
    const out = compareRuns(run('aaaaaaa', [withCpu(400, 2.5, null)]), run('bbbbbbb', [withCpu(500, 2, 1.25)]));
    expect(out).toContain('A CPU ms/req');
    expect(out).toContain('B database CPU ms/req');
    expect(out).toMatch(/\| 1\.25x +\| 2\.500 +\| 2\.000 +\| - +\| 1\.250 +\|/);
  });

  test('side by side by scenario and concurrency, with how the ratio to the floor moved', () => {
    const before = run('aaaaaaa', RUN);
    const after = run('bbbbbbb', [pair('task', 'task page, 20 comments', 1, 1600, 8000), pair('open', 'open tasks', 1, 900, 9000)]);
    after.settings = { ...after.settings, pageCacheMb: 64, writesPerSecond: 10, slices: 4 };
    const out = compareRuns(before, after);
    expect(out).toContain('A: 2026-12-03T14:00:00.000Z, commit aaaaaaa, 10,000 tasks, 2 cores (Test CPU), load 1.2 at start, pages rendered afresh, the floor before each run\n');
    expect(out).toContain(
      'B: 2026-12-03T14:00:00.000Z, commit bbbbbbb, 10,000 tasks, 2 cores (Test CPU), load 1.2 at start, pages kept (PAGE_CACHE_MB=64), 10 writes a second beside the reads, in 4 slices with the floor',
    );
    const row = (title: string, c: number) =>
      out
        .split('\n')
        .find((l) => l.startsWith(`| ${title} `) && l.split('|')[2]!.trim() === String(c))!
        .split('|')
        .map((x) => x.trim())
        .slice(1, -1);
    expect(row('task page, 20 comments', 1)).toEqual(['task page, 20 comments', '1', '400', '0.048', '1,600', '0.200', '4.20x', '-', '-', '-', '-']);
    expect(row('task page, 20 comments', 10)).toEqual(['task page, 20 comments', '10', '600', '0.052', '-', '-', '-', '-', '-', '-', '-']);
    expect(row('open tasks', 1)).toEqual(['open tasks', '1', '-', '-', '900', '0.100', '-', '-', '-', '-', '-']);
  });

  test('a figure stands beside the one with as many app processes; a run written before they were kept counts as one', () => {
    const older = run('aaaaaaa', [pair('task', 'task page, 20 comments', 16, 600, 12000)]);
    delete older.figures[0]!.processes;
    const newer = run('bbbbbbb', [pair('task', 'task page, 20 comments', 16, 660, 12000), pair('task', 'task page, 20 comments (2 app processes)', 16, 900, 12000, 2)]);
    const lines = compareRuns(older, newer).split('\n');
    const cells = (title: string) => lines.find((l) => l.startsWith(`| ${title} `))!.split('|').map((c) => c.trim()).slice(1, -1);
    expect(cells('task page, 20 comments')).toEqual(['task page, 20 comments', '16', '600', '0.050', '660', '0.055', '1.10x', '-', '-', '-', '-']);
    expect(cells('task page, 20 comments (2 app processes)')).toEqual(['task page, 20 comments (2 app processes)', '16', '-', '-', '900', '0.075', '-', '-', '-', '-', '-']);
  });

  test('a run written with --json reads back; any other JSON file is refused with a sentence', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-json-'));
    try {
      const file = path.join(dir, 'a.json');
      writeRunJson(file, run('aaaaaaa', RUN));
      expect(readRunJson(file).figures).toHaveLength(4);
      fs.writeFileSync(path.join(dir, 'b.json'), '{"figures": []}');
      expect(() => readRunJson(path.join(dir, 'b.json'))).toThrow('is not a file written by npm run bench -- --json');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the full-text query', () => {
  test('the candidate nearest 100 matches on a log scale wins, the first on a tie', () => {
    expect(nearestSearch([['a', 3000], ['b', 126], ['c', 15]])).toEqual({ text: 'b', matches: 126 });
    expect(nearestSearch([['a', 50], ['b', 200]])).toEqual({ text: 'a', matches: 50 });
    expect(nearestSearch([['a', 0], ['b', 1000]]).text).toBe('b');
    expect(() => nearestSearch([])).toThrow();
  });

  test('candidates run from one rare word to OR-ed triples of rare words, each once', () => {
    const all = searchCandidates();
    expect(all[0]).toBe('deadlock');
    expect(all.at(-1)).toBe('deadlock kerberos webhook or deadlock kerberos tombstone or deadlock kerberos checksum or deadlock kerberos idempotency');
    expect(new Set(all).size).toBe(all.length);
  });
});

describe('bench flags', () => {
  test('other clients of the bench database are refused unless --allow-other-clients', () => {
    expect(parseArgs([], {}).allowOtherClients).toBe(false);
    expect(parseArgs(['--allow-other-clients'], {}).allowOtherClients).toBe(true);
  });

  test('concurrencies default to 1, 10 and 16; --json names a file; --compare takes two', () => {
    expect(parseArgs([], {}).connections).toEqual([1, 10, 16]);
    expect(parseArgs(['--json', 'out.json'], {}).json).toBe('out.json');
    expect(parseArgs(['--compare', 'a.json', 'b.json'], {}).compare).toEqual(['a.json', 'b.json']);
    expect(() => parseArgs(['--compare', 'a.json'], {})).toThrow('--compare needs two JSON files');
    expect(() => parseArgs(['--json', '--fresh'], {})).toThrow('--json needs a file name');
    expect(parseArgs(['--plans-only', '--seed-only'], {})).toMatchObject({ plansOnly: true, seedOnly: true });
  });

  test('the app keeps rendered lists as PAGE_CACHE_MB says, 64 MB unless --page-cache-mb or the variable says otherwise', () => {
    expect(parseArgs([], {}).pageCacheMb).toBe(64);
    expect(parseArgs([], { PAGE_CACHE_MB: '0' }).pageCacheMb).toBe(0);
    expect(parseArgs(['--page-cache-mb', '0'], { PAGE_CACHE_MB: '32' }).pageCacheMb).toBe(0);
    expect(() => parseArgs(['--page-cache-mb', 'lots'], {})).toThrow('--page-cache-mb needs a whole number');
  });

  test('no writes beside the reads unless --writes-per-second asks for them, at most 200 a second', () => {
    expect(parseArgs([], {}).writesPerSecond).toBe(0);
    expect(parseArgs(['--writes-per-second', '10'], {}).writesPerSecond).toBe(10);
    expect(() => parseArgs(['--writes-per-second', '0.5'], {})).toThrow('--writes-per-second needs a whole number');
    expect(() => parseArgs(['--writes-per-second', '201'], {})).toThrow('--writes-per-second must be from 0 to 200');
  });

  test('a scenario is warmed for 10 s before its first run unless --warmup says otherwise; 0 measures a cold app', () => {
    expect(parseArgs([], {}).warmup).toBe(10);
    expect(parseArgs(['--warmup', '30'], {}).warmup).toBe(30);
    expect(parseArgs(['--warmup', '0'], {}).warmup).toBe(0);
    expect(() => parseArgs(['--warmup', '-1'], {})).toThrow('--warmup needs a whole number');
    expect(() => parseArgs(['--warmup', '601'], {})).toThrow('--warmup must be from 0 to 600');
  });

  test('app processes: WEB_CONCURRENCY or one, unless --processes lists them, each once', () => {
    expect(parseArgs([], {}).processes).toEqual([1]);
    expect(parseArgs([], { WEB_CONCURRENCY: '2' }).processes).toEqual([2]);
    expect(parseArgs(['--processes', '1,2'], { WEB_CONCURRENCY: '2' }).processes).toEqual([1, 2]);
    expect(() => parseArgs(['--processes', '1,1'], {})).toThrow('--processes lists each number once');
    expect(() => parseArgs(['--processes', '0'], {})).toThrow('--processes must be from 1 to 16');
    expect(() => parseArgs([], { WEB_CONCURRENCY: 'two' })).toThrow('WEB_CONCURRENCY needs a whole number');
  });
});

describe('the plan check report', () => {
  const plan = (scenario: string, statistics: 'fresh' | 'none', seqScans: string[], extra: Partial<StatementPlan> = {}): StatementPlan => ({
    scenario,
    statistics,
    sql: `select from ${seqScans[0] ?? 'tasks'} where x = $1`,
    bindings: [1],
    seqScans,
    plan: seqScans.map((t) => `Seq Scan on ${t}`).join('\n') || 'Index Scan using tasks_pkey on tasks',
    ...extra,
  });

  test('per scenario, the tables read from end to end with and without statistics; big ones in bold with their size, and their plans below', () => {
    const out = statementPlansReport({
      plans: [plan('task', 'fresh', ['sessions']), plan('task', 'none', ['tasks']), plan('open', 'fresh', []), plan('open', 'none', [])],
      rows: { sessions: 3, tasks: 10000 },
    });
    const rows = out.split('\n').filter((l) => /^\| (task|open) /.test(l)).map((l) => l.split('|').map((c) => c.trim()).slice(1, -1));
    expect(rows).toEqual([
      ['task', '1', 'sessions', '**tasks** (10,000 rows)'],
      ['open', '1', 'none', 'none'],
    ]);
    expect(out).toContain('1 plan(s) read a table of 1,000 rows or more from end to end:');
    expect(out).toContain('### task, no statistics: tasks');
    expect(out).toContain('Seq Scan on tasks');
  });

  test('a generic plan counts with its statement, not as another one sent, and is named as such when it scans a big table', () => {
    const out = statementPlansReport({
      plans: [plan('open', 'fresh', []), plan('open', 'fresh', ['tasks'], { generic: true }), plan('open', 'none', []), plan('open', 'none', [], { generic: true })],
      rows: { tasks: 10000 },
    });
    expect(out).toContain('| open     | 1          | **tasks** (10,000 rows)');
    expect(out).toContain('### open, fresh statistics, generic plan: tasks');
  });

  test('with no big table scanned it says so, and a statement that could not be explained is listed', () => {
    const out = statementPlansReport({ plans: [plan('api', 'fresh', [], { error: 'syntax error', plan: '' })], rows: {} });
    expect(out).toContain('No plan reads a table of 1,000 rows or more from end to end, with statistics or without.');
    expect(out).toContain('| api      | 1 (1 not explained) |');
    expect(out).toContain('- api (fresh): syntax error in `select from tasks where x = $1`');
  });
});
