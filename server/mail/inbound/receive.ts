import type { Knex } from 'knex';
import { AppError, NotFoundError, ValidationError } from '../../errors';
import { logLine } from '../../log';
import { applyEdit } from '../../tasks/editor';
import type { Change } from '../../tasks/events/types';
import type { Tracker } from '../../tasks/task';
import { findUserById, findUsersByEmail } from '../../users/repository';
import type { User } from '../../users/user';
import { commandChanges, splitCommands } from './commands';
import { loopReason, noAnswerReason } from './loop-guard';
import type { InboundMessage } from './message';
import type { Recipient } from './recipients';
import { buildRefusal, type Refusal } from './refusal';
import { finishInbound, insertInbound, type InboundResult } from './repository';
import { stripQuotedText, stripSignature } from './quoted-text';
import { titleFromSubject } from './subject';

export interface InboundContext {
  db: Knex;
  tracker: Tracker;
  log: (line: string) => void;
  /** Sends a refusal, in the transaction that records the mail. */
  refuse: (trx: Knex.Transaction, refusal: Refusal, about: { userId: number; taskId: number | null }) => Promise<void>;
}

type Decision = InboundResult & { refusal?: Refusal };

const MAX_REASON = 1000;

const drop = (reason: string, userId: number | null = null, taskId: number | null = null): Decision => ({
  outcome: 'dropped',
  reason,
  userId,
  taskId,
  groupId: null,
});

/** The person behind a reply: the one the address was made for, writing from their own account's address. */
async function replier(trx: Knex.Transaction, msg: InboundMessage, userId: number): Promise<User | string> {
  if (!msg.from) return 'it has no single From address';
  const user = await findUserById(trx, userId);
  if (!user) return `the reply address names account ${userId}, which does not exist`;
  if (user.disabledAt) return `the account @${user.username} is disabled`;
  if (user.email?.toLowerCase() !== msg.from) return `the sender is not the address of @${user.username}, whom the reply address was made for`;
  return user;
}

/** The author of a new task: the one enabled account whose address sent it. */
async function creator(trx: Knex.Transaction, msg: InboundMessage): Promise<User | string> {
  if (!msg.from) return 'it has no single From address';
  const enabled = (await findUsersByEmail(trx, msg.from)).filter((u) => !u.disabledAt);
  if (enabled.length === 1) return enabled[0]!;
  return enabled.length ? 'the sender address belongs to several accounts' : 'the sender is not the address of any enabled account';
}

/** The editor's refusal in the words of the mail: which command line each problem belongs to. */
function editorProblems(err: AppError, lineOfField: Map<string, string>, monogram: string | null): string[] {
  if (err instanceof NotFoundError) return [`${monogram} does not exist, or you can not see it.`];
  if (!(err instanceof ValidationError)) return [err.message];
  return Object.entries(err.fields).map(([field, message]) => {
    const line = lineOfField.get(field);
    if (line) return `"${line}": ${message}`;
    if (field === 'comment') return `Your comment: ${message}`;
    if (field === 'description') return `Your description: ${message}`;
    return message;
  });
}

async function decide(trx: Knex.Transaction, ctx: InboundContext, recipient: Recipient, msg: InboundMessage): Promise<Decision> {
  const loop = loopReason(msg);
  if (loop) return drop(loop);
  const taskId = recipient.kind === 'reply' ? recipient.target.taskId : null;
  const who = recipient.kind === 'reply' ? await replier(trx, msg, recipient.target.userId) : await creator(trx, msg);
  if (typeof who === 'string') return drop(who, null, taskId);

  const body = splitCommands(recipient.kind === 'reply' ? stripQuotedText(msg.text) : stripSignature(msg.text));
  const commands = commandChanges(body.commands, who, ctx.tracker);
  const monogram = taskId === null ? null : `T${taskId}`;
  const refuse = (problems: string[]): Decision => {
    const silent = noAnswerReason(msg);
    return {
      outcome: 'refused',
      reason: problems.join(' ') + (silent ? ` Not answered: ${silent}.` : ''),
      userId: who.id,
      taskId,
      groupId: null,
      refusal: silent ? undefined : buildRefusal(ctx.tracker, { to: who.email!, monogram, problems, text: body.text, message: msg }),
    };
  };
  if (commands.problems.length) return refuse(commands.problems.map((p) => `"${p.line}": ${p.message}`));

  const changes: Change[] =
    taskId === null
      ? [{ type: 'title', value: titleFromSubject(msg.subject) }, ...(body.text ? [{ type: 'description', value: body.text }] : []), ...commands.changes]
      : [...commands.changes, ...(body.text ? [{ type: 'comment', value: body.text }] : [])];
  if (taskId !== null && !changes.length) return refuse(['Trellis found neither text nor commands in it (quoted text and signatures are left out).']);
  try {
    const edit = await applyEdit({ db: trx, tracker: ctx.tracker }, who, taskId, changes, { source: 'email' });
    return {
      outcome: taskId === null ? 'created' : 'applied',
      reason: edit.events.length ? null : 'it changed nothing',
      userId: who.id,
      taskId: edit.taskId,
      groupId: edit.groupId || null,
    };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return refuse(editorProblems(err, commands.lineOfField, monogram));
  }
}

/**
 * Applies one received mail for one of its recipients, in one transaction:
 * records it (a second delivery of the same Message-ID is ignored), drops what
 * must not be answered, applies the rest through the editor, and answers a
 * refused mail. What happened is logged, never the mail's content.
 */
export async function receiveMail(ctx: InboundContext, recipient: Recipient, msg: InboundMessage): Promise<Decision | null> {
  const decision = await ctx.db.transaction(async (trx) => {
    const id = await insertInbound(trx, {
      // Short enough for the unique index in any encoding; real Message-IDs are far shorter.
      messageId: msg.messageId?.slice(0, 250) ?? null,
      recipient: recipient.address.slice(0, 320),
      sender: msg.from?.slice(0, 320) ?? null,
      kind: recipient.kind,
    });
    if (id === null) return null;
    const decided = await decide(trx, ctx, recipient, msg);
    // Reasons quote command lines, which a sender may make as long as the mail.
    if (decided.reason && decided.reason.length > MAX_REASON) decided.reason = `${decided.reason.slice(0, MAX_REASON)}…`;
    await finishInbound(trx, id, decided);
    if (decided.refusal && decided.userId !== null) await ctx.refuse(trx, decided.refusal, { userId: decided.userId, taskId: decided.taskId });
    return decided;
  });
  ctx.log(
    logLine({
      level: decision && decision.outcome !== 'dropped' ? 'info' : 'warn',
      msg: 'inbound mail',
      outcome: decision?.outcome ?? 'duplicate',
      reason: decision ? decision.reason : 'this Message-ID was already received for this recipient',
      kind: recipient.kind,
      taskId: decision?.taskId ?? null,
      userId: decision?.userId ?? null,
      messageId: msg.messageId?.slice(0, 200) ?? null,
    }),
  );
  return decision;
}
