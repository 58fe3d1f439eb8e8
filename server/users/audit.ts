import type { Knex } from 'knex';
import * as repo from './audit-repository';
import { ROLE_NAMES, isRole } from './roles';

/** Who changes an account: an administrator on the web (with their address), or the command line (no actor). */
export interface Auditor {
  actorId: number | null;
  address: string | null;
}

export const COMMAND_LINE: Auditor = { actorId: null, address: null };

export type AuditAction = 'account.create' | 'account.role' | 'account.disable' | 'account.enable' | 'account.mfa-reset' | 'account.login-link' | 'account.password';

export function recordAudit(db: Knex, by: Auditor, action: AuditAction, targetId: number, details: Record<string, unknown> = {}): Promise<void> {
  return repo.insertAudit(db, { actorId: by.actorId, targetId, action, details, address: by.address });
}

const roleName = (r: unknown) => (typeof r === 'string' && isRole(r) ? ROLE_NAMES[r] : String(r));

/** One entry as a sentence: "alice changed the role of bob from Engineer to Maintainer." */
export function describeAudit(e: Pick<repo.AuditRow, 'action' | 'details' | 'actor' | 'target'>): string {
  const who = e.actor ?? 'The command line';
  const whom = e.target ?? 'an account';
  switch (e.action) {
    case 'account.create':
      return `${who} created the account ${whom} (${roleName(e.details.role)}).`;
    case 'account.role':
      return `${who} changed the role of ${whom} from ${roleName(e.details.from)} to ${roleName(e.details.to)}.`;
    case 'account.disable':
      return `${who} disabled ${whom}.`;
    case 'account.enable':
      return `${who} enabled ${whom}.`;
    case 'account.mfa-reset':
      return `${who} removed the second factor of ${whom}.`;
    case 'account.login-link':
      return `${who} made a one-time login link for ${whom}${e.details.mailed ? ', sent by mail' : ''}.`;
    case 'account.password':
      return `${who} set the password of ${whom}.`;
    default:
      return `${who} changed ${whom}.`;
  }
}

export const listAudit = repo.listAudit;
