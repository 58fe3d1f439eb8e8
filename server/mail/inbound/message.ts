import { simpleParser, type AddressObject } from 'mailparser';

/** What Trellis reads from a received mail; attachments are not kept. */
export interface InboundMessage {
  /** The one address of the From header, lower-cased; null when there is none or several. */
  from: string | null;
  /** The envelope sender (MAIL FROM); empty for bounces and other delivery reports. */
  envelopeFrom: string;
  subject: string;
  /** The plain text part, or the HTML part rendered as text when the mail has no plain part. */
  text: string;
  messageId: string | null;
  references: string[];
  /** Lower-cased header names and their values as text, for the loop checks. */
  headers: Map<string, string>;
}

/** "Name: value" as received, unfolded. */
function headerValue(line: string): string {
  return line.slice(line.indexOf(':') + 1).replace(/\r?\n[ \t]+/g, ' ').trim();
}

function soleAddress(from: AddressObject | undefined): string | null {
  const list = from?.value ?? [];
  if (list.length !== 1 || !list[0]!.address) return null;
  return list[0]!.address.toLowerCase();
}

function referenceList(refs: string[] | string | undefined): string[] {
  if (refs === undefined) return [];
  return Array.isArray(refs) ? refs : [refs];
}

export async function readMessage(raw: Buffer, envelopeFrom: string): Promise<InboundMessage> {
  const parsed = await simpleParser(raw, { skipTextToHtml: true, skipImageLinks: true });
  const headers = new Map<string, string>();
  for (const { key, line } of parsed.headerLines) if (!headers.has(key)) headers.set(key, headerValue(line));
  return {
    from: soleAddress(parsed.from),
    envelopeFrom,
    subject: (parsed.subject ?? '').trim(),
    text: parsed.text ?? '',
    messageId: parsed.messageId ?? null,
    references: referenceList(parsed.references),
    headers,
  };
}
