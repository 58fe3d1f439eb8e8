import type { Knex } from 'knex';

export interface FeedRow {
  userId: number;
  createdAt: Date;
}

/** Replaces the person's feed secret: the old URL stops working in the same statement. */
export async function replaceFeed(db: Knex, userId: number, secretHash: string): Promise<void> {
  await db.raw(
    `INSERT INTO calendar_feeds (user_id, secret_hash, created_at) VALUES (?, ?, now())
     ON CONFLICT (user_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, created_at = EXCLUDED.created_at`,
    [userId, secretHash],
  );
}

export async function deleteFeed(db: Knex, userId: number): Promise<void> {
  await db('calendar_feeds').where({ user_id: userId }).del();
}

export async function findFeed(db: Knex, userId: number): Promise<FeedRow | null> {
  const row = (await db('calendar_feeds').where({ user_id: userId }).first('user_id', 'created_at')) as { user_id: number; created_at: Date } | undefined;
  return row ? { userId: row.user_id, createdAt: row.created_at } : null;
}

/** Whose feed a secret opens, by its hash. */
export async function findFeedOwnerId(db: Knex, secretHash: string): Promise<number | null> {
  const row = (await db('calendar_feeds').where({ secret_hash: secretHash }).first('user_id')) as { user_id: number } | undefined;
  return row ? row.user_id : null;
}
