import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { createApp } from '../../server/app';
import { boot } from '../../server/boot';
import type { Config } from '../../server/config';
import { testConfig } from '../support/app';
import { onPostgres } from '../support/db';
import { emptyPostgresDatabase } from '../support/empty-database';
import { Browser } from '../support/http';
import { enrolMfa } from '../support/mfa';
import { runCli } from '../support/process';

/**
 * `npm run cli -- …` as a child process against a new, empty install: a fresh
 * database on PostgreSQL, or a fresh data folder on the embedded database.
 */

const SLOW = 240_000;
const PASSWORD = 'a long passphrase';

interface Install {
  /** What the CLI is started with: DATABASE_URL or DATA_DIR. */
  env: Record<string, string>;
  config: Config;
  dispose(): Promise<void>;
}

async function newInstall(): Promise<Install> {
  if (onPostgres()) {
    const { url, drop } = await emptyPostgresDatabase();
    return { env: { DATABASE_URL: url }, config: testConfig({ databaseUrl: url }), dispose: drop };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-cli-'));
  return { env: { DATA_DIR: dir }, config: testConfig({ databaseUrl: null, dataDir: dir }), dispose: async () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Opens the install in this process for a look, and closes it again: an
 * embedded data folder takes one process at a time, so the CLI can run only
 * while this is closed.
 */
async function withApp<T>(install: Install, look: (app: Express, db: Knex) => Promise<T>): Promise<T> {
  const { database, deps } = await boot(install.config, () => undefined);
  try {
    return await look(createApp(deps), deps.db);
  } finally {
    await database.close();
  }
}

const count = async (rows: Knex.QueryBuilder) => Number((await rows.count<{ n: number }[]>({ n: '*' }))[0].n);

describe('npm run cli -- user add', () => {
  let install: Install;
  beforeAll(async () => {
    install = await newInstall();
  });
  afterAll(async () => {
    await install?.dispose();
  });

  test(
    'creates an account from the arguments and a password on standard input, which can then log in',
    async () => {
      const run = await runCli(['user', 'add', 'bob', '--role', 'engineer', '--email', 'bob@example.com', '--realname', 'Bob Okafor'], install.env, `${PASSWORD}\n`);
      expect(run).toMatchObject({ code: 0, stdout: 'Created bob (engineer).\n', stderr: '' });

      await withApp(install, async (app, db) => {
        expect(await db('users').select('username', 'realname', 'email', 'role', 'disabled_at')).toEqual([
          { username: 'bob', realname: 'Bob Okafor', email: 'bob@example.com', role: 'engineer', disabled_at: null },
        ]);
        const bob = new Browser(app);
        await bob.login('bob', PASSWORD);
        expect((await bob.get('/maniphest/')).dom.querySelector('.account .me')!.textContent.trim()).toBe('bob');
      });
    },
    SLOW,
  );

  test(
    'refuses a short password, an unknown role, a taken name and a missing role, creating nothing',
    async () => {
      // A usage mistake is refused before the database is opened, so it can run beside a command that opens it.
      const [short, noRole] = await Promise.all([
        runCli(['user', 'add', 'carol', '--role', 'engineer'], install.env, 'short\n'),
        runCli(['user', 'add', 'carol'], install.env, `${PASSWORD}\n`),
      ]);
      expect(short).toMatchObject({ code: 1, stdout: '', stderr: 'password: Passwords are at least 8 characters.\n' });

      const wizard = await runCli(['user', 'add', 'carol', '--role', 'wizard'], install.env, `${PASSWORD}\n`);
      expect(wizard).toMatchObject({ code: 1, stdout: '', stderr: 'role: Choose one of: reader, engineer, maintainer, admin.\n' });

      const taken = await runCli(['user', 'add', 'BOB', '--role', 'reader'], install.env, `${PASSWORD}\n`);
      expect(taken).toMatchObject({ code: 1, stdout: '', stderr: 'username: The username "BOB" is taken.\n' });

      // A usage mistake is told apart from a refusal by its exit code (EX_USAGE), and shows the usage.
      expect(noRole.code).toBe(64);
      expect(noRole.stdout).toBe('');
      expect(noRole.stderr).toMatch(/^Say which role the account has: --role reader\|engineer\|maintainer\|admin\n\nUsage: npm run cli -- <command>\n/);
      expect(noRole.stderr).toContain('user add NAME --role ROLE [--email E] [--realname "R"]');

      await withApp(install, async (_app, db) => {
        expect(await db('users').pluck('username')).toEqual(['bob']);
        expect(await db('users').where({ username: 'bob' }).first()).toMatchObject({ role: 'engineer' });
      });
    },
    SLOW,
  );
});

describe('npm run cli -- demo', () => {
  let install: Install;
  beforeAll(async () => {
    install = await newInstall();
  });
  afterAll(async () => {
    await install?.dispose();
  });

  test(
    'loads people and about thirty tasks with history into an empty tracker, once',
    async () => {
      const run = await runCli(['demo'], install.env);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(
        'Loaded 6 people and 30 tasks.\n' +
          'Log in as alice (administrator), bob or carol (maintainers), dave or erin (engineers) or frank (reader); every password is "trellis-demo".\n',
      );

      const before = await withApp(install, async (app, db) => {
        expect(await count(db('tasks'))).toBe(30);
        expect(await db('users').orderBy('username').pluck('username')).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
        // A living tracker: every priority, open and closed tasks, claims and comments.
        expect(await db('tasks').distinct('priority').orderBy('priority', 'desc').pluck('priority')).toEqual([100, 90, 80, 50, 25, 0]);
        expect(await db('tasks').distinct('status').orderBy('status').pluck('status')).toEqual(['invalid', 'open', 'resolved', 'wontfix']);
        expect(await count(db('tasks').whereNotNull('owner_id'))).toBeGreaterThanOrEqual(10);
        expect(await count(db('task_events').where({ type: 'comment' }))).toBeGreaterThanOrEqual(15);

        const alice = new Browser(app);
        await alice.login('alice', 'trellis-demo');
        const list = await alice.get('/maniphest/query/open/');
        expect(list.status).toBe(200);
        const open = await count(db('tasks').where({ status: 'open' }));
        expect(open).toBeGreaterThanOrEqual(10);
        expect(list.dom.querySelectorAll('.task-row')).toHaveLength(open);
        return { events: await count(db('task_events')) };
      });

      const again = await runCli(['demo'], install.env);
      expect(again).toMatchObject({ code: 1, stdout: '', stderr: 'This tracker already has tasks; the demo data is only loaded into an empty one.\n' });
      await withApp(install, async (_app, db) => {
        expect(await count(db('tasks'))).toBe(30);
        expect(await count(db('users'))).toBe(6);
        expect(await count(db('task_events'))).toBe(before.events);
      });
    },
    SLOW,
  );
});

describe('npm run cli -- user password / user mfa-reset', () => {
  let install: Install;
  beforeAll(async () => {
    install = await newInstall();
    const made = await runCli(['user', 'add', 'root', '--role', 'admin'], install.env, `${PASSWORD}\n`);
    expect(made.code).toBe(0);
  }, SLOW);
  afterAll(async () => {
    await install?.dispose();
  });

  test(
    'an administrator who lost both password and phone is recovered from the command line, and the log says so',
    async () => {
      // root enrols a second factor, then loses the phone (and the recovery codes).
      await withApp(install, async (app, db) => {
        const root = new Browser(app);
        await root.login('root', PASSWORD);
        await enrolMfa(root, db, (await db('users').where({ username: 'root' }).first()).id);
        const login = await new Browser(app).post('/login', { username: 'root', password: PASSWORD }, '/login');
        expect(login.location).toBe('/auth/finish/');
      });

      const short = await runCli(['user', 'password', 'root'], install.env, 'short\n');
      expect(short).toMatchObject({ code: 1, stdout: '', stderr: 'password: Passwords are at least 8 characters.\n' });
      const nobody = await runCli(['user', 'mfa-reset', 'nobody'], install.env);
      expect(nobody).toMatchObject({ code: 1, stdout: '', stderr: 'There is no account named "nobody".\n' });
      const usage = await runCli(['user', 'mfa-reset'], install.env);
      expect(usage.code).toBe(64);

      const reset = await runCli(['user', 'mfa-reset', 'ROOT'], install.env);
      expect(reset).toMatchObject({ code: 0, stderr: '', stdout: 'Removed the second factor of root; it logs in with its password alone until it sets up a new one.\n' });
      const again = await runCli(['user', 'mfa-reset', 'root'], install.env);
      expect(again).toMatchObject({ code: 1, stderr: 'root has no second factor.\n' });
      const password = await runCli(['user', 'password', 'root'], install.env, 'a fresh start phrase\n');
      expect(password).toMatchObject({ code: 0, stderr: '', stdout: 'Set the password of root; every session of the account has ended.\n' });

      await withApp(install, async (app, db) => {
        expect(await count(db('sessions'))).toBe(0);
        expect((await new Browser(app).post('/login', { username: 'root', password: PASSWORD }, '/login')).status).toBe(401);
        const root = new Browser(app);
        const login = await root.post('/login', { username: 'root', password: 'a fresh start phrase' }, '/login');
        expect(login.location).toBe('/');
        const log = (await root.get('/people/log/')).dom.querySelectorAll('.audit-table tbody tr').map((r) => r.querySelectorAll('td').map((c) => c.textContent.trim()).slice(1));
        expect(log).toEqual([
          ['The command line set the password of root.', 'command line'],
          ['The command line removed the second factor of root.', 'command line'],
        ]);
      });
    },
    SLOW,
  );
});
