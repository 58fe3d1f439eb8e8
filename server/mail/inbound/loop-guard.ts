import type { InboundMessage } from './message';

/** A header value as a reason quotes it: a sender may make it as long as the mail. */
const shown = (value: string) => (value.length > 80 ? `${value.slice(0, 80)}…` : value);

/**
 * Why a mail must never be answered nor applied, or null. Answering mail that
 * machines wrote (Trellis's own notifications coming back, out-of-office
 * replies, bounces, list traffic) is how two systems end up mailing each
 * other forever.
 */
export function loopReason(msg: InboundMessage): string | null {
  for (const name of msg.headers.keys()) {
    if (name.startsWith('x-trellis-')) return `it carries Trellis's own ${shown(name)} header`;
  }
  // The form of Message-ID the outbox gives what Trellis sends; no mail client makes one like it.
  if (msg.messageId?.startsWith('<trellis-mail-')) return `it is Trellis's own mail (Message-ID ${shown(msg.messageId)})`;
  if (!msg.envelopeFrom) return 'it is a delivery report (empty envelope sender)';
  const auto = msg.headers.get('auto-submitted')?.trim().toLowerCase();
  // RFC 3834: "no" is what people's own mail says; anything else (auto-replied, auto-generated, …) is a machine.
  if (auto && auto.split(';')[0]!.trim() !== 'no') return `it is automatic (Auto-Submitted: ${shown(auto)})`;
  const precedence = msg.headers.get('precedence')?.trim().toLowerCase();
  if (precedence === 'bulk' || precedence === 'junk' || precedence === 'list') return `it is bulk mail (Precedence: ${precedence})`;
  return null;
}

/**
 * Why a mail that may be applied must still not be answered, or null.
 * Exchange's X-Auto-Response-Suppress asks receivers not to answer with
 * anything automatic; it is no sign that a machine wrote the mail (Exchange
 * servers put it on people's own mail too), so it only keeps refusals back.
 */
export function noAnswerReason(msg: InboundMessage): string | null {
  const suppress = msg.headers.get('x-auto-response-suppress')?.trim().toLowerCase();
  return suppress && suppress !== 'none' ? `it asks not to be answered (X-Auto-Response-Suppress: ${shown(suppress)})` : null;
}
