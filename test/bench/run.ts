import os from 'node:os';
import pg from 'pg';
import { openPostgres } from '../../server/db/connect';
import { migrateLatest } from '../../server/db/migrate';
import { startApp, type AppProcess } from './app-process';
import { databaseCpuReader } from './process-cpu';
import { ArgsError, parseArgs, USAGE, type BenchArgs } from './args';
import { otherClients, otherClientsProblem } from './other-clients';
import { createDatabase, databaseExists, describeData, dropDatabase, hasTables, readMarker, withClient, type SeedMarker } from './database';
import { ensureBoard } from './board';
import { measureExport } from './export';
import { liveReport, measureLive } from './live';
import { makeImageTask } from './images';
import type { Measurement } from './load';
import { measureAsProcesses, measureWithFloor, sliceLengths } from './load-run';
import { makeApiTokens, checkApiCall } from './api-tokens';
import { startFloor } from './floor-process';
import { detailTable, figures, floorSpread, floorTable, targetsTable, type Paired } from './ratios';
import { commitOf, compareRuns, machineFacts, readRunJson, writeRunJson, type RunJson } from './run-json';
import { chooseSearch } from './search-words';
import { mailReport, measureMail } from './mail';
import { logIn } from './login';
import { ensureGraph } from './graph';
import { ensureFieldValues } from './custom';
import { machine, seedReport, table, targets, targetsReport } from './report';
import { listPlanSection, statementPlanSection } from './plan-check';
import { scenarios, SCENARIO_NAMES } from './scenarios';
import { besideWrites } from './side-writes';
import { soak, soakSummary, type SoakSample } from './soak';
import { BENCH_PASSWORD, seed } from './seed';
import { removeWrites, watermark } from './writes';

const say = (line = '') => process.stdout.write(line + '\n');

