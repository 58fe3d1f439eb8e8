import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { createApp } from '../../server/app';
import { boot } from '../../server/boot';
import { loadConfig, type Config } from '../../server/config';
import { ConfigError } from '../../server/config-error';
import { DataDirLock } from '../../server/db/lock';
import { setAccountDisabled } from '../../server/users/accounts';
import type { User } from '../../server/users/user';
import { testConfig, useTestApp } from '../support/app';
import { call, tokenFor } from '../support/conduit';
import { createUser } from '../support/factories';
import { onPostgres } from '../support/db';
import { emptyPostgresDatabase } from '../support/empty-database';
import { Browser, loggedIn } from '../support/http';
import { runCli } from '../support/process';

const TOKEN = /^api-[a-z2-7]{28}$/;
const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

describe('API tokens on the settings page', () => {
  const t = useTestApp();
  let alice: User;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
    await createUser(t.db, { username: 'bob', role: 'engineer' });
  });

  test('a visitor is sent to log in, and cannot create one', async () => {
    const visitor = new Browser(t.app);
    const page = await visitor.get('/settings/tokens/');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/login?next=%2Fsettings%2Ftokens%2F');
    const posted = await visitor.post('/settings/tokens/', { name: 'sneaky' }, '/login');
    expect(posted.status).toBe(303);
    expect(await t.db('api_tokens').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);
  });

  test('creating shows the token once and stores only its hash; using it records when; revoking ends it', async () => {
    const browser = await loggedIn(t.app, 'alice');
    let page = await browser.get('/settings/tokens/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('You have no API tokens.');

    page = await browser.post('/settings/tokens/', { name: 'nightly report' }, '/settings/tokens/');
    expect(page.status).toBe(200);
    const token = page.dom.querySelector('.token-value')!.textContent.trim();
    expect(token).toMatch(TOKEN);
    expect(page.text).toContain('Your new token nightly report. Copy it now: it is shown only this once.');
    const row = await t.db('api_tokens').where({ user_id: alice.id }).first();
    expect(row).toMatchObject({ name: 'nightly report', token_hash: sha256(token), last_used_at: null, revoked_at: null });
    expect(JSON.stringify(row)).not.toContain(token);

    page = await browser.get('/settings/tokens/');
    expect(page.html).not.toContain(token);
    expect(page.dom.querySelectorAll('.tokens-table tbody tr').map((tr) => tr.querySelectorAll('td').map((td) => td.textContent.trim())[0])).toEqual(['nightly report']);
    expect(page.dom.querySelector('.tokens-table tbody tr td:nth-child(3)')!.textContent.trim()).toBe('Never');

    expect((await call(t.app, 'user.whoami', {}, token)).result.userName).toBe('alice');
    expect((await t.db('api_tokens').where({ id: row.id }).first()).last_used_at).toBeInstanceOf(Date);
    page = await browser.get('/settings/tokens/');
    expect(page.dom.querySelector('.tokens-table tbody tr td:nth-child(3)')!.textContent.trim()).not.toBe('Never');

    const revoked = await browser.post(`/settings/tokens/${row.id}/revoke`, {}, '/settings/tokens/');
    expect(revoked.status).toBe(303);
    expect(revoked.location).toBe('/settings/tokens/');
    expect((await t.db('api_tokens').where({ id: row.id }).first()).revoked_at).toBeInstanceOf(Date);
    page = await browser.get('/settings/tokens/');
    expect(page.dom.querySelector('.tokens-table tbody tr td:nth-child(4)')!.textContent.trim()).toMatch(/^Revoked /);
    expect(await call(t.app, 'user.whoami', {}, token)).toEqual({
      result: null,
      error_code: 'ERR-INVALID-AUTH',
      error_info: `API token "${token}" was previously valid, but has been revoked.`,
    });
  });

  test('forms are CSRF-protected; nobody revokes a token that is not theirs; names are checked', async () => {
    const alices = await loggedIn(t.app, 'alice');
    const noCsrf = await alices.postRaw('/settings/tokens/', { name: 'forged' });
    expect(noCsrf.status).toBe(403);
    expect(await t.db('api_tokens').where({ name: 'forged' }).count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 0 }]);

    const token = await tokenFor(t.db, alice, 'keep me');
    const id = (await t.db('api_tokens').where({ name: 'keep me' }).first()).id as number;
    const forgedRevoke = await alices.postRaw(`/settings/tokens/${id}/revoke`, {});
    expect(forgedRevoke.status).toBe(403);
    const bob = await loggedIn(t.app, 'bob');
    const notHis = await bob.post(`/settings/tokens/${id}/revoke`, {}, '/settings/tokens/');
    expect(notHis.status).toBe(404);
    expect(notHis.text).toContain('You have no such API token, or it is already revoked.');
    expect((await call(t.app, 'user.whoami', {}, token)).result.userName).toBe('alice');

    const long = await alices.post('/settings/tokens/', { name: 'x'.repeat(256) }, '/settings/tokens/');
    expect(long.status).toBe(422);
    expect(long.text).toContain('Token names are at most 255 characters.');
    const unnamed = await alices.post('/settings/tokens/', { name: '  ' }, '/settings/tokens/');
    expect(unnamed.status).toBe(200);
    expect(unnamed.text).toContain('Your new token API token.');
  });
});

