import os from 'node:os';
import type pg from 'pg';
import type { Measurement } from './load';
import type { QueryPlan } from './plans';
import type { SeedResult } from './seed';

/** Plain Markdown tables, so a run's output can be pasted into the README as is. */
export function table(head: string[], rows: (string | number)[][]): string {
  const cells = [head, ...rows.map((r) => r.map(String))];
  const width = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(width[i]!)).join(' | ')} |`;
  return [line(head), `| ${width.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.slice(1).map(line)].join('\n');
}

const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');

export async function machine(c: pg.Client): Promise<string> {
  const cpus = os.cpus();
  const version = (await c.query('SHOW server_version')).rows[0].server_version as string;
  const settings = await c.query(
    `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'max_connections', 'effective_cache_size', 'jit') ORDER BY name`,
  );
  const pgSettings = (settings.rows as { name: string; setting: string; unit: string | null }[])
    .map((r) => `${r.name}=${r.setting}${r.unit ?? ''}`)
    .join(', ');
  return [
    `CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} cores`,
    `Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `OS: ${os.type()} ${os.release()}, Node ${process.version}`,
    `Load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(', ')} (other work on the machine competes for its ${cpus.length} cores)`,
    `PostgreSQL ${version} (${pgSettings})`,
  ].join('\n');
}

export function seedReport(r: SeedResult): string {
  const tables = table(
    ['table', 'rows', 'insert s', 'indexes s', 'vacuum analyze s'],
    r.tables.map((t) => [t.table, t.rows.toLocaleString('en-US'), f1(t.insert), f1(t.indexes), f1(t.vacuum)]),
  );
  const phases = table(
    ['phase', 'wall s'],
    [...r.phases.map((p) => [p.name, f1(p.seconds)]), ['**total**', f1(r.total)]],
  );
  const tasks = r.tables.find((t) => t.table === 'tasks')?.rows ?? 0;
  return [
    tables,
    `Generating plans and text (titles, descriptions, comments) in temporary tables: ${f1(r.generate)} s over the two connections.`,
    '',
    phases,
    '',
    `Seeding rate: ${Math.round(tasks / r.total).toLocaleString('en-US')} tasks/s with their events, all phases included.`,
  ].join('\n');
}

export interface Target {
  what: string;
  met: boolean | null;
  measured: string;
}

/** The targets, read at concurrency 1. */
export function targets(results: Measurement[]): Target[] {
  const at1 = (name: string) => results.find((m) => m.scenario === name && m.connections === 1);
  const out: Target[] = [];
  for (const name of ['open', 'assigned', 'fulltext', 'filtered']) {
    const m = at1(name);
    out.push({
      what: `${name}: p50 <= 20 ms and p99 <= 100 ms`,
      met: m ? m.p50 <= 20 && m.p99 <= 100 : null,
      measured: m ? `p50 ${f2(m.p50)}, p99 ${f2(m.p99)}` : 'not run',
    });
  }
  const page = at1('task');
  out.push({ what: 'task page: p50 <= 10 ms', met: page ? page.p50 <= 10 : null, measured: page ? `p50 ${f2(page.p50)}` : 'not run' });
  for (const name of ['create', 'comment']) {
    const m = at1(name);
    out.push({ what: `${name}: p50 <= 15 ms`, met: m ? m.p50 <= 15 : null, measured: m ? `p50 ${f2(m.p50)}` : 'not run' });
  }
  return out;
}

export function targetsReport(t: Target[]): string {
  return table(
    ['target (concurrency 1)', 'measured', 'met'],
    t.map((x) => [x.what, x.measured, x.met === null ? '-' : x.met ? 'yes' : 'NO']),
  );
}

export function plansReport(plans: QueryPlan[], top: number): string {
  const summary = table(
    ['scenario', 'execution ms', 'seq scan', 'statement'],
    plans.map((p) => [p.scenario, f2(p.ms), p.seqScan ? 'YES' : 'no', p.sql.replace(/\s+/g, ' ').slice(0, 90) + (p.sql.length > 90 ? '…' : '')]),
  );
  const detail = plans.slice(0, top).map((p) => [`### ${p.scenario} (${f2(p.ms)} ms)`, '```sql', p.sql, '```', '```', p.plan, '```'].join('\n'));
  return [summary, '', ...detail].join('\n');
}

/** One line per list: its statements' execution time summed, how many there were, and whether any read a whole table. */
export function ordersReport(plans: QueryPlan[]): string {
  const lists = new Map<string, { ms: number; statements: number; seqScan: boolean }>();
  for (const p of plans) {
    const l = lists.get(p.scenario) ?? { ms: 0, statements: 0, seqScan: false };
    l.ms += p.ms;
    l.statements += 1;
    l.seqScan ||= p.seqScan;
    lists.set(p.scenario, l);
  }
  const rows = [...lists].sort((a, b) => b[1].ms - a[1].ms);
  return table(
    ['list', 'statements', 'execution ms (sum)', 'seq scan'],
    rows.map(([name, l]) => [name, String(l.statements), f2(l.ms), l.seqScan ? 'YES' : 'no']),
  );
}
