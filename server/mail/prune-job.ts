import type { Knex } from 'knex';
import { pruneFinishedJobs } from '../jobs/repository';
import type { JobHandler } from '../jobs/runner';
import { logLine } from '../log';
import { pruneInbound } from './inbound/repository';
import { pruneMessages } from './repository';

export const MAIL_PRUNE_JOB = 'mail-prune';

/**
 * How long mail is kept, sent and received, as Phabricator keeps it: long
 * enough for /mail/ to show what happened and for a relay's late redelivery
 * of a received mail to be recognised. Mail still queued is never pruned.
 */
export const MAIL_KEEP_DAYS = 90;

/**
 * Once a day, forgets the mail older than MAIL_KEEP_DAYS, so neither the outbox nor the record of
 * received mail grows forever; and the queue's finished jobs as old, which are mostly the jobs
 * that sent that mail.
 */
export function mailPruneJob(db: Knex, log: (line: string) => void): JobHandler {
  return {
    kind: MAIL_PRUNE_JOB,
    everySeconds: 24 * 3600,
    async run() {
      const sent = await pruneMessages(db, MAIL_KEEP_DAYS);
      const received = await pruneInbound(db, MAIL_KEEP_DAYS);
      const jobs = await pruneFinishedJobs(db, MAIL_KEEP_DAYS);
      if (sent || received || jobs) {
        log(logLine({ level: 'info', msg: `forgot mail older than ${MAIL_KEEP_DAYS} days: ${sent} sent, failed or voided, ${received} received; ${jobs} finished jobs` }));
      }
    },
  };
}