describe('token authentication errors', () => {
  const t = useTestApp();
  let alice: User;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
  });

  test('each kind of bad token has its own sentence', async () => {
    const whoami = (token: string) => call(t.app, 'user.whoami', {}, token);
    expect(await whoami('api-short')).toEqual({
      result: null,
      error_code: 'ERR-INVALID-AUTH',
      error_info: 'API token "api-short" has the wrong length. API tokens should be 32 characters long.',
    });
    const cli = `cli-${'a'.repeat(28)}`;
    expect(await whoami(cli)).toEqual({
      result: null,
      error_code: 'ERR-INVALID-AUTH',
      error_info: `API token "${cli}" has the wrong format. API tokens should be 32 characters long and begin with one of these prefixes: api.`,
    });
    const unknown = `api-${'a'.repeat(28)}`;
    expect(await whoami(unknown)).toEqual({ result: null, error_code: 'ERR-INVALID-AUTH', error_info: `API token "${unknown}" is not valid.` });
    // Even a method that needs no token checks one that is sent.
    expect(await call(t.app, 'conduit.ping', {}, unknown)).toMatchObject({ error_code: 'ERR-INVALID-AUTH' });
  });

  test('no token where one is needed: ERR-INVALID-SESSION', async () => {
    for (const method of ['user.whoami', 'user.search', 'maniphest.search', 'maniphest.edit', 'transaction.search', 'maniphest.status.search', 'maniphest.priority.search']) {
      expect(await call(t.app, method, {})).toEqual({ result: null, error_code: 'ERR-INVALID-SESSION', error_info: 'Session key is not present.' });
    }
  });

  test("a disabled account's tokens stop working, and work again when it is enabled", async () => {
    const token = await tokenFor(t.db, alice);
    await setAccountDisabled(t.db, alice.id, true);
    expect(await call(t.app, 'user.whoami', {}, token)).toEqual({ result: null, error_code: 'ERR-USER-DISABLED', error_info: 'User account is disabled.' });
    await setAccountDisabled(t.db, alice.id, false);
    expect((await call(t.app, 'user.whoami', {}, token)).result.userName).toBe('alice');
  });
});

describe('the rate limit', () => {
  const t = useTestApp({ apiRateLimit: 3 });
  let alice: User;

  beforeAll(async () => {
    alice = await createUser(t.db, { username: 'alice', role: 'engineer' });
  });

  test('counts per token in the database, so two app processes share it; going over is a clear error', async () => {
    const token = await tokenFor(t.db, alice);
    const other = await tokenFor(t.db, alice);
    // A second app on the same database, as a second process behind a load balancer would be.
    const second = createApp(t.deps);
    const ping = (app: Express, tok: string) => call(app, 'conduit.ping', {}, tok);
    expect((await ping(t.app, token)).error_code).toBeNull();
    expect((await ping(second, token)).error_code).toBeNull();
    expect((await ping(t.app, token)).error_code).toBeNull();
    const over = await ping(second, token);
    expect(over.error_code).toBe('ERR-RATE-LIMIT');
    expect(over.error_info).toMatch(/^Rate limit exceeded: this API token may make 3 requests a minute and has used them all\. Wait [1-9][0-9]? seconds and try again\.$/);
    const tokenId = (await t.db('api_tokens').where({ token_hash: sha256(token) }).first()).id;
    expect((await t.db('api_rate_limits').where({ token_id: tokenId }).first()).requests).toBe(4);
    // Another token has its own count.
    expect((await ping(t.app, other)).error_code).toBeNull();

    // When the window has passed, the count starts again.
    await t.db('api_rate_limits').where({ token_id: tokenId }).update({ window_start: t.db.raw(`now() - interval '61 seconds'`) });
    expect((await ping(t.app, token)).error_code).toBeNull();
    expect((await t.db('api_rate_limits').where({ token_id: tokenId }).first()).requests).toBe(1);
  });

  test('API_RATE_LIMIT configures it, checked at start like every setting', () => {
    expect(loadConfig({}).apiRateLimit).toBe(600);
    expect(loadConfig({ API_RATE_LIMIT: '30' }).apiRateLimit).toBe(30);
    for (const [value, problem] of [
      ['0', 'API_RATE_LIMIT: must be 1 or more'],
      ['ten', 'API_RATE_LIMIT: must be a whole number of requests per minute, 1 or more'],
      ['', 'API_RATE_LIMIT: must be a whole number of requests per minute, 1 or more'],
    ]) {
      let problems: string[] = [];
      try {
        loadConfig({ API_RATE_LIMIT: value });
      } catch (err) {
        if (err instanceof ConfigError) problems = err.problems;
      }
      expect(problems).toEqual([problem]);
    }
  });
});

