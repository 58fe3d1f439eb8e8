import path from 'node:path';
import { z } from 'zod';
import { placeProblem, placeWritten, readConfigFile, zodFileProblems, type ConfigFile } from './config-file';
import { checkFields, FieldsFile, repeatedFieldKeys, type FieldDef } from './fields/config';
import { buildMailConfig, MailerFileEntry, MailFileSection, type MailConfig } from './mail/config';
import { buildPoints, PointsFile, type PointsConfig } from './tasks/points';
import { buildWorkflow, checkWorkflow, WorkflowFile, type PathProblem, type WorkflowConfig } from './tasks/workflow';

/**
 * Configuration comes from the environment, plus an optional JSON file
 * (TRELLIS_CONFIG) for the structured parts: statuses, priorities, workflow rules.
 * Everything is validated at boot and every problem is listed at once, each
 * file problem with its line and column, so a misconfigured install fails
 * before it serves a single request.
 */

export const VIEW_POLICIES = ['public', 'users', 'maintainers'] as const;
export type ViewPolicy = (typeof VIEW_POLICIES)[number];

const Keyword = z.string().regex(/^(?![0-9]+$)[a-z0-9]{1,64}$/, 'must be 1-64 lowercase letters or digits, not all digits');

const StatusConfig = z.object({
  key: Keyword,
  name: z.string().min(1),
  closed: z.boolean(),
  /** Closing an unassigned task as this status assigns it to the closer. */
  claim: z.boolean().default(true),
  /** Reserved statuses exist but cannot be chosen in pickers (duplicate: reached by merging). */
  reserved: z.boolean().default(false),
});
export type StatusConfig = z.infer<typeof StatusConfig>;

const PriorityConfig = z.object({
  value: z.number().int().min(0),
  name: z.string().min(1),
  /** The short name Phabricator's maniphest.priority.search gives ("Unbreak!"); the name when not set. */
  short: z.string().min(1).optional(),
  keyword: Keyword,
  /** More keywords that name it, as Phabricator's "wishlist" beside "wish"; `keyword` stays the one Trellis writes. */
  aliases: z.array(Keyword).optional(),
  color: z.string().regex(/^[a-z]+$/),
});
export type PriorityConfig = z.infer<typeof PriorityConfig>;

export const DEFAULT_STATUSES: StatusConfig[] = [
  { key: 'open', name: 'Open', closed: false, claim: true, reserved: false },
  { key: 'resolved', name: 'Resolved', closed: true, claim: true, reserved: false },
  { key: 'wontfix', name: 'Wontfix', closed: true, claim: true, reserved: false },
  { key: 'invalid', name: 'Invalid', closed: true, claim: false, reserved: false },
  { key: 'duplicate', name: 'Duplicate', closed: true, claim: false, reserved: true },
];

/** Phabricator's defaults, short names and keywords included. */
export const DEFAULT_PRIORITIES: PriorityConfig[] = [
  { value: 100, name: 'Unbreak Now!', short: 'Unbreak!', keyword: 'unbreak', aliases: [], color: 'pink' },
  { value: 90, name: 'Needs Triage', short: 'Triage', keyword: 'triage', aliases: [], color: 'violet' },
  { value: 80, name: 'High', short: 'High', keyword: 'high', aliases: [], color: 'red' },
  { value: 50, name: 'Normal', short: 'Normal', keyword: 'normal', aliases: [], color: 'orange' },
  { value: 25, name: 'Low', short: 'Low', keyword: 'low', aliases: [], color: 'yellow' },
  { value: 0, name: 'Wishlist', short: 'Wish', keyword: 'wish', aliases: ['wishlist'], color: 'sky' },
];

const TrackerFile = z
  .object({
    statuses: z.array(StatusConfig).min(2).optional(),
    priorities: z.array(PriorityConfig).min(1).optional(),
    defaultPriority: z.number().int().optional(),
    defaultStatus: Keyword.optional(),
    defaultView: z.enum(VIEW_POLICIES).optional(),
    mailers: z.array(MailerFileEntry).optional(),
    mail: MailFileSection.optional(),
    workflow: WorkflowFile.optional(),
    points: PointsFile.optional(),
    fields: FieldsFile.optional(),
  })
  .strict();
export type TrackerFile = z.infer<typeof TrackerFile>;

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

export interface TrackerConfig {
  statuses: StatusConfig[];
  priorities: PriorityConfig[];
  defaultPriority: number;
  defaultStatus: string;
  defaultView: ViewPolicy;
  workflow: WorkflowConfig;
  points: PointsConfig;
  /** Custom fields in use, in the file's order. */
  fields: FieldDef[];
}

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

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function zodProblems(prefix: string, error: z.ZodError): string[] {
  return error.issues.map((i) => `${prefix}${i.path.join('.')}: ${i.message}`);
}

/** Without a file to point into, a problem is named by its path alone. */
const byPath = (at: (string | number)[], message: string) => `${at.join('.')}: ${message}`;

