import type { Knex } from 'knex';
import { MAX_TEXT_LENGTH } from '../../tasks/events/description';
import type { Tracker } from '../../tasks/task';
import { queueMail } from '../outbox';
import { commandHelp } from './commands';
import type { InboundMessage } from './message';

/** The answer to a mail Trellis could not apply: what went wrong, the commands, and the person's own text to send again. */
export interface Refusal {
  to: string;
  subject: string;
  text: string;
  headers: Record<string, string>;
}

export interface RefusalInput {
  to: string;
  /** "T123" for a reply, null for a mail that was to create a task. */
  monogram: string | null;
  problems: string[];
  /** The new text of the mail as Trellis read it, quoted back so nothing the person wrote is lost. */
  text: string;
  message: InboundMessage;
}

function quote(text: string): string[] {
  return text ? text.split('\n').map((l) => (l ? `> ${l}` : '>')) : [];
}

export function buildRefusal(tracker: Tracker, r: RefusalInput): Refusal {
  const subject = r.message.subject ? `Re: ${r.message.subject.replace(/^re:\s*/i, '')}` : 'Your mail to Trellis was not applied';
  const what = r.monogram ? `your mail to ${r.monogram}` : 'your mail (to create a task)';
  const lines = [
    `Trellis could not apply ${what}, so nothing was changed: none of its commands and not its text.`,
    '',
    'What went wrong:',
    ...r.problems.map((p) => `- ${p}`),
    '',
    'Commands go on lines of their own at the top or the bottom of your mail:',
    '',
    ...commandHelp(tracker),
    '',
    r.monogram ? 'Everything else you write becomes a comment.' : 'The subject becomes the title and the rest the description.',
  ];
  const quoted = !r.text
    ? []
    : r.text.length > MAX_TEXT_LENGTH
      ? ['', 'What you wrote is too long to quote back here; your sent mail has it.']
      : ['', 'What you wrote, to send again:', '', ...quote(r.text)];
  const references = [...r.message.references, ...(r.message.messageId ? [r.message.messageId] : [])];
  const headers: Record<string, string> = { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' };
  if (r.message.messageId) headers['In-Reply-To'] = r.message.messageId;
  if (references.length) headers.References = references.join(' ');
  return { to: r.to, subject, text: lines.concat(quoted).join('\n') + '\n', headers };
}

/**
 * Queues the refusal in the transaction that records the mail, so the answer
 * exists exactly when the refusal was recorded. It is sent whatever the
 * person's mail settings: it answers something they just did.
 */
export async function queueRefusal(trx: Knex.Transaction, refusal: Refusal, about: { userId: number; taskId: number | null }): Promise<void> {
  await queueMail(trx, {
    kind: 'inbound-refusal',
    to: [refusal.to],
    subject: refusal.subject,
    text: refusal.text,
    headers: refusal.headers,
    userId: about.userId,
    taskId: about.taskId,
    mandatory: true,
  });
}
