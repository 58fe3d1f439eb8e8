import type { Knex } from 'knex';
import { prepared } from '../db/prepared';

// Named, since every Conduit call runs it (the caller's address against the limit on refused tokens):
// unnamed, PostgreSQL parsed and planned it afresh each time, 0.4 ms of every call.
const SECONDS_UNTIL_BELOW = `SELECT ceil(extract(epoch from (at + make_interval(secs => ?) - now())))::integer AS wait
  FROM auth_attempts
  WHERE scope = ? AND key = ? AND at > now() - make_interval(secs => ?)
  ORDER BY at DESC
  OFFSET ? LIMIT 1`;

/** Seconds until fewer than `max` attempts remain in the window, or 0 when below the limit now. */
export async function secondsUntilBelow(db: Knex, scope: string, key: string, max: number, windowSeconds: number): Promise<number> {
  // The max-th newest attempt is the one whose expiry brings the count under the limit.
  const result = await prepared('attempts_wait', db.raw(SECONDS_UNTIL_BELOW, [windowSeconds, scope, key, windowSeconds, max - 1]));
  const row = (result.rows as { wait: number }[])[0];
  return row ? Math.max(1, Number(row.wait)) : 0;
}

export async function insertAttempt(db: Knex, scope: string, key: string, windowSeconds: number): Promise<void> {
  await db('auth_attempts').insert({ scope, key });
  await db('auth_attempts')
    .where({ scope, key })
    .where('at', '<', db.raw('now() - make_interval(secs => ?)', [windowSeconds]))
    .del();
}

export async function deleteAttempts(db: Knex, scope: string, key: string): Promise<void> {
  await db('auth_attempts').where({ scope, key }).del();
}

/** Drops what no window looks back to any more. */
export async function deleteAttemptsBefore(db: Knex, seconds: number): Promise<void> {
  await db('auth_attempts').where('at', '<', db.raw('now() - make_interval(secs => ?)', [seconds])).del();
}
