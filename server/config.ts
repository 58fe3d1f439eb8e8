import path from 'node:path';
import { z } from 'zod';
import { placeProblem, placeWritten, type ConfigFile } from './config-file';
import { buildMailConfig, type MailConfig } from './mail/config';
import { buildTrackerConfig, readTrackerFile, VIEW_POLICIES, type TrackerConfig, type TrackerFile } from './tracker-config';
import { ConfigError } from './config-error';

/**
 * Configuration comes from the environment, plus an optional JSON file
 * (TRELLIS_CONFIG) for the structured parts: statuses, priorities, workflow rules.
 * Everything is validated at boot and every problem is listed at once, each
 * file problem with its line and column, so a misconfigured install fails
 * before it serves a single request.
 */

// Digits only: coercion alone would read a blank PORT as 0, a random port.
const Port = z
  .string()
  .trim()
  .regex(/^[0-9]+$/, 'must be a port number, 0-65535')
  .transform(Number)
  .pipe(z.number().int().max(65535));

/** A database timeout in milliseconds, from 100 ms to an hour. */
const Millis = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^[0-9]+$/, 'must be a whole number of milliseconds')
    .transform(Number)
    .pipe(z.number().int().min(100, 'must be at least 100 (milliseconds)').max(3600000, 'must be at most 3600000 (an hour)'))
    .default(fallback);

const Env = z.object({
  PORT: Port.default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  TRELLIS_CONFIG: z.string().min(1).optional(),
  DEFAULT_VIEW: z.enum(VIEW_POLICIES).optional(),
  TIMEZONE: z.string().min(1).default('UTC'),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  LOG_REQUESTS: z.enum(['true', 'false']).default('true'),
  SESSION_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  API_RATE_LIMIT: z
    .string()
    .trim()
    .regex(/^[0-9]+$/, 'must be a whole number of requests per minute, 1 or more')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be 1 or more').max(1000000, 'must be at most 1000000'))
    .default(600),
  MAX_FILE_MB: z
    .string()
    .trim()
    .regex(/^[0-9]+$/, 'must be a whole number of megabytes, 1 or more')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be 1 or more').max(1000, 'must be at most 1000'))
    .default(10),
  PAGE_CACHE_MB: z
    .string()
    .trim()
    .regex(/^[0-9]+$/, 'must be a whole number of megabytes, 0 to turn the kept pages off')
    .transform(Number)
    .pipe(z.number().int().max(4096, 'must be at most 4096'))
    .default(64),
  REQUIRE_MFA: z.enum(['true', 'false']).default('false'),
  MFA_KEY: z.string().min(32, 'must be at least 32 characters (e.g. `openssl rand -hex 32`)').optional(),
  BASE_URL: z
    .string()
    .regex(/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/, 'must be an http:// or https:// address without a query')
    .optional(),
  DATABASE_CONNECT_TIMEOUT_MS: Millis(5000),
  DATABASE_STATEMENT_TIMEOUT_MS: Millis(30000),
  DATABASE_ACQUIRE_TIMEOUT_MS: Millis(10000),
  DATABASE_REPLICA_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATABASE_REPLICA_STICKY_SECONDS: z
    .string()
    .trim()
    .regex(/^[0-9]+$/, 'must be a whole number of seconds')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be 1 or more').max(3600, 'must be at most 3600 (an hour)'))
    .default(10),
  DATABASE_DIRECT_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  DATABASE_POOLER: z.enum(['none', 'pgbouncer']).default('none'),
  WEB_CONCURRENCY: z
    .string()
    .trim()
    .regex(/^[0-9]+$/, 'must be a whole number of app processes, 1 or more')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be 1 or more').max(64, 'must be at most 64'))
    .default(1),
});

export interface Config {
  port: number;
  host: string;
  /** Absolute path of the embedded database folder; unused when databaseUrl is set. */
  dataDir: string;
  databaseUrl: string | null;
  timezone: string;
  trustProxy: boolean;
  logRequests: boolean;
  sessionDays: number;
  /** Conduit API requests each token may make per minute. */
  apiRateLimit: number;
  /** The largest file an upload may store, in bytes. */
  maxFileBytes: number;
  /** Rendered lists and task pages kept in each process between writes to the tracker, in bytes at most; 0 keeps none. */
  pageCacheBytes: number;
  /** The address people reach Trellis at, for links in mail; no trailing slash. */
  baseUrl: string;
  mail: MailConfig;
  tracker: TrackerConfig;
  /** Everyone must enrol a second factor before using Trellis. */
  requireMfa: boolean;
  /** Encrypts TOTP secrets at rest; without it a key generated once is kept in the database. */
  mfaKey: string | null;
  /** How long to wait on PostgreSQL before answering 503 (the embedded database has no network to wait on). */
  database: DatabaseTimeouts;
  /** A read replica for list and search reads; null: every read goes to DATABASE_URL. */
  replicaUrl: string | null;
  /** After a write, the writer's list and search reads go to the primary for this long. */
  replicaStickySeconds: number;
  /** A connection to the primary that bypasses a pooler: for LISTEN and for migrations; null: DATABASE_URL. */
  directUrl: string | null;
  /** `pgbouncer`: DATABASE_URL is a pooler in transaction mode, which refuses per-connection settings at connect time. */
  pooler: 'none' | 'pgbouncer';
  /** App processes serving the port; more than one needs a PostgreSQL server. */
  webConcurrency: number;
}

