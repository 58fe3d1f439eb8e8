import crypto from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

/** Ten codes of 16 characters (80 random bits each), grouped by four for reading aloud. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const chars = [...crypto.randomBytes(16)].map((b) => ALPHABET[b & 31]).join('');
    return chars.match(/.{4}/g)!.join('-');
  });
}

/** What a person typed, as stored: case, spaces and dashes do not matter. */
export function normaliseRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]+/g, '');
}

/** Codes carry 80 random bits, so a plain SHA-256 is enough to keep them unreadable. */
export function hashRecoveryCode(input: string): string {
  return crypto.createHash('sha256').update(normaliseRecoveryCode(input)).digest('hex');
}
