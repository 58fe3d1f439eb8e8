import knex from 'knex';
import { openPostgres, type Database } from '../../server/db/connect';
import { listen, LIVE_CHANNEL } from '../../server/db/listen';
import { eventually } from '../support/app-processes';
import { freshDatabase, onPostgres } from '../support/db';
import { databaseUrl } from '../support/targets';

// Poolers and direct connections are PostgreSQL servers' business.
const onServer = onPostgres() ? describe : describe.skip;

const TIMEOUTS = { connectMs: 2000, statementMs: 30000, acquireMs: 2000 };

const setting = async (db: Database['db'], name: string) => ((await db.raw(`SHOW ${name}`)) as { rows: Record<string, string>[] }).rows[0]![name];

onServer('connections through PgBouncer (DATABASE_POOLER=pgbouncer)', () => {
  let database: Database;
  let url: string;

  beforeAll(async () => {
    database = await freshDatabase();
    const { rows } = (await database.db.raw('SELECT current_database() AS name')) as { rows: { name: string }[] };
    url = databaseUrl(rows[0]!.name, process.env.TRELLIS_TEST_ADMIN_URL);
  });
  afterAll(() => database?.close());

  test('carry no per-connection settings, which PgBouncer refuses; a direct connection carries them', async () => {
    const direct = openPostgres(url, 1, TIMEOUTS);
    const pooled = openPostgres(url, 1, TIMEOUTS, { pooler: 'pgbouncer', directUrl: null, replicaUrl: null });
    try {
      expect(await setting(direct.db, 'statement_timeout')).toBe('30s');
      expect(await setting(direct.db, 'idle_in_transaction_session_timeout')).toBe('30s');
      // Here the role's own settings apply, which the README asks a pooled install to set.
      expect(await setting(pooled.db, 'statement_timeout')).toBe('0');
      expect(await setting(pooled.db, 'idle_in_transaction_session_timeout')).toBe('0');
    } finally {
      await Promise.all([direct.close(), pooled.close()]);
    }
  });

  test("are called trellis in pg_stat_activity, pooled or direct, unless DATABASE_URL names them", async () => {
    const direct = openPostgres(url, 1, TIMEOUTS);
    const pooled = openPostgres(url, 1, TIMEOUTS, { pooler: 'pgbouncer', directUrl: null, replicaUrl: null });
    const named = openPostgres(`${url}?application_name=tracker-eu`, 1, TIMEOUTS);
    try {
      expect(await setting(direct.db, 'application_name')).toBe('trellis');
      expect(await setting(pooled.db, 'application_name')).toBe('trellis');
      expect(await setting(named.db, 'application_name')).toBe('tracker-eu');
    } finally {
      await Promise.all([direct.close(), pooled.close(), named.close()]);
    }
  });

  test('migrations go through DATABASE_DIRECT_URL, without the role\'s limits', async () => {
    const role = `trellis_limited_${process.pid}`;
    await database.db.raw(`CREATE ROLE ${role} LOGIN SUPERUSER`);
    await database.db.raw(`ALTER ROLE ${role} SET statement_timeout = '5s'`);
    const asRole = (u: string) => Object.assign(new URL(u), { username: role }).toString();
    // The pooled address is one nothing listens on: only the direct one can be reached.
    const pooled = openPostgres('postgres://127.0.0.1:1/nothing', 1, TIMEOUTS, { pooler: 'pgbouncer', directUrl: asRole(url), replicaUrl: null });
    try {
      expect(await pooled.unlimited((db) => setting(db, 'statement_timeout'))).toBe('0');
      expect(await pooled.unlimited(async (db) => ((await db.raw('SELECT current_user AS who')) as { rows: { who: string }[] }).rows[0]!.who)).toBe(role);
    } finally {
      await pooled.close();
      await database.db.raw(`DROP ROLE ${role}`);
    }
  });

  test('LISTEN goes through DATABASE_DIRECT_URL, not through the pooled address', async () => {
    const pooled = knex({ client: 'pg', connection: { connectionString: 'postgres://127.0.0.1:1/nothing', connectionTimeoutMillis: 500 }, pool: { min: 0, max: 1 } });
    const heard: string[] = [];
    const problems: unknown[] = [];
    const listening = await listen(pooled, (payload) => heard.push(payload), (err) => problems.push(err), url);
    try {
      await database.db.raw('SELECT pg_notify(?, ?)', [LIVE_CHANNEL, '{"task":1}']);
      await eventually('the notification', async () => heard.length > 0);
      expect(heard).toEqual(['{"task":1}']);
      expect(problems).toEqual([]);
    } finally {
      await listening.close();
      await pooled.destroy();
    }
  });
});
