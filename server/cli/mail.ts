import { z } from 'zod';
import { parseRowId } from '../db/ids';
import type { Booted } from '../boot';
import { outboundDetail, queueTestMail, retryMessage, STATUS_NAMES } from '../mail/admin';
import { listInbound } from '../mail/inbound/repository';
import { listMessages } from '../mail/repository';
import { messageIdOf } from '../mail/send-job';
import { parse, UsageError } from './args';

type Out = (line: string) => void;

const Address = z.email();

function messageIdArg(positionals: string[], usage: string): number {
  const id = positionals.length === 1 ? parseRowId(positionals[0]!) : null;
  if (id === null) throw new UsageError(usage);
  return id;
}

/** `--limit N` of the listing commands: 100 unless given. */
function limitArg(rest: string[]): number {
  const { values } = parse(rest, { limit: { type: 'string' } });
  const limit = values.limit === undefined ? 100 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw new UsageError('--limit is a number from 1 to 10000.');
  return limit;
}

/** The outcome of a message, as one line. */
async function report(booted: Booted, id: number, out: Out): Promise<boolean> {
  const { message, attempts } = await outboundDetail(booted.deps.db, id);
  const last = attempts[attempts.length - 1];
  if (message.status === 'sent') out(`Message ${id}: Sent through "${message.mailerKey}".`);
  else if (message.status === 'queued') out(`Message ${id}: Queued; every mailer failed for now and it will be tried again.${last?.error ? `\n${message.lastError}` : ''}`);
  else out(`Message ${id}: ${STATUS_NAMES[message.status]}: ${message.statusReason}`);
  return message.status === 'sent';
}

/** `mail list`, `mail inbound`, `mail show ID`, `mail send-test --to ADDRESS [--mailer KEY]`, `mail retry ID`. */
export async function mailCommand(sub: string | undefined, rest: string[], booted: Booted, out: Out): Promise<boolean> {
  const { db } = booted.deps;
  if (sub === 'list') {
    const limit = limitArg(rest);
    for (const m of await listMessages(db, limit)) {
      const who = [...m.to, ...m.cc].join(', ');
      const status = m.status === 'void' || m.status === 'failed' ? `${STATUS_NAMES[m.status]} (${m.statusReason})` : STATUS_NAMES[m.status];
      out(`${m.id}\t${status}\t${m.kind}\t${who}\t${m.subject}\t${m.mailerKey ?? ''}\t${m.attempts}`);
    }
    return true;
  }
  if (sub === 'inbound') {
    const limit = limitArg(rest);
    for (const m of await listInbound(db, limit)) {
      const task = m.taskId === null ? '' : `T${m.taskId}`;
      out(`${m.id}\t${m.receivedAt.toISOString()}\t${m.outcome}\t${m.kind}\t${m.sender ?? ''}\t${task}\t${m.reason ?? ''}`);
    }
    return true;
  }
  if (sub === 'show') {
    const { positionals } = parse(rest, {});
    const { message: m, attempts } = await outboundDetail(db, messageIdArg(positionals, 'Name one message: mail show ID'));
    out(`PROPERTIES\n  ID: ${m.id}\n  Status: ${STATUS_NAMES[m.status]}${m.statusReason ? ` (${m.statusReason})` : ''}\n  Kind: ${m.kind}`);
    out(`  Mailer: ${m.mailerKey ?? '-'}\n  Attempts: ${m.attempts}${m.lastError ? `\n  Last error: ${m.lastError}` : ''}`);
    const from = booted.deps.config.mail.from;
    out(`\nHEADERS\n  From: ${from}\n  To: ${m.to.join(', ')}${m.cc.length ? `\n  Cc: ${m.cc.join(', ')}` : ''}\n  Subject: ${m.subject}\n  Message-ID: ${messageIdOf(m, from)}`);
    if (m.replyTo) out(`  Reply-To: ${m.replyTo}`);
    for (const [name, value] of Object.entries(m.headers)) if (name !== 'Message-ID') out(`  ${name}: ${value}`);
    out('\nATTEMPTS');
    for (const a of attempts) out(`  ${a.createdAt.toISOString()}  ${a.mailerKey}  ${a.outcome}${a.error ? `  ${a.error}` : ''}`);
    out(`\nTEXT BODY\n${m.text}`);
    out(`\nHTML BODY\n${m.html ?? '(none)'}`);
    return true;
  }
  if (sub === 'send-test') {
    const { values, positionals } = parse(rest, { to: { type: 'string' }, mailer: { type: 'string' } });
    if (positionals.length || typeof values.to !== 'string') throw new UsageError('Say where to send it: mail send-test --to ADDRESS [--mailer KEY]');
    if (!Address.safeParse(values.to).success) throw new UsageError(`"${values.to}" is not a mail address.`);
    const mailer = typeof values.mailer === 'string' ? values.mailer : null;
    if (mailer && !booted.deps.config.mail.mailers.some((m) => m.key === mailer && m.outbound)) {
      throw new UsageError(`No outbound mailer is configured with the key "${mailer}".`);
    }
    const { messageId, jobId } = await queueTestMail(db, values.to, mailer);
    if (!(await booted.deps.jobs.runNow(jobId))) out(`Message ${messageId}: queued; a running server is sending it.`);
    return report(booted, messageId, out);
  }
  if (sub === 'retry') {
    const { positionals } = parse(rest, {});
    const id = messageIdArg(positionals, 'Name one message: mail retry ID');
    const jobId = await retryMessage(db, id);
    if (!(await booted.deps.jobs.runNow(jobId))) out(`Message ${id}: queued again; a running server is sending it.`);
    return report(booted, id, out);
  }
  throw new UsageError(`Unknown command: mail ${sub ?? ''}`);
}
