import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as authenticator apps expect it: HMAC-SHA1, 6 digits, 30-second steps. */
const PERIOD = 30;
const DIGITS = 6;

export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

function totp(secret: string, issuer: string, account: string): TOTP {
  return new TOTP({ issuer, label: account, algorithm: 'SHA1', digits: DIGITS, period: PERIOD, secret: Secret.fromBase32(secret) });
}

/** The `otpauth://totp/…` address an authenticator app reads from the QR code. */
export function otpauthUri(secret: string, issuer: string, account: string): string {
  return totp(secret, issuer, account).toString();
}

export function currentStep(now = Date.now()): number {
  return Math.floor(now / 1000 / PERIOD);
}

/**
 * The time step a code belongs to, when it is right for the current step or
 * one step either side (clocks drift); null when it is wrong.
 */
export function matchingStep(secret: string, code: string, now = Date.now()): number | null {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const delta = TOTP.validate({ token: code, secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: DIGITS, period: PERIOD, timestamp: now, window: 1 });
  return delta === null ? null : currentStep(now) + delta;
}

/** The code for a moment: what an authenticator app shows then (tests act as the app). */
export function codeAt(secret: string, when: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: DIGITS, period: PERIOD, timestamp: when });
}
