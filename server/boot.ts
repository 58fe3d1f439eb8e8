import type { Config } from './config';
import { openDatabase, type Database } from './db/connect';
import { migrateLatest } from './db/migrate';
import { ensureSecret } from './db/settings';
import { createJobRunner } from './jobs/handlers';
import { LiveHub } from './live/hub';
import { logLine } from './log';
import { Tracker } from './tasks/task';
import type { AppDeps } from './web/deps';

export interface Booted {
  database: Database;
  deps: AppDeps;
  migrated: string[];
}

/** Said once at start, by the process that migrates. */
export function warnOfSetup(config: Readonly<Config>, log: (line: string) => void): void {
  if (config.databaseUrl && !config.mfaKey) {
    log(logLine({ level: 'warn', msg: 'MFA_KEY is not set: TOTP secrets are sealed with a key kept in the same database. Set MFA_KEY (see the README) so a copy of the database alone does not hold them.' }));
  }
}

/** Opens the configured database: its pool, and a replica's and a pooler's arrangements when configured. */
export function openConfiguredDatabase(config: Readonly<Config>): Promise<Database> {
  return openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    timeouts: config.database,
    topology: { pooler: config.pooler, directUrl: config.directUrl, replicaUrl: config.replicaUrl },
  });
}

/**
 * Opens the database, runs pending migrations and gathers what the app and the CLI need.
 * The app processes of a WEB_CONCURRENCY group leave migrating to the process that started them.
 */
export async function boot(config: Readonly<Config>, log: (line: string) => void, opts: { migrate: boolean } = { migrate: true }): Promise<Booted> {
  const database = await openConfiguredDatabase(config);
  try {
    const migrated = opts.migrate ? await database.unlimited(migrateLatest) : [];
    const secret = await ensureSecret(database.db);
    if (opts.migrate) warnOfSetup(config, log);
    const tracker = new Tracker(config.tracker, config.timezone);
    const jobs = createJobRunner({ db: database.db, tracker, config, secret, log });
    const live = new LiveHub(database.db, log, config.directUrl);
    return { database, migrated, deps: { db: database.db, reads: database.reads, config, tracker, secret, log, jobs, live } };
  } catch (err) {
    await database.close();
    throw err;
  }
}
