import type { Knex } from 'knex';
import type pg from 'pg';
import { searchTasks } from '../../server/search/engine';
import { parseQueryParams } from '../../server/search/params';
import type { Tracker } from '../../server/tasks/task';
import type { Actor } from '../../server/users/roles';

export interface QueryPlan {
  scenario: string;
  sql: string;
  /** Server-side execution time of the EXPLAIN ANALYZE run, in ms. */
  ms: number;
  /** A sequential scan of tasks, task_events or task_field_values: the query is not served by an index. */
  seqScan: boolean;
  plan: string;
}

interface Captured {
  sql: string;
  bindings: readonly unknown[];
}

/**
 * Runs each list scenario's query through the real engine (parseQueryParams,
 * searchTasks) with knex's 'query' event recording the SQL it sends, then
 * EXPLAIN (ANALYZE, BUFFERS) on each statement that reads tasks, with the
 * app's own session settings (the server's defaults, JIT included).
 */
export async function explainLists(
  db: Knex,
  explain: pg.Client,
  tracker: Tracker,
  viewer: Actor,
  lists: { name: string; params: Record<string, string> }[],
): Promise<QueryPlan[]> {
  const plans: QueryPlan[] = [];
  for (const list of lists) {
    const captured: Captured[] = [];
    const record = (q: { sql: string; bindings?: readonly unknown[] }) => captured.push({ sql: q.sql, bindings: q.bindings ?? [] });
    const query = await parseQueryParams(db, tracker, viewer, list.params, 'UTC');
    db.on('query', record);
    try {
      await searchTasks(db, tracker, viewer, query);
    } finally {
      db.off('query', record);
    }
    for (const c of captured.filter((q) => /from "tasks"/i.test(q.sql))) {
      // The event carries the statement as sent, with $n placeholders: run it as is on a plain connection.
      const res = await explain.query(`EXPLAIN (ANALYZE, BUFFERS) ${c.sql}`, c.bindings as unknown[]);
      const lines = (res.rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']);
      const ms = Number(/Execution Time: ([0-9.]+) ms/.exec(lines.join('\n'))?.[1] ?? NaN);
      plans.push({
        scenario: list.name,
        sql: c.sql,
        ms,
        seqScan: lines.some((l) => /Seq Scan on (tasks|task_events|task_field_values)\b/.test(l)),
        plan: lines.join('\n'),
      });
    }
  }
  return plans.sort((a, b) => b.ms - a.ms);
}

const ORDERS = ['priority', 'updated', 'outdated', 'newest', 'oldest', 'closed', 'title', 'due'];
const GROUPS = ['priority', 'owner', 'status', 'project', 'none'];
const FILTERS: [string, Record<string, string>][] = [
  ['all tasks', {}],
  ['open tasks', { statuses: 'any-open' }],
];

/** Every order under every grouping, of all tasks and of open ones: which are served by an index, and which sort. */
export function orderLists(): { name: string; params: Record<string, string> }[] {
  return FILTERS.flatMap(([label, filter]) => ORDERS.flatMap((order) => GROUPS.map((group) => ({ name: `${label}, order=${order}, group=${group}`, params: { ...filter, order, group } }))));
}
