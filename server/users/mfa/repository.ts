import type { Knex } from 'knex';

export interface FactorRow {
  userId: number;
  secret: string;
  confirmedAt: Date | null;
  lastStep: number | null;
}

export async function findFactor(db: Knex, userId: number): Promise<FactorRow | null> {
  const r = await db('mfa_factors').select('user_id', 'secret', 'confirmed_at', 'last_step').where({ user_id: userId }).first();
  return r ? { userId: r.user_id, secret: r.secret, confirmedAt: r.confirmed_at, lastStep: r.last_step === null ? null : Number(r.last_step) } : null;
}

/** Starts (or restarts) an enrolment: an unconfirmed factor replaces an earlier unconfirmed one, never a confirmed one. */
export async function upsertPendingFactor(db: Knex, userId: number, secret: string): Promise<boolean> {
  const rows = (await db('mfa_factors')
    .insert({ user_id: userId, secret })
    .onConflict('user_id')
    .merge({ secret, created_at: db.fn.now(), last_step: null })
    .where('mfa_factors.confirmed_at', null)
    .returning('user_id')) as unknown[];
  return rows.length > 0;
}

/**
 * Records that a code of `step` was accepted, only if no code of that step or a
 * later one was: two processes racing with one code cannot both succeed.
 */
export async function claimStep(db: Knex, userId: number, step: number, confirm: boolean): Promise<boolean> {
  const q = db('mfa_factors')
    .where({ user_id: userId })
    .where((w) => w.whereNull('last_step').orWhere('last_step', '<', step));
  if (confirm) q.whereNull('confirmed_at');
  else q.whereNotNull('confirmed_at');
  const rows = (await q.update({ last_step: step, ...(confirm ? { confirmed_at: db.fn.now() } : {}) }).returning('user_id')) as unknown[];
  return rows.length > 0;
}

export async function updateSecret(db: Knex, userId: number, secret: string): Promise<void> {
  await db('mfa_factors').where({ user_id: userId }).update({ secret });
}

export async function deleteFactor(db: Knex, userId: number): Promise<boolean> {
  const rows = (await db('mfa_factors').where({ user_id: userId }).del().returning('user_id')) as unknown[];
  await db('mfa_recovery_codes').where({ user_id: userId }).del();
  return rows.length > 0;
}

export async function replaceRecoveryCodes(db: Knex, userId: number, hashes: string[]): Promise<void> {
  await db('mfa_recovery_codes').where({ user_id: userId }).del();
  await db('mfa_recovery_codes').insert(hashes.map((code_hash) => ({ user_id: userId, code_hash })));
}

/** Uses up one unused recovery code; false when there is none such. */
export async function useRecoveryCode(db: Knex, userId: number, hash: string): Promise<boolean> {
  const rows = (await db('mfa_recovery_codes')
    .where({ user_id: userId, code_hash: hash })
    .whereNull('used_at')
    .update({ used_at: db.fn.now() })
    .returning('id')) as unknown[];
  return rows.length > 0;
}

export async function countUnusedRecoveryCodes(db: Knex, userId: number): Promise<number> {
  const row = await db('mfa_recovery_codes').where({ user_id: userId }).whereNull('used_at').count<{ n: number }[]>({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

/** The accounts that have a confirmed second factor. */
export async function usersWithFactor(db: Knex): Promise<Set<number>> {
  const rows = await db('mfa_factors').select('user_id').whereNotNull('confirmed_at');
  return new Set(rows.map((r: { user_id: number }) => r.user_id));
}
