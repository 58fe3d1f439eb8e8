import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../../server/db/connect';
import { migrateLatest, migrateRollbackAll, migrationStatus } from '../../server/db/migrate';
import { emptyDatabase } from '../support/empty-database';

const MIGRATIONS = fs
  .readdirSync(path.resolve(__dirname, '../../migrations'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();

/** Tables the core migrations create; later migrations may add more. */
const CORE_TABLES = ['sessions', 'settings', 'task_events', 'task_subscribers', 'tasks', 'users'];
const KNEX_TABLES = ['knex_migrations', 'knex_migrations_lock'];

describe('migrations up, down and up again', () => {
  let database: Database;

  beforeAll(async () => {
    database = await emptyDatabase();
  });
  afterAll(async () => {
    await database?.close();
  });

  async function tables(): Promise<string[]> {
    const rows = await database.db('information_schema.tables').select('table_name').where({ table_schema: 'public' }).orderBy('table_name');
    return rows.map((r: { table_name: string }) => r.table_name);
  }

  /** Every column, constraint and index of the public schema, to compare one migrated state with another. */
  async function schema(): Promise<string[]> {
    const columns = await database.db.raw(
      `SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS line
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1`,
    );
    const constraints = await database.db.raw(
      `SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS line
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1`,
    );
    const indexes = await database.db.raw(`SELECT indexdef AS line FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1`);
    return [...columns.rows, ...constraints.rows, ...indexes.rows].map((r: { line: string }) => r.line);
  }

  test('each step leaves exactly the tables it should', async () => {
    expect(MIGRATIONS.length).toBeGreaterThanOrEqual(6);
    expect(await tables()).toEqual([]);

    expect(await migrateLatest(database.db)).toEqual(MIGRATIONS);
    const migrated = await tables();
    expect(migrated).toEqual(expect.arrayContaining([...KNEX_TABLES, ...CORE_TABLES]));
    // Names are stored without an extension, so compiled .js files match a database migrated from .ts.
    const recorded = await database.db('knex_migrations').select('name').orderBy('id');
    expect(recorded.map((r: { name: string }) => r.name)).toEqual(MIGRATIONS);
    expect(await migrationStatus(database.db)).toEqual({ done: MIGRATIONS, pending: [] });
    expect(await migrateLatest(database.db)).toEqual([]);
    const first = await schema();
    expect(first).toContain('tasks.title character varying NO ');
    expect(first.filter((l) => l.startsWith('task_events ') && l.includes('FOREIGN KEY'))).toHaveLength(2);

    expect(await migrateRollbackAll(database.db)).toEqual([...MIGRATIONS].reverse());
    expect(await tables()).toEqual(KNEX_TABLES);
    expect(await database.db('knex_migrations').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
    expect(await migrationStatus(database.db)).toEqual({ done: [], pending: MIGRATIONS });

    expect(await migrateLatest(database.db)).toEqual(MIGRATIONS);
    expect(await tables()).toEqual(migrated);
    expect(await schema()).toEqual(first);
  });

  test('the migrated schema enforces its constraints', async () => {
    const db = database.db;
    const user = { username: 'alice', role: 'admin', password_hash: 'x' };
    const [{ id }] = await db('users').insert(user).returning('id');
    await expect(db('users').insert({ ...user, username: 'ALICE' })).rejects.toThrow(/users_username_lower_unique/);
    await expect(db('users').insert({ ...user, username: 'bob', role: 'wizard' })).rejects.toThrow(/users_role_check/);
    const task = { title: 'A task', status: 'open', priority: 90, author_id: id, view_policy: 'users' };
    await expect(db('tasks').insert({ ...task, title: '   ' })).rejects.toThrow(/tasks_title_check/);
    await expect(db('tasks').insert({ ...task, view_policy: 'everyone' })).rejects.toThrow(/tasks_view_policy_check/);
    await expect(db('tasks').insert({ ...task, closed_at: db.fn.now() })).rejects.toThrow(/tasks_closed_check/);
    await expect(db('tasks').insert({ ...task, author_id: id + 1000 })).rejects.toThrow(/foreign key/);
    expect(await db('tasks').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
  });
});
