import { formatPoints, pointsText } from '../../tasks/points';
import type { Tracker } from '../../tasks/task';

/** "3 Story Points" for a task's tag or list row; null when it has none or points are switched off. */
export function pointsTag(tracker: Tracker, points: number | null): string | null {
  return tracker.points.enabled && points !== null ? pointsText(points, tracker.points) : null;
}

/** A sum of a list group or board column: "12 Story Points"; null when switched off or nothing is estimated. */
export function pointsSum(tracker: Tracker, sum: number | null | undefined): string | null {
  return tracker.points.enabled && sum ? pointsText(sum, tracker.points) : null;
}

/**
 * The points input of a form, when this install has points: the typed value
 * of a refused submission, else the task's own (`current`, empty for none).
 */
export function pointsInput(tracker: Tracker, input: Record<string, unknown> | undefined, current: number | null, label = tracker.points.label) {
  if (!tracker.points.enabled) return null;
  const typed = input?.points;
  return {
    label,
    value: typeof typed === 'string' ? typed : current === null ? '' : formatPoints(current),
    current: current === null ? '' : formatPoints(current),
  };
}
