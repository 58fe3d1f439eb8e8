import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { openPglite, openPostgres, type Database } from '../../server/db/connect';
import { adminQuery, databaseUrl } from './targets';

let counter = 0;

export const onPostgres = () => process.env.TRELLIS_TEST_TARGET === 'postgres';

/**
 * A fresh, migrated PostgreSQL database (on a run against PostgreSQL only): its address, for a test
 * that connects as a tool outside the app would, and how to drop it.
 */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.TRELLIS_TEST_ADMIN_URL!;
  const name = `trellis_test_${process.env.TRELLIS_TEST_RUN}_w${process.env.JEST_WORKER_ID ?? 0}_${++counter}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${process.env.TRELLIS_TEST_TEMPLATE}`, admin);
  return { url: databaseUrl(name, admin), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, admin) };
}

/** A fresh, migrated database of the run's target, for one test file (or one test). */
export async function freshDatabase(): Promise<Database> {
  if (onPostgres()) {
    const fresh = await freshPostgresDatabase();
    const database = openPostgres(fresh.url, 20);
    return {
      ...database,
      async close() {
        await database.close();
        await fresh.drop();
      },
    };
  }
  const dump = fs.readFileSync(process.env.TRELLIS_TEST_DUMP!);
  const pglite = new PGlite({ loadDataDir: new Blob([dump]) });
  await pglite.waitReady;
  return openPglite(pglite);
}
