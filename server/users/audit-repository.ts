import type { Knex } from 'knex';

export interface AuditInsert {
  actorId: number | null;
  targetId: number | null;
  action: string;
  details: Record<string, unknown>;
  address: string | null;
}

export async function insertAudit(db: Knex, e: AuditInsert): Promise<void> {
  await db('audit_log').insert({ actor_id: e.actorId, target_id: e.targetId, action: e.action, details: JSON.stringify(e.details), address: e.address });
}

export interface AuditRow {
  id: number;
  at: Date;
  action: string;
  details: Record<string, unknown>;
  address: string | null;
  actor: string | null;
  target: string | null;
}

/** The newest entries first, with the usernames of who did it and to whom. */
export async function listAudit(db: Knex, limit: number): Promise<AuditRow[]> {
  const rows = await db('audit_log as a')
    .leftJoin('users as actor', 'actor.id', 'a.actor_id')
    .leftJoin('users as target', 'target.id', 'a.target_id')
    .select('a.id', 'a.at', 'a.action', 'a.details', 'a.address', 'actor.username as actor', 'target.username as target')
    .orderBy([{ column: 'a.at', order: 'desc' }, { column: 'a.id', order: 'desc' }])
    .limit(limit);
  return rows.map((r) => ({ ...r, details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details }));
}
