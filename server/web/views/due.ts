import { dueLabel, dueUrgency, hasTime, today, type Due } from '../../tasks/due';

/**
 * A due date as pages show it: "Due Fri, Dec 11", with the classes that colour it (red once
 * missed, amber within two days). Null without a due date.
 */
export function dueModel(due: Due | null, closed: boolean, now: Date, timeZone: string) {
  if (due === null) return null;
  const urgency = dueUrgency(due, closed, now, timeZone);
  return {
    label: `Due ${dueLabel(due, today(now, timeZone).year)}`,
    className: urgency ? `due due-${urgency}` : 'due',
    // A valid HTML date, or local date and time: what <time datetime> takes.
    datetime: due,
  };
}

/** The date and time boxes of a form, from what was typed or else from the task. */
export function dueInputs(input: Record<string, unknown> | undefined, due: Due | null) {
  const typed = (key: string) => (typeof input?.[key] === 'string' ? (input[key] as string) : undefined);
  return {
    dueDate: typed('dueDate') ?? (due ? due.slice(0, 10) : ''),
    dueTime: typed('dueTime') ?? (due && hasTime(due) ? due.slice(11) : ''),
  };
}
