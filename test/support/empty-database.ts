import { PGlite } from '@electric-sql/pglite';
import { openPglite, openPostgres, type Database } from '../../server/db/connect';
import { onPostgres } from './db';
import { adminQuery, databaseUrl } from './targets';

let counter = 0;

/**
 * A new PostgreSQL database with no tables at all, for tests that run the
 * migrations themselves or hand the URL to a child process. Only on the
 * postgres target; on PGlite such tests use an in-memory PGlite or a data folder.
 */
export async function emptyPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = process.env.TRELLIS_TEST_ADMIN_URL!;
  const name = `trellis_test_${process.env.TRELLIS_TEST_RUN}_w${process.env.JEST_WORKER_ID ?? 0}_empty${++counter}`;
  await adminQuery(`CREATE DATABASE ${name}`, admin);
  return {
    url: databaseUrl(name, admin),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, admin),
  };
}

/** An unmigrated database of the run's target, opened in this process. */
export async function emptyDatabase(): Promise<Database> {
  if (onPostgres()) {
    const { url, drop } = await emptyPostgresDatabase();
    const database = openPostgres(url, 5);
    return {
      ...database,
      async close() {
        await database.close();
        await drop();
      },
    };
  }
  const pglite = new PGlite();
  await pglite.waitReady;
  return openPglite(pglite);
}
