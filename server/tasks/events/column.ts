import { join, say, value, type Sentence } from './sentence';
import { FieldProblem, type EventType } from './types';

/** Where a card goes among its neighbours: after one task and/or before another (natural order). */
export interface CardOrder {
  after?: number;
  before?: number;
}

/**
 * Every card of a task: board (project) id to column id. A requested move also
 * says where in the column, and whether the mover accepted going over a limit.
 */
export interface ColumnValue {
  columns: Record<string, number>;
  order?: Record<string, CardOrder>;
  /** The mover confirmed a move into a column already at its card limit. */
  overLimit?: boolean;
}

/** A requested move, as forms and scripts send it: a column id or PHID, and optionally its neighbours. */
export interface ColumnMove {
  column: unknown;
  after?: unknown;
  before?: unknown;
  overLimit?: boolean;
}

const taskId = (raw: unknown): number | undefined => {
  const n = typeof raw === 'string' && /^[0-9]{1,10}$/.test(raw) ? Number(raw) : raw;
  return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined;
};

/** Whether two placements put every card in the same column. */
export function sameColumns(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

export const column: EventType<ColumnValue> = {
  type: 'column',
  strength: 85,
  field: 'column',
  async parse(raw, ctx, current) {
    const moves = (Array.isArray(raw) ? raw : [raw]) as ColumnMove[];
    const next: ColumnValue = { columns: { ...current.columns }, order: { ...current.order } };
    for (const move of moves) {
      if (typeof move !== 'object' || move === null) throw new FieldProblem('column', 'Say which column to move the card to.');
      const { column: col, project } = await ctx.projects.column(move.column, 'column');
      if (col.hidden) throw new FieldProblem('column', `The column "${col.name}" is hidden; show it before moving cards into it.`);
      if (project.closedAt !== null) throw new FieldProblem('column', `#${project.hashtags[0]} is closed: its board takes no moves.`);
      next.columns[String(col.projectId)] = col.id;
      next.order![String(col.projectId)] = { after: taskId(move.after), before: taskId(move.before) };
      if (move.overLimit) next.overLimit = true;
    }
    return next;
  },
  current: (s) => ({ columns: s.columns }),
  apply: (s, v) => ({ ...s, columns: { ...v.columns } }),
  capability: () => 'task.triage',
  refusal: 'You do not have permission to move cards on a workboard.',
  // A move within the same column changes the card's place among its neighbours.
  isNoop: (from, to) => sameColumns(from.columns, to.columns) && !Object.keys(to.order ?? {}).length,
  userIds: () => [],
  projectIds: (e) => Object.keys((e.new as ColumnValue | null)?.columns ?? {}).map(Number),
  columnIds: (e) => [...Object.values((e.old as ColumnValue | null)?.columns ?? {}), ...Object.values((e.new as ColumnValue | null)?.columns ?? {})],
  hiddenOnCreate: () => true,
  describe(e, { actor, project, column: name }) {
    const from = (e.old as ColumnValue | null)?.columns ?? {};
    const to = (e.new as ColumnValue | null)?.columns ?? {};
    const moves: Sentence[] = [];
    for (const board of Object.keys(to).sort((a, b) => Number(a) - Number(b))) {
      if (from[board] === undefined || from[board] === to[board]) continue;
      const p = project?.(Number(board));
      const columnName = (id: number) => value(name?.(id) ?? 'a column');
      moves.push(
        p
          ? say`from ${columnName(from[board]!)} to ${columnName(to[board]!)} on the ${p} board`
          : say`from ${columnName(from[board]!)} to ${columnName(to[board]!)} on a board`,
      );
    }
    if (!moves.length) return null;
    const parts: (Sentence | string)[] = [say`${actor} moved this task `];
    moves.forEach((m, i) => parts.push(...(i ? [i === moves.length - 1 ? ' and ' : ', ', m] : [m])));
    return join(...parts, '.');
  },
};
