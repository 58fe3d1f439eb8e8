import fs from 'node:fs';
import path from 'node:path';
import knex, { Knex } from 'knex';
import pg from 'pg';
import ClientPGLite from 'knex-pglite';
import { PGlite } from '@electric-sql/pglite';
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
}

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  close(): Promise<void>;
}

export function openPostgres(url: string, poolMax = 10): Database {
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: poolMax } });
  return { db, kind: 'postgres', close: () => db.destroy() };
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
  };
}

/**
 * Opens the configured database. The embedded folder is locked first:
 * PGlite has no lock of its own and two processes on one folder corrupt it.
 */
export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.pglite) return openPglite(opts.pglite);
  if (opts.databaseUrl) return openPostgres(opts.databaseUrl, opts.poolMax);
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
