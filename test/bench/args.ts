/** The benchmark's command line: `npm run bench -- --tasks 20000 --duration 5`. */

export const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/trellis_bench';

export interface BenchArgs {
  databaseUrl: string;
  tasks: number;
  /** Events per task on average, comments included. */
  events: number;
  people: number;
  /** Seconds of load per scenario and concurrency. */
  duration: number;
  /** Stretches each measured run is cut into, taken in turn with the floor's. */
  slices: number;
  /**
   * Seconds of unmeasured load before a scenario's first run, at its highest concurrency: a freshly
   * started process compiles its hot code for the first thousand or so requests of a page.
   */
  warmup: number;
  connections: number[];
  /**
   * App processes (WEB_CONCURRENCY) to measure: the run with the first, then every scenario again at the
   * highest concurrency with each of the others.
   */
  processes: number[];
  /** PAGE_CACHE_MB for the app: 0 renders every list and task page afresh, as before pages were kept. */
  pageCacheMb: number;
  /**
   * Comments a second sent beside every measured run of a page or list (not the floor's, nor the
   * writes'), so kept pages are rendered afresh after each: 0 reads a tracker no one writes to.
   */
  writesPerSecond: number;
  only: string[] | null;
  fresh: boolean;
  skipSeed: boolean;
  /** Seed (or check the seed), then stop: for preparing a big database ahead of the runs. */
  seedOnly: boolean;
  /** No load: only the plans of every scenario's statements, with statistics and without, and of the lists. */
  plansOnly: boolean;
  /** Leave the tasks and comments the load wrote; by default they are removed so reruns start alike. */
  keepWrites: boolean;
  /** Measure even with other clients on the bench database (their work competes with the app's). */
  allowOtherClients: boolean;
  /** EXPLAIN every order and grouping, not only the scenarios' lists. */
  orders: boolean;
  /** Seconds of one extra run of the open-tasks list at the highest concurrency, sampling the app's memory. */
  soak: number;
  /** Where to write the run's figures as JSON. */
  json: string | null;
  /** Two JSON files of earlier runs to set side by side; nothing is run. */
  compare: [string, string] | null;
  help: boolean;
}

export const USAGE = `npm run bench -- [flags]

  --tasks N          tasks to seed (default 1000000)
  --events N         events per task on average, comments included (default 10)
  --people N         accounts to seed (default 1000)
  --duration S       seconds of load per scenario and concurrency (default 10)
  --slices N         each run in N slices taken in turn with the floor's, so both are measured over the
                     same minutes of a machine whose speed moves (default 4; 1 runs the floor, then the scenario)
  --warmup S         seconds of unmeasured load before each scenario, at its highest concurrency (default 10)
  --connections L    concurrencies, comma-separated (default 1,10,16)
  --processes L      app processes (WEB_CONCURRENCY): the run with the first, then each scenario again at
                     the highest concurrency with each of the others, e.g. 1,2 (default WEB_CONCURRENCY or 1)
  --page-cache-mb N  rendered pages the app keeps between writes (PAGE_CACHE_MB; default PAGE_CACHE_MB or 64);
                     0 renders every list and task page afresh
  --writes-per-second N
                     comments a second sent beside every measured run of a page or list, so kept pages are
                     rendered afresh after each, as on a tracker in use (default 0)
  --only L           scenarios to run, comma-separated (default all; see the list printed at start)
  --fresh            drop the bench database and seed it again
  --skip-seed        reuse the seeded database whatever its size
  --seed-only        seed the database (or check it is seeded) and stop
  --plans-only       no load: only EXPLAIN every scenario's statements (with statistics and without) and the lists
  --keep-writes      keep the tasks and comments written by the load (default: removed afterwards)
  --allow-other-clients
                     measure even when other clients are connected to the bench database (refused by default)
  --soak S           after the scenarios, S more seconds of every scenario in turn, memory sampled (default 0)
  --orders           also EXPLAIN every order and grouping, of all tasks and of open ones
  --json FILE        also write the run's figures, machine, commit and data size to FILE as JSON
  --compare A B      print two such files side by side (req/s and ratio to the floor) and stop

  BENCH_DATABASE_URL  the PostgreSQL database to use (default ${DEFAULT_URL});
                      created if missing. Only 127.0.0.1 / localhost servers are accepted.`;

