import type { Knex } from 'knex';

export type LinkPurpose = 'reset' | 'welcome' | 'verify-email';

export interface LoginLinkRow {
  id: number;
  userId: number;
  purpose: LinkPurpose;
  email: string | null;
  expiresAt: Date;
}

export async function insertLink(db: Knex, l: { userId: number; purpose: LinkPurpose; tokenHash: string; email: string | null; expiresAt: Date }): Promise<void> {
  await db('login_links').insert({ user_id: l.userId, purpose: l.purpose, token_hash: l.tokenHash, email: l.email, expires_at: l.expiresAt });
}

/** A link that is neither used nor expired, by its token's hash. */
export async function findLiveLink(db: Knex, tokenHash: string): Promise<LoginLinkRow | null> {
  const r = await db('login_links')
    .select('id', 'user_id', 'purpose', 'email', 'expires_at')
    .where({ token_hash: tokenHash })
    .whereNull('used_at')
    .where('expires_at', '>', db.fn.now())
    .first();
  return r ? { id: r.id, userId: r.user_id, purpose: r.purpose, email: r.email, expiresAt: r.expires_at } : null;
}

/** Uses a link up, only if it is still live: of two clicks racing, one wins. */
export async function useLink(db: Knex, id: number): Promise<boolean> {
  const rows = (await db('login_links').where({ id }).whereNull('used_at').where('expires_at', '>', db.fn.now()).update({ used_at: db.fn.now() }).returning('id')) as unknown[];
  return rows.length > 0;
}

/** Revokes every other live link of the account that logs in (reset and welcome links). */
export async function revokeLoginLinks(db: Knex, userId: number): Promise<void> {
  await db('login_links').where({ user_id: userId }).whereIn('purpose', ['reset', 'welcome']).whereNull('used_at').update({ used_at: db.fn.now() });
}

export async function revokeEmailLinks(db: Knex, userId: number): Promise<void> {
  await db('login_links').where({ user_id: userId, purpose: 'verify-email' }).whereNull('used_at').update({ used_at: db.fn.now() });
}

/** The address waiting for verification, if any. */
export async function findPendingEmail(db: Knex, userId: number): Promise<string | null> {
  const r = await db('login_links')
    .select('email')
    .where({ user_id: userId, purpose: 'verify-email' })
    .whereNull('used_at')
    .where('expires_at', '>', db.fn.now())
    .orderBy('id', 'desc')
    .first();
  return r?.email ?? null;
}