export function buildTrackerConfig(input: TrackerFile, envDefaultView?: ViewPolicy, place: (at: (string | number)[], message: string) => string = byPath): TrackerConfig {
  const statuses = input.statuses ?? DEFAULT_STATUSES;
  const priorities = [...(input.priorities ?? DEFAULT_PRIORITIES)].sort((a, b) => b.value - a.value);
  const tracker: TrackerConfig = {
    statuses,
    priorities,
    defaultPriority: input.defaultPriority ?? 90,
    defaultStatus: input.defaultStatus ?? statuses.find((s) => !s.closed)?.key ?? 'open',
    defaultView: envDefaultView ?? input.defaultView ?? 'users',
    workflow: buildWorkflow(input.workflow),
    points: buildPoints(input.points),
    fields: [],
  };
  const fields = checkFields(input.fields);
  tracker.fields = fields.fields;
  const problems: PathProblem[] = [];
  // Each repeat is placed at its second definition, in the file's order (priorities are sorted above).
  const repeats = <T>(xs: T[], key: (x: T) => (string | number)[], what: (k: string | number) => string, at: (i: number) => (string | number)[]) => {
    const seen = new Set<string | number>();
    xs.forEach((x, i) => {
      for (const k of key(x)) {
        if (seen.has(k)) problems.push({ path: at(i), message: what(k) });
        seen.add(k);
      }
    });
  };
  const filePriorities = input.priorities ?? DEFAULT_PRIORITIES;
  repeats(statuses, (s) => [s.key], (k) => `"${k}" is defined twice`, (i) => ['statuses', i, 'key']);
  repeats(filePriorities, (p) => [p.value], (v) => `${v} is defined twice`, (i) => ['priorities', i, 'value']);
  repeats(filePriorities, (p) => [p.keyword, ...(p.aliases ?? [])], (k) => `keyword "${k}" is defined twice`, (i) => ['priorities', i]);
  if (!priorities.some((p) => p.value === tracker.defaultPriority)) {
    problems.push({ path: ['defaultPriority'], message: `${tracker.defaultPriority} is not one of the priorities` });
  }
  const defaultStatus = statuses.find((s) => s.key === tracker.defaultStatus);
  if (!defaultStatus) problems.push({ path: ['defaultStatus'], message: `"${tracker.defaultStatus}" is not one of the statuses` });
  else if (defaultStatus.closed) problems.push({ path: ['defaultStatus'], message: `"${tracker.defaultStatus}" must be an open status` });
  if (!statuses.some((s) => s.closed && !s.reserved)) problems.push({ path: ['statuses'], message: 'at least one closed status is needed' });
  if (input.workflow) problems.push(...checkWorkflow(input.workflow, statuses));
  problems.push(...fields.problems);
  if (problems.length) throw new ConfigError(problems.map((p) => place(p.path, p.message)));
  return tracker;
}

/** Sections the other checks build on: with one of them misshapen, those checks would only echo it. */
const FOUNDATIONS = ['statuses', 'priorities', 'defaultPriority', 'defaultStatus'];

/**
 * The TRELLIS_CONFIG file, read and checked against its shape; its problems carry their positions.
 * A misshapen file still yields its well-shaped sections, so that what they define is checked
 * too (every problem at once), unless a section they build on is the misshapen one.
 */
export function readTrackerFile(where: string): { file: TrackerFile; source: ConfigFile | null; problems: string[] } {
  let source: ConfigFile;
  try {
    source = readConfigFile(where);
  } catch (err) {
    return { file: {}, source: null, problems: [`TRELLIS_CONFIG: cannot read ${where}: ${(err as Error).message}`] };
  }
  if (source.syntax.length) return { file: {}, source: null, problems: source.syntax };
  const result = TrackerFile.safeParse(source.value);
  const repeated = repeatedFieldKeys(source);
  if (result.success) return { file: result.data, source, problems: repeated };
  const problems = [...zodFileProblems(source, result.error), ...repeated];
  const value = source.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { file: {}, source: null, problems };
  const broken = new Set(result.error.issues.map((i) => String(i.path[0] ?? '')));
  if (broken.has('') || FOUNDATIONS.some((k) => broken.has(k))) return { file: {}, source: null, problems };
  const partial = Object.fromEntries(Object.entries(value).filter(([k]) => !broken.has(k)));
  return { file: TrackerFile.parse(partial), source, problems };
}

/**
 * Checks a TRELLIS_CONFIG file alone, as `npm run cli -- config check FILE` does:
 * every problem of its shape, then of what it defines, each with its position.
 */
export function checkTrackerFile(where: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const read = readTrackerFile(where);
  const source = read.source;
  if (!source) return read.problems;
  const problems = [...read.problems];
  try {
    buildTrackerConfig(read.file, undefined, (at, message) => placeProblem(source, at, message));
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  // Mailer passwords come from the environment: checked against this one.
  problems.push(...buildMailConfig(read.file.mailers ?? [], read.file.mail, env).problems.map((p) => placeWritten(source, p)));
  return problems;
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
    const place = source ? (at: (string | number)[], message: string) => placeProblem(source, at, message) : byPath;
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
