import type { Knex } from 'knex';
import type { Config } from '../config';
import { statisticsJob } from '../db/statistics-job';
import { MailerPool } from '../mail/mailers';
import { mailPruneJob } from '../mail/prune-job';
import { mailSendJob } from '../mail/send-job';
import { taskMailRenderer } from '../mail/task-render';
import { bulkEditJob } from '../tasks/bulk-job';
import type { Tracker } from '../tasks/task';
import { JobRunner, type JobHandler } from './runner';

/** What the jobs of every kind are built from. */
export interface JobDeps {
  db: Knex;
  tracker: Tracker;
  config: Readonly<Config>;
  secret: string;
  log: (line: string) => void;
}

/** Every kind of job Trellis runs after a commit, in the one queue. */
export function jobHandlers(deps: JobDeps): JobHandler[] {
  const domain = { db: deps.db, tracker: deps.tracker };
  const render = taskMailRenderer(deps.tracker, deps.config, deps.secret);
  return [
    bulkEditJob(domain, deps.log),
    mailSendJob(deps.db, deps.config.mail, new MailerPool(), render),
    mailPruneJob(deps.db, deps.log),
    statisticsJob(deps.db, deps.log),
  ];
}

export function createJobRunner(deps: JobDeps): JobRunner {
  return new JobRunner(deps.db, jobHandlers(deps), deps.log);
}
