import type { Knex } from 'knex';
import type { JobHandler } from '../jobs/runner';
import { logLine } from '../log';
import { analyzeTables, staleTables } from './statistics';

export const STATISTICS_JOB = 'db-statistics';

/**
 * How often the statistics are looked at. A queue that grows by hundreds a
 * second (mail after a burst of edits, or while a provider is down) is read by a
 * scan of all of itself until it is analyzed, so a table that outgrew its
 * statistics is analyzed within this long; one that only changed waits a minute
 * between two (CHANGED_TABLE_SECONDS). The look is one read of the catalog.
 */
export const STATISTICS_EVERY_SECONDS = 10;

/**
 * Keeps the planner's statistics in step with the data where autovacuum does
 * not: as autovacuum would, it analyzes the tables that changed or grew past
 * what their statistics say (`staleTables`). One job for all app processes.
 */
export function statisticsJob(db: Knex, log: (line: string) => void): JobHandler {
  return {
    kind: STATISTICS_JOB,
    everySeconds: STATISTICS_EVERY_SECONDS,
    async run() {
      const tables = await staleTables(db);
      if (!tables.length) return;
      await analyzeTables(db, tables);
      log(logLine({ level: 'info', msg: `analyzed ${tables.join(', ')}: their statistics were behind, and no autovacuum keeps them` }));
    },
  };
}
