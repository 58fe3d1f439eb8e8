import type { Knex } from 'knex';
import { ConduitError } from './errors';
import { countRequest } from './repository';

export const RATE_WINDOW_SECONDS = 60;

/** Counts a call against its token; over the limit, the call is refused with how long to wait. */
export async function checkRateLimit(db: Knex, tokenId: number, limit: number): Promise<void> {
  const { requests, resetsInSeconds } = await countRequest(db, tokenId, RATE_WINDOW_SECONDS);
  if (requests > limit) {
    throw new ConduitError(
      'ERR-RATE-LIMIT',
      `Rate limit exceeded: this API token may make ${limit} requests a minute and has used them all. Wait ${resetsInSeconds} seconds and try again.`,
      resetsInSeconds,
    );
  }
}
