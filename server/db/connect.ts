import fs from 'node:fs';
import path from 'node:path';
import knex, { Knex } from 'knex';
import pg from 'pg';
import ClientPGLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import type { DatabaseTimeouts } from '../config';
import { trackDatabase } from './after-commit';
import { DataDirLock } from './lock';
import { NamingPgClient } from './pg-client';
import { nameStatements } from './prepared';

export type Db = Knex;

// COUNT(*) and friends are int8; every int8 we read fits a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface OpenOptions {
  databaseUrl: string | null;
  dataDir: string;
  /** An already opened PGlite (tests load one from a migrated dump). */
  pglite?: PGlite;
  poolMax?: number;
  /** Limits on waiting for PostgreSQL; none when left out. */
  timeouts?: DatabaseTimeouts;
  /** How Trellis reaches PostgreSQL beyond DATABASE_URL: a pooler, a direct connection, a replica. */
  topology?: Topology;
}

export interface Topology {
  /** `pgbouncer`: databaseUrl is a pooler in transaction mode, which refuses per-connection settings at connect time. */
  pooler: 'none' | 'pgbouncer';
  /** The primary without the pooler in between, for migrations (and LISTEN, opened by the live hub). */
  directUrl: string | null;
  /** A read replica for list and search reads. */
  replicaUrl: string | null;
}

export interface Database {
  db: Db;
  /** Where list and search reads may go: a replica's pool when one is configured, else `db` itself. */
  reads: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
  /** Runs `work` on a connection without statement timeouts: for migrations, which may rewrite a big table. */
  unlimited<T>(work: (db: Db) => Promise<T>): Promise<T>;
}

/** How long past the server's statement_timeout the client gives up on a server that does not answer at all. */
const CLIENT_GRACE_MS = 1000;

/** What Trellis's connections are called in pg_stat_activity, unless DATABASE_URL names them (`?application_name=`). */
const APPLICATION_NAME = 'trellis';

/**
 * knex-pg's connection settings: the server bounds each statement; the client bounds connecting and hearing back.
 * Through PgBouncer the server's limits can not travel with the connection (it refuses them as startup
 * parameters, and a SET would stay behind on a server connection that other clients then get): they are
 * the role's own settings there (see the README), and only the client's limit is set here.
 */
function pgConnection(url: string, t: DatabaseTimeouts, pooled: boolean): Knex.PgConnectionConfig {
  const server = t.statementMs > 0 &&
    !pooled && {
      statement_timeout: t.statementMs,
      // A process that stops mid-transaction must not hold its row locks for longer than a statement may run.
      idle_in_transaction_session_timeout: t.statementMs,
    };
  const client = t.statementMs > 0 && { query_timeout: t.statementMs + CLIENT_GRACE_MS };
  // Named, so that pg_stat_activity (and the bench's check for other clients) tells Trellis's connections apart.
  return { connectionString: url, application_name: APPLICATION_NAME, connectionTimeoutMillis: t.connectMs, keepAlive: true, ...server, ...client };
}

/**
 * A pooled connection is taken from the pool only when it is ready for a
 * query. One whose last query the client gave up on still waits for that
 * answer; handed out again, it would queue the next query behind it. knex
 * destroys it instead, and opens a fresh one.
 */
const readyForQuery = (connection: { readyForQuery?: boolean }) => connection.readyForQuery === true;

/** knex's own notes on lost connections: the app reports each outage where it answers a request, as JSON. */
const OUTAGE_NOTE = /^(Connection Error|Acquire connection error):/;

function pgPool(connection: Knex.PgConnectionConfig | string, poolMax: number, timeouts: DatabaseTimeouts | null): Db {
  const db = knex({
    client: NamingPgClient,
    log: { warn: (message: unknown) => void (OUTAGE_NOTE.test(String(message)) || console.warn(message)) },
    connection,
    pool: { min: 0, max: poolMax, validate: readyForQuery },
    ...(timeouts ? { acquireConnectionTimeout: timeouts.acquireMs } : {}),
  });
  trackDatabase(db);
  return db;
}

const NO_TOPOLOGY: Topology = { pooler: 'none', directUrl: null, replicaUrl: null };

export function openPostgres(url: string, poolMax = 10, timeouts: DatabaseTimeouts | null = null, topology: Topology = NO_TOPOLOGY): Database {
  const pooled = topology.pooler === 'pgbouncer';
  nameStatements(!pooled);
  const connect = (to: string) => (timeouts ? pgConnection(to, timeouts, pooled) : to);
  const db = pgPool(connect(url), poolMax, timeouts);
  // The replica is reached directly or through a pooler of its own, configured alike.
  const reads = topology.replicaUrl ? pgPool(connect(topology.replicaUrl), poolMax, timeouts) : db;
  return {
    db,
    reads,
    kind: 'postgres',
    close: async () => {
      await Promise.all([db.destroy(), reads === db ? undefined : reads.destroy()]);
    },
    async unlimited(work) {
      if (!timeouts) return work(db);
      // Still bounded in reaching the server, only not in how long a statement runs; past a pooler when a direct address is given.
      const direct = topology.directUrl;
      const own = pgPool(
        {
          ...pgConnection(direct ?? url, { ...timeouts, statementMs: 0 }, pooled),
          // Directly connected, the role's own limits (which a pooled install sets) are lifted for the migration.
          ...(direct && pooled ? { options: '-c statement_timeout=0 -c idle_in_transaction_session_timeout=0' } : {}),
        },
        1,
        timeouts,
      );
      try {
        return await work(own);
      } finally {
        await own.destroy();
      }
    },
  };
}

export function openPglite(pglite: PGlite, onClose?: () => void): Database {
  const db = knex({ client: ClientPGLite, connection: () => ({ pglite }) } as Knex.Config);
  trackDatabase(db);
  return {
    db,
    reads: db,
    kind: 'pglite',
    async close() {
      await db.destroy();
      if (!pglite.closed) await pglite.close();
      onClose?.();
    },
    unlimited: (work) => work(db),
  };
}

/**
 * Opens the configured database. The embedded folder is locked first:
 * PGlite has no lock of its own and two processes on one folder corrupt it.
 */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.pglite) return openPglite(opts.pglite);
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolMax, opts.timeouts ?? null, opts.topology);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const lock = DataDirLock.acquire(opts.dataDir);
  try {
    const pglite = new PGlite(path.join(opts.dataDir, 'pgdata'));
    await pglite.waitReady;
    return openPglite(pglite, () => lock.release());
  } catch (err) {
    lock.release();
    throw err;
  }
}
