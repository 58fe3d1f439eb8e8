import crypto from 'node:crypto';
import type { Knex } from 'knex';
import type { Config } from '../../config';
import { ensureSetting, readSetting } from '../../db/settings';
import { SecretBox } from './secret-box';

const GENERATED_KEY = 'mfa_generated_key';
const boxes = new WeakMap<Knex, Map<string, Promise<SecretBox>>>();

async function makeBox(db: Knex, configured: string | null): Promise<SecretBox> {
  if (!configured) return new SecretBox([await ensureSetting(db, GENERATED_KEY, () => crypto.randomBytes(32).toString('base64url'))]);
  const generated = await readSetting(db, GENERATED_KEY);
  return new SecretBox(generated ? [configured, generated] : [configured]);
}

/**
 * The box TOTP secrets are sealed in. With MFA_KEY configured it seals with
 * that key; without, with a key generated once and kept in the settings table
 * (so a newcomer's install works and every process agrees, and the secrets are
 * not in plain text, though anyone holding the whole database holds the key).
 * A generated key that exists is kept for opening what it sealed before
 * MFA_KEY was set; such secrets are sealed again with MFA_KEY on their next use.
 */
export function secretBox(db: Knex, config: Pick<Config, 'mfaKey'>): Promise<SecretBox> {
  let perKey = boxes.get(db);
  if (!perKey) boxes.set(db, (perKey = new Map()));
  const name = config.mfaKey ?? '';
  let box = perKey.get(name);
  if (!box) {
    box = makeBox(db, config.mfaKey);
    box.catch(() => perKey.delete(name));
    perKey.set(name, box);
  }
  return box;
}
