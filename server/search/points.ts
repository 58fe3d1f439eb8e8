import { parsePoints, PointsProblem } from '../tasks/points';
import type { Tracker } from '../tasks/task';

/** What a search for points says while points are switched off: they are hidden, not silently ignored. */
export const POINTS_OFF = 'Points are not enabled on this install.';

function bound(v: string | undefined, field: string, problems: Record<string, string>): number | undefined {
  if (!v?.trim()) return undefined;
  try {
    return parsePoints(v) ?? undefined;
  } catch (err) {
    if (!(err instanceof PointsProblem)) throw err;
    problems[field] = err.message.replace('Points value', 'A points bound').replace(' or empty', '');
    return undefined;
  }
}

/** The points range of the filter form (pointsMin, pointsMax), both ends included. */
export function pointsRange(min: string | undefined, max: string | undefined, tracker: Tracker, problems: Record<string, string>): { min?: number; max?: number } | undefined {
  if (!min?.trim() && !max?.trim()) return undefined;
  if (!tracker.points.enabled) {
    // The form has no points fields then: the problem is the whole form's.
    problems.form = POINTS_OFF;
    return undefined;
  }
  const range = { min: bound(min, 'pointsMin', problems), max: bound(max, 'pointsMax', problems) };
  if (range.min !== undefined && range.max !== undefined && range.min > range.max) problems.pointsMax = 'The most points is below the fewest.';
  return range;
}
