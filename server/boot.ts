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

/** Opens the database, runs pending migrations and gathers what the app and the CLI need. */
export async function boot(config: Readonly<Config>, log: (line: string) => void): Promise<Booted> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, timeouts: config.database });
  try {
    const migrated = await database.unlimited(migrateLatest);
    const secret = await ensureSecret(database.db);
    if (config.databaseUrl && !config.mfaKey) {
      log(logLine({ level: 'warn', msg: 'MFA_KEY is not set: TOTP secrets are sealed with a key kept in the same database. Set MFA_KEY (see the README) so a copy of the database alone does not hold them.' }));
    }
    const tracker = new Tracker(config.tracker, config.timezone);
    const jobs = createJobRunner({ db: database.db, tracker, config, secret, log });
    return { database, migrated, deps: { db: database.db, config, tracker, secret, log, jobs, live: new LiveHub(database.db, log) } };
  } catch (err) {
    await database.close();
    throw err;
  }
}
