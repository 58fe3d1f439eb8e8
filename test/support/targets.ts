import pg from 'pg';

/** Where the test suite's databases live: a real PostgreSQL when one answers, else embedded PGlite. */
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function postgresReachable(url = ADMIN_URL): Promise<boolean> {
  if (process.env.TEST_DATABASE === 'pglite') return false;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Runs admin statements (CREATE/DROP DATABASE) on the server's maintenance database. */
export async function adminQuery(sql: string, url = ADMIN_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export function databaseUrl(name: string, url = ADMIN_URL): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
