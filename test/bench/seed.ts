import pg from 'pg';
import { hashPassword } from '../../server/users/passwords';
import { openPostgres } from '../../server/db/connect';
import { migrateLatest } from '../../server/db/migrate';
import { dropDeferred, readDeferrable, rebuildDeferred } from './constraints';
import { completeMarker, createMarker } from './database';
import {
  eventsTempSql,
  planSql,
  population,
  SUBSCRIBERS_INSERT_SQL,
  TASKS_INSERT_SQL,
  EVENTS_INSERT_SQL,
  usersSql,
} from './seed-sql';

export const BENCH_PASSWORD = 'bench-password-1';

/** The seeded tables, biggest last in the list of what a batch writes. */
const LOADED = ['tasks', 'task_events', 'task_subscribers'] as const;
const WORKERS = 2;

export interface SeedOptions {
  url: string;
  tasks: number;
  events: number;
  people: number;
  log: (line: string) => void;
}

export interface TableTiming {
  table: string;
  rows: number;
  /** Seconds of INSERT statements, summed over the workers that ran in parallel. */
  insert: number;
  /** Seconds building its keys, indexes and foreign keys, summed over the workers. */
  indexes: number;
  vacuum: number;
}

export interface SeedResult {
  tables: TableTiming[];
  /** Seconds drawing the plan and writing titles, descriptions and comments (temporary tables), summed over the workers. */
  generate: number;
  /** Wall-clock seconds of each phase and in all. */
  phases: { name: string; seconds: number }[];
  total: number;
  login: string;
  pageTaskId: number;
}

const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9;

/**
 * Starts the connection's random() at a point fixed by `part` (the first task id of a batch, 0 for
 * the people), so that every seed of a size draws the same people, tasks, words and events whichever
 * connection writes a batch. Only the events' group ids (UUIDs) differ, and times, due dates among
 * them, follow the day of the seed. The full-text query a run picks, and what it costs, are then the
 * same on every machine and every reseed.
 */
function drawFrom(c: pg.Client, part: number, total: number): Promise<unknown> {
  return c.query('SELECT setseed($1)', [part / (total + 1)]);
}

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  // A lost seed is simply run again, so durability per commit buys nothing here.
  await c.query(`SET synchronous_commit = off`);
  await c.query(`SET work_mem = '256MB'`);
  // The generators' row estimates are wild guesses; JIT would spend seconds compiling each batch's statements.
  await c.query(`SET jit = off`);
  await c.query(`SET maintenance_work_mem = '1GB'`);
  return c;
}

/**
 * Seeds an empty, migrated database: people, then tasks with their events and
 * subscribers in batches over two connections, then the indexes, then VACUUM
 * ANALYZE so the planner and index-only scans see the real table.
 */
