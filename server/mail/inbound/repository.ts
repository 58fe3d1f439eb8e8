import type { Knex } from 'knex';

export type InboundKind = 'reply' | 'create';
export type InboundOutcome = 'applied' | 'created' | 'refused' | 'dropped';

export interface InboundRecord {
  messageId: string | null;
  recipient: string;
  sender: string | null;
  kind: InboundKind;
}

export interface InboundResult {
  outcome: InboundOutcome;
  reason: string | null;
  taskId: number | null;
  userId: number | null;
  groupId: string | null;
}

/** Records a mail as received; null when this mail already came for this recipient. */
export async function insertInbound(trx: Knex.Transaction, r: InboundRecord): Promise<number | null> {
  const result = await trx.raw(
    `INSERT INTO inbound_mail (message_id, recipient, sender, kind, outcome) VALUES (?, ?, ?, ?, 'received')
     ON CONFLICT (message_id, lower(recipient)) WHERE message_id IS NOT NULL DO NOTHING RETURNING id`,
    [r.messageId, r.recipient, r.sender, r.kind],
  );
  const row = (result.rows as { id: number }[])[0];
  return row ? row.id : null;
}

export async function finishInbound(trx: Knex.Transaction, id: number, r: InboundResult): Promise<void> {
  await trx('inbound_mail').where({ id }).update({
    outcome: r.outcome,
    reason: r.reason,
    task_id: r.taskId,
    user_id: r.userId,
    group_id: r.groupId,
  });
}

export interface InboundRow {
  id: number;
  receivedAt: Date;
  outcome: string;
  kind: InboundKind;
  sender: string | null;
  recipient: string;
  taskId: number | null;
  reason: string | null;
}

/** The mail received last, newest first. */
export async function listInbound(db: Knex, limit: number): Promise<InboundRow[]> {
  const rows = (await db('inbound_mail')
    .select('id', 'received_at', 'outcome', 'kind', 'sender', 'recipient', 'task_id', 'reason')
    .orderBy('id', 'desc')
    .limit(limit)) as { id: number; received_at: Date; outcome: string; kind: InboundKind; sender: string | null; recipient: string; task_id: number | null; reason: string | null }[];
  return rows.map((r) => ({ id: r.id, receivedAt: new Date(r.received_at), outcome: r.outcome, kind: r.kind, sender: r.sender, recipient: r.recipient, taskId: r.task_id, reason: r.reason }));
}

/** Forgets mail received more than `days` ago; returns how many rows went. */
export async function pruneInbound(db: Knex, days: number): Promise<number> {
  const result = await db.raw('DELETE FROM inbound_mail WHERE received_at < now() - make_interval(days => ?)', [days]);
  return result.rowCount ?? 0;
}
