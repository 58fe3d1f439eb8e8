import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onPostgres } from '../support/db';
import { emptyPostgresDatabase } from '../support/empty-database';
import { page, startFakeConduit, type FakeConduit } from '../support/fake-conduit';
import { runCli } from '../support/process';

/** `npm run cli -- import phabricator` as a person runs it: checked options, a dry run, the import, the report. */

const SLOW = 240_000;
let env: Record<string, string>;
let dispose: () => Promise<void>;
let server: FakeConduit;

beforeAll(async () => {
  if (onPostgres()) {
    const { url, drop } = await emptyPostgresDatabase();
    env = { DATABASE_URL: url };
    dispose = drop;
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-import-'));
    env = { DATA_DIR: dir };
    dispose = async () => fs.rmSync(dir, { recursive: true, force: true });
  }
  const install = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/phabricator/install.json'), 'utf8'));
  server = await startFakeConduit({
    'maniphest.status.search': () => ({ data: install.statuses }),
    'user.search': (p) => page(install.users, p),
    'project.search': (p) => page(install.projects, p),
    'maniphest.search': (p) => page(install.tasks, p, p.order === 'newest' ? 'newest' : 'oldest'),
    'transaction.search': (p) => page(install.transactions[String(p.objectIdentifier)] ?? [], p, 'newest'),
  });
}, SLOW);
afterAll(async () => {
  await server?.close();
  await dispose?.();
});

test(
  'refuses bad options with the usage; a dry run reports and writes nothing; the import reports what it did',
  async () => {
    const bad = await runCli(['import', 'phabricator', '--url', server.url], env);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--token api-');
    const badRole = await runCli(['import', 'phabricator', '--url', server.url, '--token', 'x', '--role', 'admin=god'], env);
    expect(badRole.stderr).toContain('"admin=god" is no role mapping');

    const dry = await runCli(['import', 'phabricator', '--url', server.url, '--token', 'api-x', '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/^Import report \(dry run: nothing was written\)/);
    expect(dry.stdout).toContain('tasks read: 4');

    const run = await runCli(['import', 'phabricator', '--url', server.url, '--token', 'api-x', '--role', 'bob=maintainer'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('tasks created: 4');
    expect(run.stdout).toContain('users created: 2');
    expect(run.stdout).toMatch(/Skipped:\n/);
    expect(run.stderr).toMatch(/5 tasks \(T40 of T40\), 24 transactions/);

    const again = await runCli(['import', 'phabricator', '--url', server.url, '--token', 'api-x'], env);
    expect(again.stdout).toContain('tasks unchanged: 4');
  },
  SLOW,
);
