import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildTrackerConfig } from '../../server/tracker-config';
import { openPostgres } from '../../server/db/connect';
import { migrateLatest } from '../../server/db/migrate';
import { runImport } from '../../server/import/run';
import { parseRoleMapping } from '../../server/import/writer';
import { Tracker } from '../../server/tasks/task';
import { createDatabase, databaseExists, dropDatabase } from './database';

/**
 * The importer against a made-up Phabricator (fake-phabricator.ts, its own
 * process): first a dry run, the floor (reading and mapping, nothing
 * written), then the import into a fresh PostgreSQL database. Prints tasks
 * per minute for both, their ratio, peak memory of this process and the load.
 *
 *   npx tsx test/bench/import-bench.ts --tasks 100000 --xacts 10
 */

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '10000' },
    xacts: { type: 'string', default: '10' },
    people: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '4' },
    'skip-floor': { type: 'boolean', default: false },
  },
});
const tasks = Number(values.tasks);
const xacts = Number(values.xacts);
const url = process.env.BENCH_IMPORT_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trellis_import_bench';
const say = (line: string) => process.stdout.write(line + '\n');
const mb = (bytes: number) => `${Math.round(bytes / 1048576)} MB`;
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

function startServer(): Promise<{ port: number; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fake-phabricator.ts'), String(tasks), String(xacts), String(values.people)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve({ port: Number(String(d).trim()), stop: () => child.kill() }));
    child.once('exit', (code) => reject(new Error(`the fake server exited (${code})`)));
  });
}

async function phase(name: string, run: () => Promise<unknown>): Promise<{ minutes: number; peak: number }> {
  let peak = process.memoryUsage().rss;
  let ticks = 0;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
    // Every minute, the memory now: flat over a long run, or growing with what was imported.
    if (++ticks % 240 === 0) say(`  ${name}: ${ticks / 4} s, RSS ${mb(process.memoryUsage().rss)}, heap ${mb(process.memoryUsage().heapUsed)}, load ${load()}`);
  }, 250);
  const started = Date.now();
  say(`${name}: started, load ${load()}`);
  try {
    await run();
  } finally {
    clearInterval(sampler);
  }
  const minutes = (Date.now() - started) / 60000;
  say(`${name}: ${(minutes * 60).toFixed(1)} s, ${Math.round(tasks / minutes)} tasks/min, ${Math.round((tasks * xacts) / minutes)} transactions/min, peak RSS ${mb(peak)}, load ${load()}`);
  return { minutes, peak };
}

async function main() {
  say(`Import bench: ${tasks} tasks, ${tasks * xacts} transactions, ${values.people} people, ${values.concurrency} requests in flight; ${os.cpus().length} cores`);
  if (await databaseExists(url)) await dropDatabase(url);
  await createDatabase(url);
  const database = openPostgres(url, 4);
  const server = await startServer();
  try {
    await migrateLatest(database.db);
    const tracker = new Tracker(buildTrackerConfig({}));
    const options = {
      url: `http://127.0.0.1:${server.port}`,
      token: 'api-aaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      since: null,
      offset: 0,
      roles: parseRoleMapping(undefined),
      markup: 'remarkup' as const,
      concurrency: Number(values.concurrency),
    };
    const floor = values['skip-floor'] ? null : await phase('floor (dry run: read and map only)', () => runImport({ db: database.db, tracker }, { ...options, dryRun: true }));
    let report;
    const full = await phase('import', async () => {
      report = await runImport({ db: database.db, tracker }, { ...options, dryRun: false });
    });
    if (floor) say(`import / floor time: ${(full.minutes / floor.minutes).toFixed(2)}`);
    say(`max RSS of the process (both phases): ${mb(process.resourceUsage().maxRSS * 1024)}`);
    for (const line of report!.lines(false)) say(line);
  } finally {
    server.stop();
    await database.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
