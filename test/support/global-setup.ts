import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { openPglite, openPostgres } from '../../server/db/connect';
import { migrateLatest } from '../../server/db/migrate';
import { ADMIN_URL, adminQuery, databaseUrl, postgresReachable } from './targets';

/**
 * Migrates one template database per run. On PostgreSQL each test file then
 * clones it (CREATE DATABASE … TEMPLATE); on PGlite each file loads a dump of it.
 */
export default async function globalSetup(): Promise<void> {
  const run = `${process.pid}_${Date.now().toString(36)}`;
  process.env.TRELLIS_TEST_RUN = run;
  if (await postgresReachable()) {
    const template = `trellis_test_${run}_tpl`;
    await adminQuery(`CREATE DATABASE ${template}`);
    const database = openPostgres(databaseUrl(template), 1);
    try {
      await migrateLatest(database.db);
    } finally {
      await database.close();
    }
    process.env.TRELLIS_TEST_TARGET = 'postgres';
    process.env.TRELLIS_TEST_TEMPLATE = template;
    process.env.TRELLIS_TEST_ADMIN_URL = ADMIN_URL;
    process.stdout.write(`\nTests run on PostgreSQL (${new URL(ADMIN_URL).host}), template ${template}\n`);
    return;
  }
  if (process.env.TEST_REQUIRE_POSTGRES) {
    throw new Error(`TEST_REQUIRE_POSTGRES is set but no PostgreSQL answers at ${new URL(ADMIN_URL).host}`);
  }
  const pglite = new PGlite();
  const database = openPglite(pglite);
  await migrateLatest(database.db);
  const dump = await pglite.dumpDataDir('none');
  const file = path.join(os.tmpdir(), `trellis_test_${run}.tar`);
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  await database.close();
  process.env.TRELLIS_TEST_TARGET = 'pglite';
  process.env.TRELLIS_TEST_DUMP = file;
  process.stdout.write(`\nTests run on embedded PGlite (${process.env.TEST_DATABASE === 'pglite' ? 'TEST_DATABASE=pglite' : 'no PostgreSQL reachable'})\n`);
}
