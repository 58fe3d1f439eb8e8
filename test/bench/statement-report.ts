import { table } from './report';
import { BIG_TABLE_ROWS, type PlanCheck, type StatementPlan } from './statement-plans';

const big = (rows: Record<string, number>) => (t: string) => (rows[t] ?? 0) >= BIG_TABLE_ROWS;

function scans(ps: StatementPlan[], rows: Record<string, number>): string {
  const tables = [...new Set(ps.flatMap((p) => p.seqScans))].sort();
  if (!tables.length) return 'none';
  return tables.map((t) => (big(rows)(t) ? `**${t}** (${(rows[t] ?? 0).toLocaleString('en-US')} rows)` : t)).join(', ');
}

/**
 * Per scenario: how many statements its request sent and the tables any of
 * them reads from end to end, with fresh statistics and with none, in the plan
 * for the values sent or in the generic plan (tables of
 * BIG_TABLE_ROWS rows or more in bold, with their size); then each statement
 * that scans such a table, with its plan.
 */
export function statementPlansReport({ plans, rows }: PlanCheck): string {
  const names = [...new Set(plans.map((p) => p.scenario))];
  const summary = names.map((name) => {
    const mine = plans.filter((p) => p.scenario === name);
    const fresh = mine.filter((p) => p.statistics === 'fresh');
    const failed = fresh.filter((p) => p.error).length;
    const sent = fresh.filter((p) => !p.generic).length;
    return [name, String(sent) + (failed ? ` (${failed} not explained)` : ''), scans(fresh, rows), scans(mine.filter((p) => p.statistics === 'none'), rows)];
  });
  const bad = plans.filter((p) => p.seqScans.some(big(rows)));
  const detail = bad.map((p) => [`### ${p.scenario}, ${p.statistics === 'fresh' ? 'fresh statistics' : 'no statistics'}${p.generic ? ', generic plan' : ''}: ${p.seqScans.filter(big(rows)).join(', ')}`, '```sql', p.sql, '```', '```', p.plan, '```'].join('\n'));
  const failures = plans.filter((p) => p.error).map((p) => `- ${p.scenario} (${p.statistics}${p.generic ? ', generic' : ''}): ${p.error} in \`${p.sql.replace(/\s+/g, ' ').slice(0, 120)}\``);
  return [
    table(['scenario', 'statements', 'seq scans, fresh statistics', 'seq scans, no statistics'], summary),
    '',
    bad.length
      ? `${bad.length} plan(s) read a table of ${BIG_TABLE_ROWS.toLocaleString('en-US')} rows or more from end to end:`
      : `No plan reads a table of ${BIG_TABLE_ROWS.toLocaleString('en-US')} rows or more from end to end, with statistics or without.`,
    ...detail,
    ...(failures.length ? ['', 'Statements that could not be explained alone:', ...failures] : []),
  ].join('\n');
}
