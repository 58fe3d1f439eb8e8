import type { Knex } from 'knex';
import type { Actor } from '../../users/roles';
import type { Tracker } from '../task';
import { findGraph, findOpenSubtaskIds, type GraphTaskRow } from './repository';

/** The most connected tasks the graph on a task page draws; past it, only direct parents and subtasks. */
export const GRAPH_LIMIT = 200;

export interface GraphNode {
  id: number;
  title: string;
  status: string;
  priority: number;
  ownerUsername: string | null;
  /** Steps from the task the graph is drawn for: 0 is the task itself. */
  depth: number;
  relation: 'parent' | 'self' | 'subtask';
  /** A parent or subtask of the task itself, not only of another connected task. */
  direct: boolean;
}

export interface TaskGraph {
  /** Ancestors farthest first, then the task, then descendants depth first: the order they are drawn in. */
  readonly nodes: readonly GraphNode[];
  /** More than GRAPH_LIMIT tasks are connected: only direct parents and subtasks are in `nodes`. */
  truncated: boolean;
}

/** The graph of a task with no parent and no subtask. */
export const NO_GRAPH: TaskGraph = Object.freeze({ nodes: Object.freeze([]), truncated: false });

function node(row: GraphTaskRow, depth: number, relation: GraphNode['relation'], direct: boolean): GraphNode {
  return { id: row.id, title: row.title, status: row.status, priority: row.priority, ownerUsername: row.owner_username, depth, relation, direct };
}

/** Ancestors by their distance up, farthest first (a task reached two ways counts at its nearest). */
function ancestors(self: number, rows: Map<number, GraphTaskRow>): GraphNode[] {
  const depth = new Map<number, number>();
  let frontier = [self];
  for (let d = 1; frontier.length; d++) {
    const next: number[] = [];
    for (const id of frontier) {
      for (const p of rows.get(id)?.parent_ids ?? []) {
        if (p === self || depth.has(p) || !rows.has(p)) continue;
        depth.set(p, d);
        next.push(p);
      }
    }
    frontier = next;
  }
  return [...depth]
    .sort(([a, da], [b, db]) => db - da || a - b)
    .map(([id, d]) => node(rows.get(id)!, d, 'parent', rows.get(self)!.parent_ids.includes(id)));
}

/** Descendants depth first, each once, under the first parent it is reached from. */
function descendants(self: number, rows: Map<number, GraphTaskRow>, excluded: Set<number>): GraphNode[] {
  const children = new Map<number, number[]>();
  for (const row of rows.values()) {
    for (const p of row.parent_ids) {
      if (!children.has(p)) children.set(p, []);
      children.get(p)!.push(row.id);
    }
  }
  const out: GraphNode[] = [];
  const seen = new Set<number>([self, ...excluded]);
  const visit = (id: number, depth: number) => {
    for (const c of (children.get(id) ?? []).sort((a, b) => a - b)) {
      if (seen.has(c)) continue;
      seen.add(c);
      out.push(node(rows.get(c)!, depth, 'subtask', rows.get(c)!.parent_ids.includes(self)));
      visit(c, depth + 1);
    }
  };
  visit(self, 1);
  return out;
}

/**
 * The tasks connected to one, for its page, in one query whatever the size: the walk (through
 * visible tasks only) and the rows. Tasks the viewer may not see, and what lies beyond them, are left out.
 */
export async function loadTaskGraph(db: Knex, viewer: Actor | null, taskId: number): Promise<TaskGraph> {
  const found = await findGraph(db, viewer, taskId, GRAPH_LIMIT);
  if (!found.rows.length) return NO_GRAPH;
  const rows = new Map(found.rows.map((r) => [r.id, r]));
  const self = rows.get(taskId)!;
  const up = ancestors(taskId, rows);
  const down = descendants(taskId, rows, new Set(up.map((n) => n.id)));
  return { nodes: [...up, node(self, 0, 'self', false), ...down], truncated: found.truncated };
}

/** Direct subtasks the viewer may see that are still open: closing their parent deserves a warning. */
export function openSubtasksOf(db: Knex, tracker: Tracker, viewer: Actor | null, taskId: number): Promise<number[]> {
  return findOpenSubtaskIds(db, viewer, taskId, tracker.openStatusKeys);
}
