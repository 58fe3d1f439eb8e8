import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { AppProcess } from '../bench/app-process';
import { parseArgs } from '../bench/args';
import { summarize, type Sample } from '../bench/load';
import { measureWithFloor, sliceLengths } from '../bench/load-run';
import type { Scenario } from '../bench/scenarios';
import { freshPostgresDatabase, onPostgres } from '../support/db';

const part = (over: Partial<Sample>): Sample => ({
  scenario: 'comment',
  connections: 16,
  seconds: 2,
  latencies: [],
  seen: 0,
  errors: 0,
  statuses: {},
  cpuSeconds: null,
  dbCpuSeconds: null,
  ...over,
});

describe('a run in slices', () => {
  test('adds its slices up: requests over seconds, percentiles over every response time, CPU over every request', () => {
    const m = summarize(
      [
        part({ seconds: 2, seen: 4, latencies: [10, 20, 30, 40], statuses: { 303: 4 }, cpuSeconds: 0.02, dbCpuSeconds: 0.01 }),
        part({ seconds: 2, seen: 6, latencies: [50, 60, 70, 80, 90, 100], statuses: { 303: 5, 500: 1 }, errors: 1, cpuSeconds: 0.04, dbCpuSeconds: 0.01 }),
      ],
      303,
    );
    expect(m).toMatchObject({ scenario: 'comment', connections: 16, seconds: 4, requests: 10, rps: 2.5, p50: 50, p95: 100, max: 100, errors: 1, unexpected: 1, statuses: { 303: 9, 500: 1 } });
    expect(m.cpuMs).toBeCloseTo(6);
    expect(m.dbCpuMs).toBeCloseTo(2);
  });

  test('has no CPU figure when a slice could not read it', () => {
    const m = summarize([part({ seen: 1, latencies: [5], cpuSeconds: 0.01 }), part({ seen: 1, latencies: [5], cpuSeconds: null })], 200);
    expect(m.cpuMs).toBeNull();
  });

  test('cuts a run into slices of whole seconds, as even as they come, never more slices than seconds', () => {
    expect(sliceLengths(8, 4)).toEqual([2, 2, 2, 2]);
    expect(sliceLengths(10, 4)).toEqual([3, 3, 2, 2]);
    expect(sliceLengths(3, 4)).toEqual([1, 1, 1]);
    expect(sliceLengths(8, 1)).toEqual([8]);
  });

  test('--slices: 4 unless told, 1 for the floor and then the scenario, never 0', () => {
    expect(parseArgs([], {}).slices).toBe(4);
    expect(parseArgs(['--slices', '1'], {}).slices).toBe(1);
    expect(() => parseArgs(['--slices', '0'], {})).toThrow(/--slices/);
  });
});

/** Two servers that note which of them each request reached, in order. */
function twoServers(order: string[]) {
  const servers = ['floor', 'app'].map((name) =>
    http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (order[order.length - 1] !== name) order.push(name);
        res.writeHead(200).end('ok');
      });
    }),
  );
  return servers;
}

(onPostgres() ? describe : describe.skip)('the floor and a scenario in turns', () => {
  const order: string[] = [];
  const servers = twoServers(order);
  let database: { url: string; drop(): Promise<void> };
  let client: pg.Client;
  let urls: string[];

  beforeAll(async () => {
    urls = await Promise.all(
      servers.map(
        (s) =>
          new Promise<string>((resolve) => s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}`))),
      ),
    );
    // The wait between slices reads the job queue of a Trellis database.
    database = await freshPostgresDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client.end();
    await database.drop();
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  const served = (baseUrl: string): AppProcess => ({ pid: process.pid, baseUrl, rssMiB: () => 0, cpuSeconds: () => 0, stop: async () => undefined });

  test('warms each up, then takes a slice of each in turn, and gives each its slices together', async () => {
    const page: Scenario = { name: 'task', title: 'task page', kind: 'page', method: 'GET', path: '/T1', expect: 200, auth: true };
    const lines: string[] = [];
    const [paired] = await measureWithFloor(
      { app: served(urls[1]!), processes: 1, floor: served(urls[0]!), admin: client, dbCpu: null, cookie: 'trellis_session=x', duration: 2, slices: 4, warmup: 0, say: (l) => lines.push(l), beside: null },
      page,
      [1],
    );
    // A second of each to warm up, then two slices of a second of each (no more slices than seconds), the floor first.
    expect(order).toEqual(['floor', 'app', 'floor', 'app', 'floor', 'app']);
    expect(paired!.m.seconds).toBeGreaterThan(1.9);
    expect(paired!.m.seconds).toBeLessThan(3);
    expect(paired!.floor.seconds).toBeGreaterThan(1.9);
    expect(paired!.m.requests).toBeGreaterThan(0);
    expect(lines.join('\n')).toMatch(/task {6}c=1 .* ratio /);
  });
});
