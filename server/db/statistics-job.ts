import type { Knex } from 'knex';
import type { JobHandler } from '../jobs/runner';
import { logLine } from '../log';
import { analyzeTables, staleTables } from './statistics';

export const STATISTICS_JOB = 'db-statistics';

/**
 * How often the statistics are looked at: as often as autovacuum looks by
 * default (`autovacuum_naptime`). Looking more often analyzed a busy table
 * again and again: at 10 s, creating tasks on 10,000 had `tasks` and
 * `task_events` analyzed every 10 to 20 s, 230 to 290 ms each.
 */
export const STATISTICS_EVERY_SECONDS = 60;

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