/** Creates, reuses or reseeds the bench database, as the flags and what is there say. */
async function prepare(a: BenchArgs): Promise<SeedMarker> {
  if (a.fresh && (await databaseExists(a.databaseUrl))) {
    say('Dropping the bench database (--fresh).');
    await dropDatabase(a.databaseUrl);
  }
  if (!(await databaseExists(a.databaseUrl))) {
    if (a.skipSeed) throw new ArgsError('--skip-seed: there is no bench database yet. Run once without it.');
    await createDatabase(a.databaseUrl);
  }
  let marker = await withClient(a.databaseUrl, readMarker);
  if (marker?.complete) {
    const same = marker.tasks === a.tasks && marker.events === a.events && marker.people === a.people;
    if (!same && !a.skipSeed) {
      throw new ArgsError(
        `The bench database holds ${marker.tasks} tasks, ${marker.events} events per task and ${marker.people} people, not what was asked. ` +
          'Add --fresh to seed it again, or --skip-seed to use it as it is.',
      );
    }
    say(`Reusing the database seeded ${marker.seededAt.toISOString()}: ${marker.tasks} tasks, ~${marker.events} events per task, ${marker.people} people.`);
    const database = openPostgres(a.databaseUrl, 2);
    try {
      const applied = await migrateLatest(database.db);
      if (applied.length) {
        say(`Applied new migrations: ${applied.join(', ')}; VACUUM (ANALYZE) after them…`);
        // A migration that rewrote a table leaves it without statistics and visibility map: plans would be misjudged.
        for (const t of ['tasks', 'task_events', 'task_subscribers', 'users']) await database.db.raw(`VACUUM (ANALYZE) ${t}`);
      }
    } finally {
      await database.close();
    }
    return marker;
  }
  if (a.skipSeed) throw new ArgsError('--skip-seed: the bench database was never completely seeded. Run without it.');
  if (marker || (await withClient(a.databaseUrl, hasTables))) {
    say('The bench database holds an unfinished seed: dropping it and starting again.');
    await dropDatabase(a.databaseUrl);
    await createDatabase(a.databaseUrl);
  }
  say(`Seeding ${a.tasks.toLocaleString('en-US')} tasks, ~${a.events} events each, ${a.people} people…`);
  const result = await seed({ url: a.databaseUrl, tasks: a.tasks, events: a.events, people: a.people, log: say });
  say();
  say('## Seeding');
  say();
  say(seedReport(result));
  marker = await withClient(a.databaseUrl, readMarker);
  if (!marker?.complete) throw new Error('The seed finished without its marker.');
  return marker;
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (a.help) {
    say(USAGE);
    return;
  }
  if (a.compare) {
    say(compareRuns(readRunJson(a.compare[0]), readRunJson(a.compare[1])));
    return;
  }
  if (a.only) {
    const unknown = a.only.filter((n) => !SCENARIO_NAMES.includes(n));
    if (unknown.length) throw new ArgsError(`Unknown scenario ${unknown.join(', ')}; choose from ${SCENARIO_NAMES.join(', ')}.`);
  }
  say('# Trellis benchmark');
  say();
  const serverUrl = a.databaseUrl.replace(/\/[^/]*$/, '/postgres');
  const info = await withClient(serverUrl, machine);
  const facts = await withClient(serverUrl, machineFacts);
  say(info);
  say();

  const marker = await prepare(a);
  const search = await withClient(a.databaseUrl, chooseSearch);
  say();
  say(await describeData(a.databaseUrl, marker, search.text));
  say();
  if (a.seedOnly) return;

  const admin = new pg.Client({ connectionString: a.databaseUrl });
  await admin.connect();
  let app: AppProcess | null = null;
  let floor: AppProcess | null = null;
  const results: Measurement[] = [];
  const paired: Paired[] = [];
  try {
    // A plan check sends no load, so it is not skewed by what else runs on the database.
    const others = a.plansOnly ? { count: 0, described: '' } : await otherClients(admin);
    const refusal = otherClientsProblem(others, a.allowOtherClients);
    if (refusal) throw new ArgsError(refusal);
    if (others.count) {
      say(`Other clients on the bench database, measured beside all the same: ${others.described}.`);
      say();
    }
    const mark = await watermark(admin);
    // The API scenario's tokens make thousands of calls a minute each; the limit is a guard for real clients.
    const appAs = (processes: number) => startApp(a.databaseUrl, { API_RATE_LIMIT: '1000000', WEB_CONCURRENCY: String(processes), PAGE_CACHE_MB: String(a.pageCacheMb) });
    app = await appAs(a.processes[0]!);
    floor = await startFloor(a.databaseUrl);
    const rss: [string, number][] = [['after start', app.rssMiB()]];
    const session = await logIn(app.baseUrl, marker.login, BENCH_PASSWORD);
    const board = await ensureBoard(admin, marker.login);
    const graphTaskId = await withClient(a.databaseUrl, (c) => ensureGraph(c, marker.tasks));
    await withClient(a.databaseUrl, ensureFieldValues);
    const imageTaskId = !a.only || a.only.includes('images') ? await makeImageTask(app.baseUrl, session) : undefined;
    const apiTokens = !a.only || a.only.includes('api') ? await makeApiTokens(a.databaseUrl, marker.login, Math.max(...a.connections)) : undefined;
    const scenariosOf = (loggedIn: typeof session) =>
      scenarios({ session: loggedIn, pageTaskId: marker.pageTaskId, tasks: marker.tasks, board, graphTaskId, imageTaskId, search: search.text, apiTokens });
    const all = scenariosOf(session);
    // /healthz runs whenever anything runs: it is the second reference, after the floor.
    const isChosen = (name: string) => !a.only || name === 'baseline' || a.only.includes(name);
    const chosen = all.filter((s) => isChosen(s.name));
    const api = chosen.find((s) => s.name === 'api');
    if (api) await checkApiCall(app.baseUrl, api.path, api.next!().body ?? '');
    // What the load writes is removed from here on; the session and tokens made above stay for the
    // plan check after it, and go with the rest at the very end.
    const loadMark = await watermark(admin);
    if (a.plansOnly) {
      await statementPlanSection(a.databaseUrl, admin, chosen, session.cookie, say);
      await listPlanSection(a.databaseUrl, admin, marker.login, chosen, a.orders, say);
      const removed = await removeWrites(admin, mark);
      say(`Removed what the plan check wrote: ${removed.tasks} tasks and ${removed.events} events.`);
      return;
    }
    // What --slices comes to for this --duration: no more slices than seconds.
    const slices = sliceLengths(a.duration, a.slices);
    say(
      `## Load (app pid ${app.pid} on ${app.baseUrl}, floor pid ${floor.pid} on ${floor.baseUrl}; ${a.duration} s per run, 1 s warm-up before each` +
        `${a.warmup ? ` and ${a.warmup} s before each scenario's first, at its highest concurrency` : ''}; ` +
        (slices.length > 1
          ? `the floor and each scenario measured in turns at each concurrency, in slices of ${[...new Set(slices)].join(' or ')} s)`
          : 'the floor measured right before each scenario at each concurrency)'),
    );
    say();
    const dbCpu = databaseCpuReader((await admin.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number);
    say(
      a.pageCacheMb
        ? `Rendered lists and task pages are kept between writes (PAGE_CACHE_MB=${a.pageCacheMb}). \`--page-cache-mb 0\` renders every page afresh.`
        : 'Rendered pages are not kept (PAGE_CACHE_MB=0): every list and task page is rendered afresh.',
    );
    say(
      a.writesPerSecond
        ? `Beside every measured run of a page or list, ${a.writesPerSecond} comments a second are posted to random tasks by a session of their own: the first view of a kept page after each is rendered afresh. The app's CPU a request includes theirs.`
        : 'The read scenarios write nothing, so with pages kept each page after its first request is shown as kept. `--writes-per-second N` posts comments beside them.',
    );
    say(dbCpu ? 'The database runs on this machine: its CPU a request is read beside the app\'s, all its processes together.' : 'The database is not a process of this machine: its CPU is not read.');
    say();
    const beside = await besideWrites(a.writesPerSecond, app, marker.login, scenariosOf);
    const load = { app, processes: a.processes[0]!, floor, admin, dbCpu, cookie: session.cookie, duration: a.duration, slices: a.slices, warmup: a.warmup, say, beside };
    for (const s of chosen) {
      const pairs = await measureWithFloor(load, s, a.connections);
      paired.push(...pairs);
      results.push(...pairs.map((p) => p.m));
      rss.push([`after ${s.name}`, app.rssMiB()]);
    }
    if (!a.only || a.only.includes('export')) {
      say();
      say('  export: every open task, streamed');
      for (const format of ['csv', 'json'] as const) {
        const e = await measureExport(app, session.cookie, `/maniphest/query/open/export.${format}`, format);
        say(`  export.${format}: ${e.rows} rows, ${e.mebibytes.toFixed(1)} MiB in ${e.seconds.toFixed(1)} s; app RSS ${e.rssBeforeMiB.toFixed(1)} MiB before, ${e.rssPeakMiB.toFixed(1)} MiB at most`);
      }
      rss.push(['after the exports', app.rssMiB()]);
    }
    if (!a.only || a.only.includes('live')) {
      say();
      const byName = (n: string) => all.find((s) => s.name === n)!;
      say(liveReport(await measureLive(app, admin, byName('task'), byName('baseline'), session.cookie, a.duration)));
      rss.push(['after the live streams closed', app.rssMiB()]);
    }
    let soaked: SoakSample[] = [];
    if (a.soak > 0) {
      // Every scenario in turn, writes included, so a leak on any path shows in the samples.
      soaked = await soak(app, all.filter((s) => s.name !== 'baseline'), session.cookie, Math.max(...a.connections), a.soak, say);
      rss.push(...soaked.map((x): [string, number] => [`soak ${x.seconds} s (${x.requests} requests)`, x.rssMiB]));
    }
    if (a.processes.length > 1) {
      const top = Math.max(...a.connections);
      await app.stop();
      app = null;
      for (const n of a.processes.slice(1)) {
        say();
        say(`  the same scenarios with ${n} app processes, at c=${top}:`);
        const logInto = (other: AppProcess) => logIn(other.baseUrl, marker.login, BENCH_PASSWORD);
        const again = (loggedIn: typeof session) => scenariosOf(loggedIn).filter((s) => isChosen(s.name));
        paired.push(...(await measureAsProcesses({ floor, admin, dbCpu, duration: a.duration, slices: a.slices, warmup: a.warmup, say, beside }, n, top, appAs, logInto, again)));
      }
    }
    const figs = figures(paired);
    say();
    say('### Against the floor');
    say();
    say(floorTable(figs));
    say();
    say(`The floor over the run: ${floorSpread(figs)}.`);
    say();
    say('### Against the targets (task page 0.2, lists and full text 0.1, writes 0.05)');
    say();
    say(targetsTable(figs));
    say();
    say('### Every figure');
    say();
    say(detailTable(figs));
    say();
    say('### Memory of the app process (RSS)');
    say();
    say(table(['when', 'RSS MiB'], rss.map(([w, v]) => [w, v.toFixed(1)])));
    say();
    if (soaked.length) {
      say(soakSummary(soaked));
      say();
    }
    if (app) await app.stop();
    app = null;
    await floor.stop();
    floor = null;
    if (!a.only || a.only.includes('mail')) {
      say('## Mail (comments with mail off and on, then the queue to a local SMTP sink)');
      say();
      say(mailReport(await measureMail(a.databaseUrl, admin, marker.login, BENCH_PASSWORD, { pageTaskId: marker.pageTaskId, tasks: marker.tasks, board, graphTaskId }, a.duration)));
      say();
    }
    if (!a.keepWrites) {
      const removed = await removeWrites(admin, loadMark);
      say(`Removed what the load wrote: ${removed.tasks} tasks and ${removed.events} events; the seeded data is as before.`);
      say();
    }

    // Planned on the seeded data, not on what the load added; the few requests of the check are removed after it.
    const statementPlans = await statementPlanSection(a.databaseUrl, admin, chosen, session.cookie, say);
    await listPlanSection(a.databaseUrl, admin, marker.login, chosen, a.orders, say);
    if (!a.keepWrites) await removeWrites(admin, mark);
    if (a.json) {
      const run: RunJson = {
        format: 'trellis-bench/1',
        date: new Date().toISOString(),
        commit: commitOf(),
        machine: { ...facts, loadAtEnd: os.loadavg() },
        data: { tasks: marker.tasks, eventsPerTask: marker.events, people: marker.people, search: search.text, searchMatches: search.matches },
        settings: { duration: a.duration, warmup: a.warmup, slices: slices.length, connections: a.connections, processes: a.processes, pageCacheMb: a.pageCacheMb, writesPerSecond: a.writesPerSecond },
        figures: figs,
        seqScans: statementPlans.plans.flatMap((p) =>
          p.seqScans.map((t) => ({ scenario: p.scenario, statistics: p.statistics, table: t, rows: statementPlans.rows[t] ?? 0, sql: p.sql })),
        ),
      };
      writeRunJson(a.json, run);
      say(`Wrote the figures to ${a.json}.`);
      say();
    }
    say('## Targets (2 cores, concurrency 1)');
    say();
    say(targetsReport(targets(results)));
  } finally {
    if (app) await app.stop();
    if (floor) await floor.stop();
    await admin.end();
  }
}

// Exiting runs the 'exit' handlers, which stop the app process.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => process.exit(130));

main().catch((err) => {
  if (err instanceof ArgsError) {
    process.stderr.write(`${err.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`The benchmark failed: ${(err as Error)?.stack ?? err}\n`);
  process.exit(1);
});
