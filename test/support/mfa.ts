import type { Knex } from 'knex';
import { codeAt, currentStep } from '../../server/users/mfa/totp';
import { textOf, type Browser } from './http';

const STEP_MS = 30_000;
/** How close to a step's end a code is not computed. */
const STEP_GUARD_MS = 5_000;

/**
 * A code an authenticator app would show and Trellis has not yet accepted: the
 * current step or one either side. When a test has used all three, it lets
 * time pass by moving the account's last accepted step back.
 */
export async function nextCode(db: Knex, userId: number, secret: string): Promise<string> {
  const row = await db('mfa_factors').select('last_step').where({ user_id: userId }).first();
  const last = row?.last_step === null || row?.last_step === undefined ? -Infinity : Number(row.last_step);
  // The previous step's code is refused once the server's clock is two steps on: near the end of a
  // step, a slow request could get there. The next step starts within a few seconds; wait for it.
  const left = STEP_MS - (Date.now() % STEP_MS);
  if (left < STEP_GUARD_MS) await new Promise((resolve) => setTimeout(resolve, left + 50));
  const now = Date.now();
  for (const offset of [-1, 0, 1]) {
    if (currentStep(now) + offset > last) return codeAt(secret, now + offset * STEP_MS);
  }
  await db('mfa_factors').where({ user_id: userId }).update({ last_step: currentStep(now) - 2 });
  return codeAt(secret, now - STEP_MS);
}

/** A code that is wrong for every step in the window. */
export function wrongCode(secret: string): string {
  const now = Date.now();
  const right = new Set([-1, 0, 1].map((o) => codeAt(secret, now + o * STEP_MS)));
  for (let n = 0; ; n++) {
    const candidate = String(n).padStart(6, '0');
    if (!right.has(candidate)) return candidate;
  }
}

export interface Enrolment {
  secret: string;
  recoveryCodes: string[];
}

/** Enrols a second factor through the pages, as a person with an authenticator app would. */
export async function enrolMfa(b: Browser, db: Knex, userId: number): Promise<Enrolment> {
  const begun = await b.post('/settings/mfa/begin', {}, '/settings/mfa/');
  if (begun.status !== 303) throw new Error(`Starting enrolment failed with ${begun.status}: ${begun.text}`);
  const page = await b.get('/settings/mfa/');
  const secret = textOf(page.dom.querySelector('.totp-secret')!).replace(/\s+/g, '');
  const done = await b.post('/settings/mfa/confirm', { code: await nextCode(db, userId, secret) }, '/settings/mfa/');
  if (done.status !== 200) throw new Error(`Finishing enrolment failed with ${done.status}: ${done.text}`);
  const recoveryCodes = done.dom.querySelectorAll('.recovery-codes li').map((li) => textOf(li));
  return { secret, recoveryCodes };
}
