import type { FieldFilter } from '../fields/filter';

/** A task query: what to find, in which order, grouped how. Shared by the web lists and the API. */

export const ORDERS = ['priority', 'updated', 'outdated', 'newest', 'oldest', 'closed', 'title', 'points', 'relevance', 'due'] as const;
export type Order = (typeof ORDERS)[number];

/** The orders this install offers: by points only while points are switched on. */
export function ordersOf(pointsEnabled: boolean): readonly Order[] {
  return pointsEnabled ? ORDERS : ORDERS.filter((o) => o !== 'points');
}

export const GROUPS = ['priority', 'owner', 'status', 'project', 'none'] as const;
/** The built-in groupings, and custom.KEY for a select or users field. */
export type Group = (typeof GROUPS)[number] | `custom.${string}`;

export const ORDER_NAMES: Record<Order, string> = {
  priority: 'Priority',
  updated: 'Date Updated (Newest First)',
  outdated: 'Date Updated (Oldest First)',
  newest: 'Creation (Newest First)',
  oldest: 'Creation (Oldest First)',
  closed: 'Date Closed (Latest First)',
  title: 'Title',
  points: 'Points (Most First)',
  relevance: 'Relevance',
  due: 'Due Date (Soonest First)',
};

export const GROUP_NAMES: Record<(typeof GROUPS)[number], string> = { priority: 'Priority', owner: 'Assigned', status: 'Status', project: 'Project', none: 'None' };

export interface DateRange {
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

/**
 * Tags: each inner list of `all` is one project with its milestones (the task
 * has one of them); `any` one list for all the projects named; `not` excludes.
 */
export interface ProjectFilter {
  all?: number[][];
  any?: number[];
  not?: number[];
  /** Tasks with no tag at all. */
  none?: boolean;
}

/** Due date conditions; instants are where the install's days and times begin. */
export interface DueFilter {
  /** With a due date (true) or without one (false). */
  set?: boolean;
  /** Open tasks whose due date has passed at `now`: a whole day once `dayStart` (today's) is past it. */
  overdue?: { now: Date; dayStart: Date; openStatuses: string[] };
  /** Due dates beginning in this range. */
  range?: DateRange;
  /** For "overdue" and "this week": until when the conditions, made from the time of asking, hold. */
  holdsUntil?: Date;
}

export interface TaskFilter {
  ids?: number[];
  /** Full-text: words, "quoted phrases", -excluded, title:word. */
  text?: string;
  /** Owner ids; null stands for "nobody". */
  owners?: (number | null)[];
  authors?: number[];
  subscribers?: number[];
  closers?: number[];
  statuses?: string[];
  priorities?: number[];
  created?: DateRange;
  updated?: DateRange;
  closed?: DateRange;
  projects?: ProjectFilter;
  /** Subtasks of these tasks (Phabricator's "Parent IDs"), and parents of these ("Subtask IDs"). */
  parentIds?: number[];
  subtaskIds?: number[];
  /** With (true) or without (false) an open parent, or subtask, that the viewer may see. */
  hasOpenParents?: boolean;
  hasOpenSubtasks?: boolean;
  /** The statuses that count as open for the two above. */
  openStatuses?: string[];
  /** Points from `min` to `max`, both included; a task without points matches neither bound. */
  points?: { min?: number; max?: number };
  due?: DueFilter;
  /** Conditions on custom fields, all of which a task meets. */
  custom?: FieldFilter[];
}

export interface TaskQuery {
  filter: TaskFilter;
  order: Order;
  group: Group;
  limit: number;
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
