import { say, value } from './sentence';
import { FieldProblem, type EventType } from './types';
import { asString } from './values';

export const status: EventType<string> = {
  type: 'status',
  strength: 130,
  field: 'status',
  parse(raw, { tracker }, current) {
    const key = asString(raw)?.trim().toLowerCase() ?? '';
    const found = tracker.status(key);
    // A reserved status can be kept but not chosen.
    if (!found || (found.reserved && key !== current)) {
      const keys = tracker.pickableStatuses.map((s) => s.key).join(', ');
      throw new FieldProblem('status', `"${asString(raw) ?? ''}" is not a valid status. Choose one of: ${keys}.`);
    }
    return key;
  },
  current: (s) => s.status,
  apply: (s, status) => ({ ...s, status }),
  capability: () => 'task.close',
  isNoop: (a, b) => a === b,
  userIds: () => [],
  // Stored on creation only when it differs from the default, so it is a choice worth a line.
  hiddenOnCreate: () => false,
  action(e, tracker) {
    const wasClosed = tracker.isClosed(String(e.old));
    const isClosed = tracker.isClosed(String(e.new));
    return !wasClosed && isClosed ? 'Closed' : wasClosed && !isClosed ? 'Reopened' : 'Changed Status';
  },
  describe(e, { actor, tracker }) {
    const from = String(e.old);
    const to = String(e.new);
    const wasClosed = tracker.isClosed(from);
    const isClosed = tracker.isClosed(to);
    if (!wasClosed && isClosed) return say`${actor} closed this task as ${value(tracker.statusName(to))}.`;
    if (wasClosed && !isClosed) return say`${actor} reopened this task as ${value(tracker.statusName(to))}.`;
    return say`${actor} changed the task status from ${value(tracker.statusName(from))} to ${value(tracker.statusName(to))}.`;
  },
};