export async function seed(o: SeedOptions): Promise<SeedResult> {
  const started = process.hrtime.bigint();
  const phases: SeedResult['phases'] = [];
  const timing = new Map<string, TableTiming>();
  const table = (name: string) => {
    let t = timing.get(name);
    if (!t) timing.set(name, (t = { table: name, rows: 0, insert: 0, indexes: 0, vacuum: 0 }));
    return t;
  };

  let phase = process.hrtime.bigint();
  const database = openPostgres(o.url, 2);
  try {
    await migrateLatest(database.db);
  } finally {
    await database.close();
  }
  phases.push({ name: 'migrations', seconds: seconds(phase) });

  const clients: pg.Client[] = [];
  for (let i = 0; i < WORKERS; i++) clients.push(await connect(o.url));
  const [main] = clients as [pg.Client];
  let generated = 0;
  try {
    const pop = population(o.people);
    const pageTaskId = Math.max(1, Math.ceil(o.tasks * 0.9));
    phase = process.hrtime.bigint();
    const hash = await hashPassword(BENCH_PASSWORD);
    await drawFrom(main, 0, o.tasks);
    const users = await main.query(usersSql(pop), [hash]);
    await main.query(`SELECT setval(pg_get_serial_sequence('users', 'id'), $1)`, [o.people]);
    const login = (await main.query(`SELECT username FROM users WHERE id = 1`)).rows[0].username as string;
    Object.assign(table('users'), { rows: users.rowCount ?? 0, insert: seconds(phase) });
    phases.push({ name: 'people (one argon2 hash, shared)', seconds: seconds(phase) });
    await createMarker(main, { tasks: o.tasks, events: o.events, people: o.people, login, pageTaskId });

    phase = process.hrtime.bigint();
    const deferred = await readDeferrable(main, [...LOADED]);
    await dropDeferred(main, deferred);
    phases.push({ name: 'drop indexes and foreign keys', seconds: seconds(phase) });

    phase = process.hrtime.bigint();
    const batch = Math.max(500, Math.min(20000, Math.ceil(o.tasks / (WORKERS * 4))));
    const ranges: [number, number][] = [];
    for (let lo = 1; lo <= o.tasks; lo += batch) ranges.push([lo, Math.min(o.tasks, lo + batch - 1)]);
    const total = ranges.length;
    const plan = planSql({ total: o.tasks, eventsPerTask: o.events, pop, pageTaskId });
    const events = eventsTempSql(pop);
    let finished = 0;
    let generate = 0;
    await Promise.all(
      clients.map(async (c) => {
        for (let r = ranges.shift(); r; r = ranges.shift()) {
          await c.query('BEGIN');
          await drawFrom(c, r[0], o.tasks);
          const drawn = process.hrtime.bigint();
          await c.query(plan, r);
          await c.query(events);
          generate += seconds(drawn);
          for (const [name, sql] of [
            ['task_events', EVENTS_INSERT_SQL],
            ['tasks', TASKS_INSERT_SQL],
            ['task_subscribers', SUBSCRIBERS_INSERT_SQL],
          ] as const) {
            const t = process.hrtime.bigint();
            const inserted = await c.query(sql);
            table(name).rows += inserted.rowCount ?? 0;
            table(name).insert += seconds(t);
          }
          await c.query('COMMIT');
          finished++;
          if (finished % Math.max(1, Math.floor(total / 10)) === 0 || finished === total) {
            o.log(`  batch ${finished}/${total}: ${table('tasks').rows} tasks, ${table('task_events').rows} events, ${seconds(phase).toFixed(0)} s`);
          }
        }
      }),
    );
    await main.query(`SELECT setval(pg_get_serial_sequence('tasks', 'id'), $1)`, [o.tasks]);
    phases.push({ name: `tasks, events, subscribers (batches of ${batch}, ${WORKERS} connections)`, seconds: seconds(phase) });
    generated = generate;

    phase = process.hrtime.bigint();
    const sizes = new Map([...timing.values()].map((t) => [t.table, t.rows]));
    await rebuildDeferred(clients, deferred, (name) => sizes.get(name) ?? 0, (d, s) => {
      table(d.table).indexes += s;
    });
    phases.push({ name: 'keys, indexes, foreign keys', seconds: seconds(phase) });

    phase = process.hrtime.bigint();
    const vacuum = ['task_events', 'tasks', 'task_subscribers', 'users'];
    await Promise.all(
      clients.map(async (c) => {
        for (let name = vacuum.shift(); name; name = vacuum.shift()) {
          const t = process.hrtime.bigint();
          await c.query(`VACUUM (ANALYZE) ${name}`);
          table(name).vacuum += seconds(t);
        }
      }),
    );
    phases.push({ name: 'VACUUM (ANALYZE)', seconds: seconds(phase) });

    const result: SeedResult = {
      generate: generated,
      tables: ['users', ...LOADED].map((n) => table(n)),
      phases,
      total: seconds(started),
      login,
      pageTaskId,
    };
    await completeMarker(main, result);
    return result;
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}
