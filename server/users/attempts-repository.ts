import type { Knex } from 'knex';

/** Seconds until fewer than `max` attempts remain in the window, or 0 when below the limit now. */
export async function secondsUntilBelow(db: Knex, scope: string, key: string, max: number, windowSeconds: number): Promise<number> {
  // The max-th newest attempt is the one whose expiry brings the count under the limit.
  const row = (await db('auth_attempts')
    .select(db.raw(`ceil(extract(epoch from (at + make_interval(secs => ?) - now())))::integer AS wait`, [windowSeconds]))
    .where({ scope, key })
    .where('at', '>', db.raw('now() - make_interval(secs => ?)', [windowSeconds]))
    .orderBy('at', 'desc')
    .offset(max - 1)
    .limit(1)
    .first()) as { wait: number } | undefined;
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
