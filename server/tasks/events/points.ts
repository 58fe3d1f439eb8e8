import { formatPoints, parsePoints, PointsProblem } from '../points';
import { say, value } from './sentence';
import { FieldProblem, type EventType } from './types';

const shown = (v: unknown) => value(formatPoints(Number(v)));

export const points: EventType<number | null> = {
  type: 'points',
  strength: 105,
  field: 'points',
  parse(raw, { tracker }) {
    if (!tracker.points.enabled) throw new FieldProblem('points', 'Points are not enabled on this install.');
    try {
      return parsePoints(raw);
    } catch (err) {
      if (err instanceof PointsProblem) throw new FieldProblem('points', err.message);
      throw err;
    }
  },
  current: (s) => s.points,
  apply: (s, points) => ({ ...s, points }),
  // Estimating is planning, as priority is.
  capability: () => 'task.triage',
  refusal: 'You do not have permission to change the points of this task.',
  isNoop: (a, b) => a === b,
  userIds: () => [],
  hiddenOnCreate: () => false,
  action: () => 'Changed Points',
  // Switched off, points leave the timeline and the mail, as in Phabricator; the events stay stored.
  describe(e, { actor, tracker }) {
    if (!tracker.points.enabled) return null;
    if (e.new === null) {
      return e.old === null ? say`${actor} removed the point value for this task.` : say`${actor} removed the point value ${shown(e.old)} for this task.`;
    }
    if (e.old === null) return say`${actor} set the point value for this task to ${shown(e.new)}.`;
    return say`${actor} changed the point value for this task from ${shown(e.old)} to ${shown(e.new)}.`;
  },
};
