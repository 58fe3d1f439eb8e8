import { say, value } from './sentence';
import { FieldProblem, type EventType } from './types';
import { asString } from './values';

export const priority: EventType<number> = {
  type: 'priority',
  strength: 110,
  field: 'priority',
  parse(raw, { tracker }, current) {
    const text = asString(raw)?.trim().toLowerCase() ?? '';
    const byKeyword = tracker.priorityByKey(text);
    if (byKeyword) return byKeyword.value;
    // Saved forms and older scripts send the number itself.
    if (/^[0-9]+$/.test(text) && (tracker.priority(Number(text)) || Number(text) === current)) return Number(text);
    const keywords = tracker.priorities.map((p) => p.keyword).join(', ');
    throw new FieldProblem(
      'priority',
      `"${asString(raw) ?? ''}" is not a valid priority. Use a priority keyword: ${keywords}.`,
    );
  },
  current: (s) => s.priority,
  apply: (s, priority) => ({ ...s, priority }),
  capability: () => 'task.triage',
  isNoop: (a, b) => a === b,
  userIds: () => [],
  // Stored on creation only when it differs from the default, so it is a choice worth a line.
  hiddenOnCreate: () => false,
  action(e, tracker) {
    if (Number(e.old) === tracker.defaultPriority) return 'Triaged';
    return Number(e.new) < Number(e.old) ? 'Lowered Priority' : 'Raised Priority';
  },
  describe(e, { actor, tracker }) {
    const from = Number(e.old);
    const to = Number(e.new);
    const toName = value(tracker.priorityName(to));
    if (from === tracker.defaultPriority) return say`${actor} triaged this task as ${toName} priority.`;
    const fromName = value(tracker.priorityName(from));
    if (to < from) return say`${actor} lowered the priority of this task from ${fromName} to ${toName}.`;
    return say`${actor} raised the priority of this task from ${fromName} to ${toName}.`;
  },
};
