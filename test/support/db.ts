import fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { openPglite, openPostgres, type Database } from '../../server/db/connect';
import { adminQuery, databaseUrl } from './targets';

let counter = 0;

export const onPostgres = () => process.env.TRELLIS_TEST_TARGET === 'postgres';

/** A fresh, migrated database of the run's target, for one test file (or one test). */
export async function freshDatabase(): Promise<Database> {
  if (onPostgres()) {
    const admin = process.env.TRELLIS_TEST_ADMIN_URL!;
    const name = `trellis_test_${process.env.TRELLIS_TEST_RUN}_w${process.env.JEST_WORKER_ID ?? 0}_${++counter}`;
    await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${process.env.TRELLIS_TEST_TEMPLATE}`, admin);
    const database = openPostgres(databaseUrl(name, admin), 20);
    return {
      ...database,
      async close() {
        await database.close();
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, admin);
      },
    };
  }
  const dump = fs.readFileSync(process.env.TRELLIS_TEST_DUMP!);
  const pglite = new PGlite({ loadDataDir: new Blob([dump]) });
  await pglite.waitReady;
  return openPglite(pglite);
}
