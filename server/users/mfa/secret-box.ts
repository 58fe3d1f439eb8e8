import crypto from 'node:crypto';

/**
 * Authenticated encryption (AES-256-GCM) of small secrets such as TOTP seeds.
 * A sealed value names the key it was sealed with by a short fingerprint, so
 * a box holding several keys (the configured one and an older generated one)
 * opens either, and seals with the first. The owner's id is bound in as
 * associated data: a sealed value copied onto another account does not open.
 */
export class SecretBox {
  private readonly keys: { id: string; key: Buffer }[];

  /** `keys`: passphrases or random strings, the one to seal with first. */
  constructor(keys: string[]) {
    if (!keys.length) throw new Error('A secret box needs a key.');
    this.keys = keys.map((k) => {
      const key = Buffer.from(crypto.hkdfSync('sha256', Buffer.from(k, 'utf8'), 'trellis', 'mfa-secrets', 32));
      return { id: crypto.createHash('sha256').update(key).digest('hex').slice(0, 8), key };
    });
  }

  seal(plain: string, owner: number): string {
    const { id, key } = this.keys[0]!;
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(`user:${owner}`));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return ['v1', id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(':');
  }

  /** The plain secret, and whether it was sealed with another key than the first (and should be sealed again). */
  open(sealed: string, owner: number): { plain: string; stale: boolean } {
    const [version, id, iv, tag, body] = sealed.split(':');
    const found = this.keys.findIndex((k) => k.id === id);
    if (version !== 'v1' || !iv || !tag || !body) throw new Error('This sealed secret is malformed.');
    if (found < 0) throw new Error(`This secret was sealed with a key Trellis does not have (fingerprint ${id}); set MFA_KEY to that key.`);
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.keys[found]!.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(`user:${owner}`));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    return { plain, stale: found > 0 };
  }
}
