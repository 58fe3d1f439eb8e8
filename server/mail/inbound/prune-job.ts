import type { Knex } from 'knex';
import type { JobHandler } from '../../jobs/runner';
import { logLine } from '../../log';
import { pruneInbound } from './repository';

export const INBOUND_PRUNE_JOB = 'inbound-prune';

/**
 * How long a received mail's row is kept: long enough for /mail/ to show
 * what came of it and for a relay's late redelivery to be recognised, as
 * Phabricator keeps received mail for 90 days.
 */
export const INBOUND_KEEP_DAYS = 90;

/** Once a day, forgets the received mail older than INBOUND_KEEP_DAYS, so the table does not grow forever. */
export function inboundPruneJob(db: Knex, log: (line: string) => void): JobHandler {
  return {
    kind: INBOUND_PRUNE_JOB,
    everySeconds: 24 * 3600,
    async run() {
      const removed = await pruneInbound(db, INBOUND_KEEP_DAYS);
      if (removed) log(logLine({ level: 'info', msg: `forgot ${removed} received mail${removed === 1 ? '' : 's'} older than ${INBOUND_KEEP_DAYS} days` }));
    },
  };
}
