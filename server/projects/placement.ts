import type { Tracker } from '../tasks/task';
import type { BoardColumn } from './board-repository';

/**
 * Where a card belongs on one board: the rule that keeps columns and status in
 * step. Pure, so the editor applies it the same way for every source of edits.
 *
 * A column bound to a closed status never holds an open task, a column bound
 * to an open status never holds a closed one. The default column is never
 * bound to a closed status, and every board keeps a visible column not bound
 * to an open status (column edits refuse to break either), so a place exists.
 */

/** Whether a card of a task with this status may not stay in the column. */
export function violates(column: BoardColumn, status: string, tracker: Tracker): boolean {
  return column.status !== null && tracker.isClosed(column.status) !== tracker.isClosed(status);
}

const usable = (c: BoardColumn) => !c.hidden && c.proxyProjectId === null;

/** The column a task of this status goes to when nothing else decides. */
export function homeColumn(columns: BoardColumn[], status: string, tracker: Tracker): BoardColumn | undefined {
  const open = columns.filter(usable);
  const bound = open.find((c) => c.status === status);
  if (bound) return bound;
  if (!tracker.isClosed(status)) return open.find((c) => c.isDefault) ?? open.find((c) => !violates(c, status, tracker));
  return open.find((c) => c.status !== null && tracker.isClosed(c.status)) ?? open.find((c) => c.isDefault && c.status === null) ?? open.find((c) => c.status === null);
}

export interface CardSituation {
  status: string;
  statusChanged: boolean;
  /** The column the card is in now; null for a task new on this board. */
  current: number | null;
  /** The proxy column of the milestone the task is tagged with, on its parent's board. */
  milestoneColumn: number | null;
}

export function placeCard(columns: BoardColumn[], tracker: Tracker, s: CardSituation): number | null {
  if (s.milestoneColumn !== null) return s.milestoneColumn;
  const current = columns.find((c) => c.id === s.current && c.proxyProjectId === null);
  if (current && !violates(current, s.status, tracker)) {
    if (!s.statusChanged) return current.id;
    const bound = columns.find((c) => usable(c) && c.status === s.status);
    return (bound ?? current).id;
  }
  return homeColumn(columns, s.status, tracker)?.id ?? current?.id ?? null;
}

/**
 * What a board's column set must keep: a default column not bound to a closed
 * status, and a visible column a closed task may sit in. The sentence says
 * what is wrong, or null.
 */
export function columnSetProblem(columns: BoardColumn[], tracker: Tracker): string | null {
  const def = columns.find((c) => c.isDefault);
  if (def && def.status !== null && tracker.isClosed(def.status)) {
    return `The default column "${def.name}" takes newly tagged tasks, so it can not be bound to a closed status.`;
  }
  if (!columns.some((c) => usable(c) && (c.status === null || tracker.isClosed(c.status)))) {
    return 'Closed tasks need a place: keep one visible column that is not bound to an open status.';
  }
  return null;
}
