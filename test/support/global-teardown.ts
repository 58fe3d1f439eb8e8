import fs from 'node:fs';
import { adminQuery } from './targets';

export default async function globalTeardown(): Promise<void> {
  if (process.env.TRELLIS_TEST_TARGET === 'postgres' && process.env.TRELLIS_TEST_TEMPLATE) {
    await adminQuery(`DROP DATABASE IF EXISTS ${process.env.TRELLIS_TEST_TEMPLATE} WITH (FORCE)`, process.env.TRELLIS_TEST_ADMIN_URL);
  }
  if (process.env.TRELLIS_TEST_DUMP) fs.rmSync(process.env.TRELLIS_TEST_DUMP, { force: true });
}