export interface DatabaseTimeouts {
  /** To open a connection. */
  connectMs: number;
  /** For one statement (PostgreSQL's statement_timeout; also a client-side limit, for a server that does not answer at all); 0 for none, as migrations run. */
  statementMs: number;
  /** For a connection from the pool, opening one included. */
  acquireMs: number;
}

function zodProblems(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `${prefix}${i.path.join('.')}: ${i.message}`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Readonly<Config> {
  const problems: string[] = [];
  const parsed = Env.safeParse(env);
  if (!parsed.success) problems.push(...zodProblems('', parsed.error));

  let file: TrackerFile = {};
  let source: ConfigFile | null = null;
  if (env.TRELLIS_CONFIG) {
    const read = readTrackerFile(path.resolve(cwd, env.TRELLIS_CONFIG));
    ({ file, source } = read);
    problems.push(...read.problems);
  }

  let tracker: TrackerConfig | undefined;
  try {
    const place = source ? (at: (string | number)[], message: string) => placeProblem(source, at, message) : undefined;
    tracker = buildTrackerConfig(file, parsed.success ? parsed.data.DEFAULT_VIEW : undefined, place);
  } catch (err) {
    if (err instanceof ConfigError) problems.push(...err.problems);
    else throw err;
  }

  // Checked even when other variables are wrong, so every problem is listed at once.
  const timezone = parsed.success ? parsed.data.TIMEZONE : env.TIMEZONE;
  if (timezone) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      problems.push(`TIMEZONE: "${timezone}" is not a known time zone`);
    }
  }

  const mail = buildMailConfig(file.mailers ?? [], file.mail, env);
  problems.push(...mail.problems.map((p) => (source ? placeWritten(source, p) : `TRELLIS_CONFIG ${p}`)));

  if (parsed.success && !parsed.data.DATABASE_URL) {
    const e = parsed.data;
    if (e.WEB_CONCURRENCY > 1) {
      problems.push(`WEB_CONCURRENCY: ${e.WEB_CONCURRENCY} app processes need a PostgreSQL server (DATABASE_URL); the embedded database in DATA_DIR opens in one process only. Set WEB_CONCURRENCY=1, or set DATABASE_URL.`);
    }
    for (const key of ['DATABASE_REPLICA_URL', 'DATABASE_DIRECT_URL'] as const) if (e[key]) problems.push(`${key}: needs DATABASE_URL; the embedded database has no replicas or poolers.`);
    if (e.DATABASE_POOLER !== 'none') problems.push('DATABASE_POOLER: needs DATABASE_URL; the embedded database has no pooler.');
  }

  if (problems.length || !parsed.success || !tracker) throw new ConfigError(problems);
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(cwd, e.DATA_DIR),
    databaseUrl: e.DATABASE_URL ?? null,
    timezone: e.TIMEZONE,
    trustProxy: e.TRUST_PROXY === 'true',
    logRequests: e.LOG_REQUESTS === 'true',
    sessionDays: e.SESSION_DAYS,
    apiRateLimit: e.API_RATE_LIMIT,
    maxFileBytes: e.MAX_FILE_MB * 1024 * 1024,
    pageCacheBytes: e.PAGE_CACHE_MB * 1024 * 1024,
    baseUrl: (e.BASE_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    mail: mail.config,
    tracker,
    database: { connectMs: e.DATABASE_CONNECT_TIMEOUT_MS, statementMs: e.DATABASE_STATEMENT_TIMEOUT_MS, acquireMs: e.DATABASE_ACQUIRE_TIMEOUT_MS },
    requireMfa: e.REQUIRE_MFA === 'true',
    mfaKey: e.MFA_KEY ?? null,
    replicaUrl: e.DATABASE_REPLICA_URL ?? null,
    replicaStickySeconds: e.DATABASE_REPLICA_STICKY_SECONDS,
    directUrl: e.DATABASE_DIRECT_URL ?? null,
    pooler: e.DATABASE_POOLER,
    webConcurrency: e.WEB_CONCURRENCY,
  });
}