describe('npm run cli -- token create', () => {
  const SLOW = 240_000;

  interface Install {
    env: Record<string, string>;
    config: Config;
    dispose(): Promise<void>;
  }

  async function newInstall(): Promise<Install> {
    if (onPostgres()) {
      const { url, drop } = await emptyPostgresDatabase();
      return { env: { DATABASE_URL: url }, config: testConfig({ databaseUrl: url }), dispose: drop };
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-token-'));
    return { env: { DATA_DIR: dir }, config: testConfig({ databaseUrl: null, dataDir: dir }), dispose: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }

  /** Opens the install here and closes it again: an embedded folder takes one process at a time. */
  async function withApp<T>(install: Install, look: (app: Express, db: Knex) => Promise<T>): Promise<T> {
    const { database, deps } = await boot(install.config, () => undefined);
    try {
      return await look(createApp(deps), deps.db);
    } finally {
      await database.close();
    }
  }

  let install: Install;
  beforeAll(async () => {
    install = await newInstall();
    await withApp(install, async (_app, db) => {
      await createUser(db, { username: 'alice', role: 'engineer' });
    });
  }, SLOW);
  afterAll(async () => {
    await install?.dispose();
  });

  test(
    'prints a new token for the account, which then works against the API',
    async () => {
      const run = await runCli(['token', 'create', 'alice', '--name', 'deploy bot'], install.env);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^api-[a-z2-7]{28}\n$/);
      const token = run.stdout.trim();
      await withApp(install, async (app, db) => {
        expect(await db('api_tokens').select('name', 'token_hash')).toEqual([{ name: 'deploy bot', token_hash: sha256(token) }]);
        expect((await call(app, 'user.whoami', {}, token)).result.userName).toBe('alice');
      });
    },
    SLOW,
  );

  test(
    'refuses an unknown account and a missing name, creating nothing',
    async () => {
      const unknown = await runCli(['token', 'create', 'zed'], install.env);
      expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: 'There is no account named "zed".\n' });
      const usage = await runCli(['token', 'create'], install.env);
      expect(usage.code).toBe(64);
      expect(usage.stderr).toMatch(/^Name exactly one account: token create USERNAME \[--name N\]\n\nUsage: npm run cli -- <command>\n/);
      expect(usage.stderr).toContain('token create USERNAME [--name N]');
      await withApp(install, async (_app, db) => {
        expect(await db('api_tokens').count<{ n: number }[]>({ n: '*' })).toEqual([{ n: 1 }]);
      });
    },
    SLOW,
  );

  test(
    'is refused while another process holds the embedded data folder',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-token-locked-'));
      const lock = DataDirLock.acquire(dir);
      try {
        const run = await runCli(['token', 'create', 'alice'], { DATA_DIR: dir });
        expect(run.code).toBe(1);
        expect(run.stdout).toBe('');
        expect(run.stderr).toContain(`The data folder ${dir} is in use by another Trellis process (pid ${process.pid}).`);
        expect(fs.existsSync(path.join(dir, 'pgdata'))).toBe(false);
      } finally {
        lock.release();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    SLOW,
  );
});
