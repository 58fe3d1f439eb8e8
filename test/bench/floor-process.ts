import { openPostgres } from '../../server/db/connect';
import { startListening, type AppProcess } from './app-process';

/** The pool size the app opens PostgreSQL with by default, read from the app's own database opener. */
async function appPoolMax(databaseUrl: string): Promise<number> {
  const probe = openPostgres(databaseUrl);
  try {
    return (probe.db.client.config as { pool: { max: number } }).pool.max;
  } finally {
    await probe.close();
  }
}

/** Starts floor-server.ts beside the app, on the same database, with the app's pool size. */
export async function startFloor(databaseUrl: string): Promise<AppProcess> {
  const env = { DATABASE_URL: databaseUrl, POOL_MAX: String(await appPoolMax(databaseUrl)), NODE_ENV: 'production' };
  return startListening('test/bench/floor-server.ts', env, 'floor listening', 'The floor', 30);
}
