import { dueText, parseDue, type Due } from '../due';
import { say, value } from './sentence';
import type { EventType } from './types';

export const due: EventType<Due | null> = {
  type: 'due',
  strength: 105,
  field: 'due',
  parse: (raw) => parseDue(raw),
  current: (s) => s.due,
  apply: (s, due) => ({ ...s, due }),
  capability: () => 'task.edit',
  refusal: 'You do not have permission to change the due date of this task.',
  isNoop: (a, b) => a === b,
  userIds: () => [],
  // A due date chosen at creation is a plan worth a line, as an owner is.
  hiddenOnCreate: () => false,
  action(e) {
    if (e.new === null) return 'Removed Due Date';
    return e.old === null ? 'Set Due Date' : 'Changed Due Date';
  },
  describe(e, { actor }) {
    const from = e.old as Due | null;
    const to = e.new as Due | null;
    if (to === null) return say`${actor} removed the due date.`;
    if (from === null) return say`${actor} set the due date to ${value(dueText(to))}.`;
    return say`${actor} changed the due date from ${value(dueText(from))} to ${value(dueText(to))}.`;
  },
};
