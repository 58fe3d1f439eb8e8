import pg from 'pg';
import { buildTrackerConfig } from '../../server/config';
import { openPostgres } from '../../server/db/connect';
import { migrateLatest } from '../../server/db/migrate';
import { Tracker } from '../../server/tasks/task';
import { findUserByUsername } from '../../server/users/repository';
import { startApp, type AppProcess } from './app-process';
import { ArgsError, parseArgs, USAGE, type BenchArgs } from './args';
import { createDatabase, databaseExists, dropDatabase, hasTables, readMarker, withClient, type SeedMarker } from './database';
import { ensureBoard } from './board';
import { measureExport } from './export';
import { liveReport, measureLive } from './live';
import { makeImageTask } from './images';
import { measure, type Measurement } from './load';
import { mailReport, measureMail } from './mail';
import { logIn } from './login';
import { ensureGraph } from './graph';
import { BENCH_TRACKER_FILE, ensureFieldValues } from './custom';
import { explainLists, orderLists } from './plans';
import { loadReport, machine, ordersReport, plansReport, seedReport, table, targets, targetsReport } from './report';
import { FULL_TEXT, scenarios, SCENARIO_NAMES } from './scenarios';
import { BENCH_PASSWORD, seed } from './seed';
import { removeWrites, settle, watermark } from './writes';

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

async function describeData(url: string, m: SeedMarker): Promise<string> {
  return withClient(url, async (c) => {
    const r = await c.query(
      `SELECT (SELECT count(*) FROM tasks)::int AS tasks, (SELECT count(*) FROM task_events)::int AS events,
         (SELECT count(*) FROM task_events WHERE type = 'comment')::int AS comments,
         (SELECT count(*) FROM tasks WHERE status = 'open')::int AS open,
         (SELECT count(*) FROM tasks t JOIN users u ON u.id = t.owner_id WHERE u.username = $1 AND t.status = 'open')::int AS mine,
         (SELECT count(*) FROM tasks WHERE search_vector @@ websearch_to_tsquery('english', $2))::int AS matches,
         (SELECT count(*) FROM task_events WHERE task_id = $3 AND type = 'comment')::int AS page_comments,
         pg_size_pretty(pg_database_size(current_database())) AS size`,
      [m.login, FULL_TEXT, m.pageTaskId],
    );
    const d = r.rows[0];
    return [
      `Data: ${d.tasks} tasks (${d.open} open), ${d.events} events of which ${d.comments} comments; database ${d.size}.`,
      `Load logs in as ${m.login} (maintainer), who owns ${d.mine} open tasks; the full-text query matches ${d.matches} tasks; T${m.pageTaskId} has ${d.page_comments} comments.`,
    ].join('\n');
  });
}

