import crypto from 'node:crypto';
import type { Knex } from 'knex';

/** Returns the install's CSRF secret, creating it once; every process reads the same row. */
export async function ensureSecret(db: Knex): Promise<string> {
  await db('settings')
    .insert({ key: 'csrf_secret', value: crypto.randomBytes(32).toString('base64url') })
    .onConflict('key')
    .ignore();
  const row = (await db('settings').where({ key: 'csrf_secret' }).first()) as { value: string };
  return row.value;
}

/** An install-wide value made once by `make`; every process reads the same row. */
export async function ensureSetting(db: Knex, key: string, make: () => string): Promise<string> {
  await db('settings').insert({ key, value: make() }).onConflict('key').ignore();
  const row = (await db('settings').where({ key }).first()) as { value: string };
  return row.value;
}

export async function readSetting(db: Knex, key: string): Promise<string | null> {
  const row = (await db('settings').where({ key }).first()) as { value: string } | undefined;
  return row?.value ?? null;
}
