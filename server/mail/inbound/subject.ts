import { MAX_TITLE_LENGTH } from '../../tasks/task';

/** What clients put before a subject they reply to or forward, in a few languages. */
const PREFIXES = ['re:', 'fwd:', 'fw:', 'aw:', 'wg:', 'tr:'];

/** A task title from a mail's subject: without reply and forward markers, not too long. */
export function titleFromSubject(subject: string): string {
  const lower = subject.toLowerCase();
  let at = 0;
  const skipSpace = () => {
    while (at < subject.length && (subject[at] === ' ' || subject[at] === '\t')) at++;
  };
  skipSpace();
  for (let prefix = PREFIXES.find((p) => lower.startsWith(p, at)); prefix; prefix = PREFIXES.find((p) => lower.startsWith(p, at))) {
    at += prefix.length;
    skipSpace();
  }
  const chars = [...subject.slice(at).trim()];
  const title = chars.length > MAX_TITLE_LENGTH ? chars.slice(0, MAX_TITLE_LENGTH - 1).join('') + '…' : chars.join('');
  return title || 'Untitled Task';
}
