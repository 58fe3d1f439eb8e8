import type { Express } from 'express';
import type { Knex } from 'knex';
import { createApp } from '../../server/app';
import { loadConfig, type Config } from '../../server/config';
import { buildTrackerConfig } from '../../server/tracker-config';
import type { Database } from '../../server/db/connect';
import { ensureSecret } from '../../server/db/settings';
import type { Domain } from '../../server/tasks/editor';
import { createJobRunner } from '../../server/jobs/handlers';
import { LiveHub } from '../../server/live/hub';
import { Tracker } from '../../server/tasks/task';
import type { AppDeps } from '../../server/web/deps';
import { freshDatabase } from './db';

export interface TestApp {
  database: Database;
  db: Knex;
  deps: AppDeps;
  domain: Domain;
  tracker: Tracker;
  app: Express;
  /** Error lines the app logged; tests assert that none was a 500. */
  errors: string[];
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  const base = loadConfig({ LOG_REQUESTS: 'false', TIMEZONE: 'UTC' });
  return { ...base, tracker: buildTrackerConfig({}), ...overrides };
}

export async function startTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const database = await freshDatabase();
  const config = testConfig(overrides);
  const tracker = new Tracker(config.tracker, config.timezone);
  const errors: string[] = [];
  const log = (l: string) => errors.push(l);
  const secret = await ensureSecret(database.db);
  const jobs = createJobRunner({ db: database.db, tracker, config, secret, log });
  const deps: AppDeps = { db: database.db, config, tracker, secret, log, jobs, live: new LiveHub(database.db, log) };
  return { database, db: database.db, deps, domain: { db: database.db, tracker }, tracker, app: createApp(deps), errors };
}

/** Stops what an app started (job runner, live listener) and drops its database. */
export async function stopTestApp(t: TestApp | undefined): Promise<void> {
  await t?.deps.jobs.stop();
  await t?.deps.live.close();
  await t?.database.close();
}

/**
 * One app and one fresh database per test file. The returned object is filled
 * in by beforeAll, so tests read its fields inside their bodies.
 */
export function useTestApp(overrides: Partial<Config> = {}): TestApp {
  const ctx = {} as TestApp;
  beforeAll(async () => {
    Object.assign(ctx, await startTestApp(overrides));
  });
  afterAll(() => stopTestApp(ctx.deps ? ctx : undefined));
  afterEach(() => {
    const crashes = ctx.errors?.splice(0) ?? [];
    if (crashes.length) throw new Error(`The app logged unexpected errors:\n${crashes.join('\n')}`);
  });
  return ctx;
}
