import type { MailConfig } from '../config';
import { parseReplyAddress, type ReplyTarget } from '../reply-address';

/** An address the listener accepts mail for. */
export type Recipient = { kind: 'reply'; address: string; target: ReplyTarget } | { kind: 'create'; address: string };

/** What an envelope recipient stands for, or null for anything that is not ours (and is refused at RCPT). */
export function classifyRecipient(mail: MailConfig, secret: string, address: string): Recipient | null {
  const trimmed = address.trim();
  if (mail.createAddress && trimmed.toLowerCase() === mail.createAddress.toLowerCase()) return { kind: 'create', address: trimmed };
  if (!mail.replyDomain) return null;
  const target = parseReplyAddress(secret, mail.replyDomain, trimmed);
  return target ? { kind: 'reply', address: trimmed, target } : null;
}
