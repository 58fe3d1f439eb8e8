import { say } from './sentence';
import { FieldProblem, type EventType } from './types';
import { asString, hiddenWhenOldEmpty } from './values';

export const MAX_TEXT_LENGTH = 262144;

/** Text from forms arrives with CRLF; store one newline convention. */
export function normaliseText(raw: unknown, field: string): string {
  const text = asString(raw);
  if (text === null) throw new FieldProblem(field, 'This must be text.');
  // PostgreSQL text cannot hold U+0000; CommonMark reads it as U+FFFD, and so do we, on every path in.
  const normal = text.replace(/\r\n?/g, '\n').replaceAll('\u0000', '\uFFFD');
  if (normal.length > MAX_TEXT_LENGTH) {
    throw new FieldProblem(field, `This text is too long: at most ${MAX_TEXT_LENGTH} characters.`, 413);
  }
  return normal;
}

export const description: EventType<string> = {
  type: 'description',
  strength: 100,
  field: 'description',
  parse: (raw) => normaliseText(raw, 'description'),
  current: (s) => s.description,
  apply: (s, description) => ({ ...s, description }),
  capability: () => 'task.edit',
  isNoop: (a, b) => a.trimEnd() === b.trimEnd(),
  userIds: () => [],
  hiddenOnCreate: hiddenWhenOldEmpty,
  action: () => 'Edited',
  describe: (_e, { actor }) => say`${actor} updated the task description.`,
};