async function main() {
  const a = parseArgs(process.argv.slice(2));
  if (a.help) {
    say(USAGE);
    return;
  }
  if (a.only) {
    const unknown = a.only.filter((n) => !SCENARIO_NAMES.includes(n));
    if (unknown.length) throw new ArgsError(`Unknown scenario ${unknown.join(', ')}; choose from ${SCENARIO_NAMES.join(', ')}.`);
  }
  say('# Trellis benchmark');
  say();
  const info = await withClient(a.databaseUrl.replace(/\/[^/]*$/, '/postgres'), machine);
  say(info);
  say();

  const marker = await prepare(a);
  say();
  say(await describeData(a.databaseUrl, marker));
  say();

  const admin = new pg.Client({ connectionString: a.databaseUrl });
  await admin.connect();
  let app: AppProcess | null = null;
  const results: Measurement[] = [];
  try {
    const mark = await watermark(admin);
    app = await startApp(a.databaseUrl);
    const rss: [string, number][] = [['after start', app.rssMiB()]];
    const session = await logIn(app.baseUrl, marker.login, BENCH_PASSWORD);
    const board = await ensureBoard(admin, marker.login);
    const graphTaskId = await withClient(a.databaseUrl, (c) => ensureGraph(c, marker.tasks));
    await withClient(a.databaseUrl, ensureFieldValues);
    const imageTaskId = !a.only || a.only.includes('images') ? await makeImageTask(app.baseUrl, session) : undefined;
    const all = scenarios({ session, pageTaskId: marker.pageTaskId, tasks: marker.tasks, board, graphTaskId, imageTaskId });
    // The baseline runs whenever anything runs: every figure is read against it.
    const chosen = all.filter((s) => !a.only || s.name === 'baseline' || a.only.includes(s.name));
    say(`## Load (app pid ${app.pid} on ${app.baseUrl}, ${a.duration} s per scenario and concurrency, 1 s warm-up before each)`);
    say();
    for (const s of chosen) {
      for (const connections of a.connections) {
        await measure(app.baseUrl, s, session.cookie, connections, 1);
        await settle(admin);
        const m = await measure(app.baseUrl, s, session.cookie, connections, a.duration);
        results.push(m);
        const drained = await settle(admin);
        if (drained >= 1) say(`  (${s.name} c=${connections}: ${drained.toFixed(1)} s until the database was idle again)`);
        const odd = Object.entries(m.statuses).filter(([code]) => Number(code) !== s.expect);
        say(
          `  ${s.name.padEnd(9)} c=${String(connections).padEnd(3)} ${m.rps.toFixed(1).padStart(8)} req/s  p50 ${m.p50.toFixed(2)}  p95 ${m.p95.toFixed(2)}  p99 ${m.p99.toFixed(2)} ms` +
            (m.errors || odd.length ? `  errors ${m.errors}, statuses ${JSON.stringify(m.statuses)}` : ''),
        );
      }
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
    if (a.soak > 0) {
      // Every scenario in turn, writes included, so a leak on any path shows in the samples.
      const mix = all.filter((s) => s.name !== 'baseline');
      const c = Math.max(...a.connections);
      const step = Math.min(60, a.soak);
      say(`  soak: ${mix.map((s) => s.name).join(', ')} in turn at c=${c} for ${a.soak} s, memory every ${step} s`);
      for (let done = 0; done < a.soak; done += step) {
        const seconds = Math.min(step, a.soak - done);
        let requests = 0;
        for (const s of mix) requests += (await measure(app.baseUrl, s, session.cookie, c, Math.max(1, Math.round(seconds / mix.length)))).requests;
        const sample: [string, number] = [`soak ${done + seconds} s (${requests} requests)`, app.rssMiB()];
        rss.push(sample);
        say(`  ${sample[0]}: RSS ${sample[1].toFixed(1)} MiB`);
      }
    }
    say();
    say(loadReport(all, results));
    say();
    say('### Memory of the app process (RSS)');
    say();
    say(table(['when', 'RSS MiB'], rss.map(([w, v]) => [w, v.toFixed(1)])));
    say();
    await app.stop();
    app = null;
    if (!a.only || a.only.includes('mail')) {
      say('## Mail (comments with mail off and on, then the queue to a local SMTP sink)');
      say();
      say(mailReport(await measureMail(a.databaseUrl, admin, marker.login, BENCH_PASSWORD, { pageTaskId: marker.pageTaskId, tasks: marker.tasks, board, graphTaskId }, a.duration)));
      say();
    }
    if (!a.keepWrites) {
      const removed = await removeWrites(admin, mark);
      say(`Removed what the load wrote: ${removed.tasks} tasks and ${removed.events} events; the seeded data is as before.`);
      say();
    }

    say('## Query plans of the list and search scenarios (slowest first)');
    say();
    const database = openPostgres(a.databaseUrl, 2);
    try {
      const user = await findUserByUsername(database.db, marker.login);
      if (!user) throw new Error(`No user ${marker.login}`);
      const tracker = new Tracker(buildTrackerConfig(BENCH_TRACKER_FILE));
      const lists = chosen.filter((s) => s.params).map((s) => ({ name: s.name, params: s.params! }));
      const plans = await explainLists(database.db, admin, tracker, user, lists);
      say(plansReport(plans, 4));
      if (a.orders) {
        say();
        say('## Every order and grouping (slowest first)');
        say();
        const all = await explainLists(database.db, admin, tracker, user, orderLists());
        say(ordersReport(all));
        say();
        say(plansReport(all.slice(0, 2), 2));
      }
    } finally {
      await database.close();
    }
    say();
    say('## Targets (2 cores, concurrency 1)');
    say();
    say(targetsReport(targets(results)));
  } finally {
    if (app) await app.stop();
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
