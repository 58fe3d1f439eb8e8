import { STATUS_NAMES, type OutboundDetail } from '../../mail/admin';
import { messageIdOf } from '../../mail/send-job';
import type { MailMessage } from '../../mail/repository';
import { formatDateTime } from './dates';

const recipients = (m: MailMessage) => [...m.to, ...m.cc.map((a) => `${a} (Cc)`)].join(', ');

export function outboxRowModel(m: MailMessage, now: Date, timeZone: string) {
  return {
    id: m.id,
    url: `/mail/${m.id}/`,
    status: m.status,
    statusName: STATUS_NAMES[m.status],
    reason: m.statusReason,
    kind: m.kind,
    subject: m.subject || (m.rendered ? '(no subject)' : '(not rendered yet)'),
    recipients: recipients(m),
    mailer: m.mailerKey,
    attempts: m.attempts,
    lastError: m.status === 'queued' ? m.lastError : null,
    created: formatDateTime(m.createdAt, now, timeZone),
  };
}

export function outboxListModel(messages: MailMessage[], pageSize: number, timeZone: string) {
  const now = new Date();
  const last = messages[messages.length - 1];
  return {
    messages: messages.map((m) => outboxRowModel(m, now, timeZone)),
    olderUrl: messages.length === pageSize && last ? `/mail/?before=${last.id}` : null,
  };
}

/** Every header as it goes out, the ones Trellis sets itself first. */
function headerLines(m: MailMessage, from: string): { name: string; value: string }[] {
  const lines = [
    { name: 'From', value: from },
    { name: 'To', value: m.to.join(', ') },
    ...(m.cc.length ? [{ name: 'Cc', value: m.cc.join(', ') }] : []),
    { name: 'Subject', value: m.subject },
    { name: 'Message-ID', value: messageIdOf(m, from) },
    ...(m.replyTo ? [{ name: 'Reply-To', value: m.replyTo }] : []),
  ];
  for (const [name, value] of Object.entries(m.headers)) if (name !== 'Message-ID') lines.push({ name, value });
  return lines;
}

export function outboxDetailModel(d: OutboundDetail, from: string, timeZone: string) {
  const now = new Date();
  return {
    message: outboxRowModel(d.message, now, timeZone),
    sent: d.message.sentAt ? formatDateTime(d.message.sentAt, now, timeZone) : null,
    canRetry: d.message.status !== 'sent',
    taskUrl: d.message.taskId ? `/T${d.message.taskId}` : null,
    taskMonogram: d.message.taskId ? `T${d.message.taskId}` : null,
    headers: headerLines(d.message, from),
    text: d.message.text,
    html: d.message.html,
    attempts: d.attempts.map((a) => ({ mailer: a.mailerKey, outcome: a.outcome, error: a.error, at: formatDateTime(a.createdAt, now, timeZone) })),
  };
}
