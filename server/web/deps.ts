import type { Knex } from 'knex';
import type { Config } from '../config';
import type { JobRunner } from '../jobs/runner';
import type { LiveHub } from '../live/hub';
import type { Domain } from '../tasks/editor';
import type { Tracker } from '../tasks/task';

/** What the web layer is built from; tests build it around their own database. */
export interface AppDeps {
  db: Knex;
  /** A read replica's pool for list and search reads (DATABASE_REPLICA_URL); `db` when left out. */
  reads?: Knex;
  config: Readonly<Config>;
  tracker: Tracker;
  /** Signs CSRF tokens; kept in the database so every process agrees. */
  secret: string;
  log: (line: string) => void;
  /** Works through the job queue (bulk edits, mail) in the background. */
  jobs: JobRunner;
  /** Tells open pages what changed. */
  live: LiveHub;
}

export const domainOf = (deps: AppDeps): Domain => ({ db: deps.db, tracker: deps.tracker });
