import { MAX_TITLE_LENGTH } from '../task';
import { say, value } from './sentence';
import { FieldProblem, type EventType } from './types';
import { asString, hiddenWhenOldEmpty } from './values';

export const title: EventType<string> = {
  type: 'title',
  strength: 140,
  field: 'title',
  parse(raw) {
    const text = asString(raw);
    if (text === null) throw new FieldProblem('title', 'The title must be text.');
    // A title is one line of plain text: line breaks and tabs read as spaces, NUL as U+FFFD (as in
    // all text), other control characters go.
    const trimmed = text
      .replaceAll('\u0000', '\uFFFD')
      .replace(/[\t\n\r]+/g, ' ')
      .replace(/[\u0000-\u001f\u007f]/g, '')
      .trim();
    if (!trimmed) throw new FieldProblem('title', 'Tasks must have a title.');
    if ([...trimmed].length > MAX_TITLE_LENGTH) {
      throw new FieldProblem('title', `Task titles are at most ${MAX_TITLE_LENGTH} characters.`);
    }
    return trimmed;
  },
  current: (s) => s.title,
  apply: (s, title) => ({ ...s, title }),
  capability: () => 'task.edit',
  isNoop: (a, b) => a === b,
  userIds: () => [],
  hiddenOnCreate: hiddenWhenOldEmpty,
  action: () => 'Retitled',
  describe: (e, { actor }) => say`${actor} renamed this task from ${value(String(e.old))} to ${value(String(e.new))}.`,
};
