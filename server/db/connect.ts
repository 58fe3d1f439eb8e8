import fs from 'node:fs';
import path from 'node:path';
import knex, { Knex } from 'knex';
import pg from 'pg';
import ClientPGLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
import type { DatabaseTimeouts } from '../config';
import { DataDirLock } from './lock';

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
}

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
  /** Runs `work` on a connection without statement timeouts: for migrations, which may rewrite a big table. */
  unlimited<T>(work: (db: Db) => Promise<T>): Promise<T>;
}

/** How long past the server's statement_timeout the client gives up on a server that does not answer at all. */
const CLIENT_GRACE_MS = 1000;

/** knex-pg's connection settings: the server bounds each statement; the client bounds connecting and hearing back. */
function pgConnection(url: string, t: DatabaseTimeouts): Knex.PgConnectionConfig {
  const statements = t.statementMs > 0 && {
    statement_timeout: t.statementMs,
    // A process that stops mid-transaction must not hold its row locks for longer than a statement may run.
    idle_in_transaction_session_timeout: t.statementMs,
    query_timeout: t.statementMs + CLIENT_GRACE_MS,
  };
  return { connectionString: url, connectionTimeoutMillis: t.connectMs, keepAlive: true, ...statements };
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

export function openPostgres(url: string, poolMax = 10, timeouts: DatabaseTimeouts | null = null): Database {
  const db = knex({
    client: 'pg',
    log: { warn: (message: unknown) => void (OUTAGE_NOTE.test(String(message)) || console.warn(message)) },
    connection: timeouts ? pgConnection(url, timeouts) : url,
    pool: { min: 0, max: poolMax, validate: readyForQuery },
    ...(timeouts ? { acquireConnectionTimeout: timeouts.acquireMs } : {}),
  });
  return {
    db,
    kind: 'postgres',
    close: () => db.destroy(),
    async unlimited(work) {
      if (!timeouts) return work(db);
      // Still bounded in reaching the server, only not in how long a statement runs.
      const own = openPostgres(url, 1, { ...timeouts, statementMs: 0 });
      try {
        return await work(own.db);
      } finally {
        await own.close();
      }
    },
  };
}

export function openPglite(pglite: PGlite, onClose?: () => void): Database {
  const db = knex({ client: ClientPGLite, connection: () => ({ pglite }) } as Knex.Config);
  return {
    db,
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
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolMax, opts.timeouts ?? null);
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
