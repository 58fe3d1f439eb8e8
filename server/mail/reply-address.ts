import crypto from 'node:crypto';

/**
 * Private reply addresses: `T123+<user id>+<hash>@<reply domain>`. The hash is an
 * HMAC of the task and the person under a key derived from the install's secret,
 * so a reply address can not be forged for another person or another task.
 */

export interface ReplyTarget {
  taskId: number;
  userId: number;
}

const HASH_LENGTH = 20;
const LOCAL_PART = /^t([0-9]{1,15})\+([0-9]{1,15})\+([0-9a-f]{20})$/;

// A key of its own, so a reply hash never doubles as a CSRF token or the other way round.
function replyKey(secret: string): Buffer {
  return crypto.createHmac('sha256', secret).update('trellis reply addresses').digest();
}

function hashFor(secret: string, target: ReplyTarget): string {
  return crypto
    .createHmac('sha256', replyKey(secret))
    .update(`T${target.taskId}+${target.userId}`)
    .digest('hex')
    .slice(0, HASH_LENGTH);
}

export function replyAddress(secret: string, domain: string, target: ReplyTarget): string {
  return `T${target.taskId}+${target.userId}+${hashFor(secret, target)}@${domain}`;
}

/** The task and person a reply address stands for, or null when it is not one of ours or its hash is wrong. */
export function parseReplyAddress(secret: string, domain: string, address: string): ReplyTarget | null {
  const at = address.lastIndexOf('@');
  if (at < 1 || address.slice(at + 1).toLowerCase() !== domain.toLowerCase()) return null;
  // Some relays fold the local part to lower case; the hash is hex, so case carries no meaning.
  const match = LOCAL_PART.exec(address.slice(0, at).toLowerCase());
  if (!match) return null;
  const target = { taskId: Number(match[1]), userId: Number(match[2]) };
  const expected = Buffer.from(hashFor(secret, target));
  const given = Buffer.from(match[3]!);
  return crypto.timingSafeEqual(expected, given) ? target : null;
}