export class ArgsError extends Error {}

function count(flag: string, raw: string | undefined, min: number, max: number): number {
  if (raw === undefined || !/^[0-9]+$/.test(raw)) throw new ArgsError(`${flag} needs a whole number.`);
  const n = Number(raw);
  if (n < min || n > max) throw new ArgsError(`${flag} must be from ${min} to ${max}.`);
  return n;
}

function list(flag: string, raw: string | undefined): string[] {
  const items = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!items.length) throw new ArgsError(`${flag} needs a comma-separated list.`);
  return items;
}

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): BenchArgs {
  const args: BenchArgs = {
    databaseUrl: env.BENCH_DATABASE_URL || DEFAULT_URL,
    tasks: 1_000_000,
    events: 10,
    people: 1000,
    duration: 10,
    slices: 4,
    warmup: 10,
    connections: [1, 10, 16],
    processes: [env.WEB_CONCURRENCY ? count('WEB_CONCURRENCY', env.WEB_CONCURRENCY, 1, 16) : 1],
    pageCacheMb: env.PAGE_CACHE_MB ? count('PAGE_CACHE_MB', env.PAGE_CACHE_MB, 0, 4096) : 64,
    writesPerSecond: 0,
    only: null,
    fresh: false,
    skipSeed: false,
    seedOnly: false,
    plansOnly: false,
    keepWrites: false,
    allowOtherClients: false,
    orders: false,
    soak: 0,
    json: null,
    compare: null,
    help: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => argv[++i];
    switch (flag) {
      case '--tasks':
        args.tasks = count(flag, value(), 100, 20_000_000);
        break;
      case '--events':
        args.events = count(flag, value(), 4, 100);
        break;
      case '--people':
        args.people = count(flag, value(), 20, 1_000_000);
        break;
      case '--duration':
        args.duration = count(flag, value(), 1, 3600);
        break;
      case '--slices':
        args.slices = count(flag, value(), 1, 100);
        break;
      case '--warmup':
        args.warmup = count(flag, value(), 0, 600);
        break;
      case '--page-cache-mb':
        args.pageCacheMb = count(flag, value(), 0, 4096);
        break;
      case '--writes-per-second':
        args.writesPerSecond = count(flag, value(), 0, 200);
        break;
      case '--connections':
        args.connections = list(flag, value()).map((c) => count(flag, c, 1, 256));
        break;
      case '--processes':
        args.processes = list(flag, value()).map((n) => count(flag, n, 1, 16));
        if (new Set(args.processes).size !== args.processes.length) throw new ArgsError('--processes lists each number once.');
        break;
      case '--only':
        args.only = list(flag, value());
        break;
      case '--fresh':
        args.fresh = true;
        break;
      case '--skip-seed':
        args.skipSeed = true;
        break;
      case '--seed-only':
        args.seedOnly = true;
        break;
      case '--plans-only':
        args.plansOnly = true;
        break;
      case '--keep-writes':
        args.keepWrites = true;
        break;
      case '--allow-other-clients':
        args.allowOtherClients = true;
        break;
      case '--orders':
        args.orders = true;
        break;
      case '--soak':
        args.soak = count(flag, value(), 0, 24 * 3600);
        break;
      case '--json': {
        const file = value();
        if (!file || file.startsWith('--')) throw new ArgsError('--json needs a file name.');
        args.json = file;
        break;
      }
      case '--compare': {
        const a = value();
        const b = value();
        if (!a || !b || a.startsWith('--') || b.startsWith('--')) throw new ArgsError('--compare needs two JSON files written by --json.');
        args.compare = [a, b];
        break;
      }
      case '--help':
      case '-h':
        args.help = true;
        break;
      default:
        throw new ArgsError(`Unknown flag ${flag}.`);
    }
  }
  if (args.fresh && args.skipSeed) throw new ArgsError('--fresh and --skip-seed contradict each other.');
  const host = new URL(args.databaseUrl).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) {
    throw new ArgsError(`BENCH_DATABASE_URL must name a server on this machine (127.0.0.1), not ${host}.`);
  }
  return args;
}
