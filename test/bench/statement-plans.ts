import { benchConfigFile } from './custom';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createApp } from '../../server/app';
import { boot } from '../../server/boot';
import { loadConfig } from '../../server/config';
import { BY_TEXT } from '../../server/db/prepared';
import type { Scenario } from './scenarios';

/** A statement one scenario's request sent, as sent ($n placeholders and their values). */
export interface Statement {
  scenario: string;
  sql: string;
  bindings: unknown[];
  /** Sent as a named statement, whose plan PostgreSQL may keep and reuse (prepared.ts). */
  named?: boolean;
}

export interface StatementPlan extends Statement {
  statistics: 'fresh' | 'none';
  /**
   * The plan PostgreSQL may keep for a named statement (the generic one, made without its parameters'
   * values), rather than the plan for the values sent; only for named statements with parameters.
   */
  generic?: true;
  /** Tables read from end to end. */
  seqScans: string[];
  plan: string;
  error?: string;
}

/** From this many rows on, a table read from end to end is a plan worth a look (smaller ones are cheaper to scan than to probe). */
export const BIG_TABLE_ROWS = 1000;

export interface PlanCheck {
  plans: StatementPlan[];
  /** Rows of each public table, as ANALYZE counted them. */
  rows: Record<string, number>;
}

const PLANNED = /^\s*(select|insert|update|delete|with)\b/i;

/**
 * Sends each scenario's request twice to the app run in this process, and
 * keeps the statements of the second (the first may fill caches once), as
 * knex's 'query' event reports them. The app keeps no pages here
 * (PAGE_CACHE_MB=0): a kept page's second request would show the statements
 * of a kept page, not those that render it.
 */
export async function captureStatements(databaseUrl: string, scenarios: Scenario[], cookie: string): Promise<Statement[]> {
  const config = loadConfig({ ...process.env, DATABASE_URL: databaseUrl, LOG_REQUESTS: 'false', NODE_ENV: 'production', API_RATE_LIMIT: '1000000', PAGE_CACHE_MB: '0', TRELLIS_CONFIG: benchConfigFile() });
  const { database, deps } = await boot(config, () => undefined);
  const server = http.createServer(createApp(deps));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const out: Statement[] = [];
  try {
    for (const s of scenarios) {
      let captured: Statement[] = [];
      const record = (q: { sql: string; bindings?: readonly unknown[]; options?: Record<string, unknown> }) =>
        void (PLANNED.test(q.sql) && captured.push({ scenario: s.name, sql: q.sql, bindings: [...(q.bindings ?? [])], named: Boolean(q.options?.name || q.options?.[BY_TEXT]) }));
      deps.db.on('query', record);
      try {
        for (let i = 0; i < 2; i++) {
          captured = [];
          const req = s.next?.() ?? { path: s.path, body: undefined };
          const headers: Record<string, string> = {};
          if (s.auth) headers.cookie = cookie;
          if (s.method === 'POST') headers['content-type'] = 'application/x-www-form-urlencoded';
          const res = await fetch(base + req.path, { method: s.method, headers, body: req.body, redirect: 'manual' });
          const text = await res.text();
          if (res.status !== s.expect) throw new Error(`${s.name}: ${s.method} ${req.path} answered ${res.status}, not ${s.expect}: ${text.replace(/\s+/g, ' ').slice(0, 400)}`);
        }
      } finally {
        deps.db.off('query', record);
      }
      const seen = new Set<string>();
      for (const st of captured) if (!seen.has(st.sql)) seen.add(st.sql), out.push(st);
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
    await deps.live.close();
    await database.close();
  }
  return out;
}

/** A parameter's value as an SQL literal, for EXECUTE: PostgreSQL casts it to the parameter's type. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (value instanceof Date) return pg.escapeLiteral(value.toISOString());
  if (Array.isArray(value)) return pg.escapeLiteral(`{${value.map((v) => (v === null ? 'NULL' : `"${String(v).replace(/(["\\])/g, '\\$1')}"`)).join(',')}}`);
  return pg.escapeLiteral(typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/**
 * The generic plan: PostgreSQL 15 has no EXPLAIN (GENERIC_PLAN), but a statement prepared under
 * plan_cache_mode = force_generic_plan is planned without its values, as a named statement is once
 * PostgreSQL judges its custom plans no cheaper.
 */
async function explainGeneric(c: pg.Client, st: Statement): Promise<{ rows: unknown[] }> {
  await c.query('SET LOCAL plan_cache_mode = force_generic_plan');
  await c.query(`PREPARE plan_check AS ${st.sql}`);
  try {
    return await c.query(`EXPLAIN EXECUTE plan_check(${st.bindings.map(literal).join(', ')})`);
  } finally {
    await c.query('DEALLOCATE plan_check');
    await c.query('SET LOCAL plan_cache_mode = auto');
  }
}

async function explainEach(c: pg.Client, statements: Statement[], statistics: StatementPlan['statistics']): Promise<StatementPlan[]> {
  const out: StatementPlan[] = [];
  for (const st of statements) {
    for (const generic of st.named && st.bindings.length ? [false, true] : [false]) {
      const mode = generic ? { generic: true as const } : {};
      // Each in a savepoint: a statement that can not be explained alone must not end the transaction around them all.
      await c.query('SAVEPOINT plan');
      try {
        const res = generic ? await explainGeneric(c, st) : await c.query(`EXPLAIN ${st.sql}`, st.bindings);
        const lines = (res.rows as { 'QUERY PLAN': string }[]).map((r) => r['QUERY PLAN']);
        const seqScans = [...new Set(lines.flatMap((l) => /Seq Scan on (\w+)/.exec(l)?.[1] ?? []))];
        out.push({ ...st, statistics, ...mode, seqScans, plan: lines.join('\n') });
        await c.query('RELEASE SAVEPOINT plan');
      } catch (err) {
        await c.query('ROLLBACK TO SAVEPOINT plan');
        out.push({ ...st, statistics, ...mode, seqScans: [], plan: '', error: (err as Error).message });
      }
    }
  }
  return out;
}

/**
 * EXPLAIN (plans only, nothing run) of every captured statement twice: after
 * ANALYZE, and as a database that was never analyzed would plan it (this
 * machine's PostgreSQL runs without autovacuum, so a bulk load leaves exactly
 * that). The second is done in a transaction that deletes the statistics of
 * the public tables from pg_statistic and marks their sizes unknown in
 * pg_class, then rolls back: the data stays as it is, and nothing is copied.
 * Needs a superuser, as the bench's local server has.
 */
export async function planStatements(c: pg.Client, statements: Statement[]): Promise<PlanCheck> {
  await c.query('ANALYZE');
  const counted = await c.query(`SELECT relname, reltuples::bigint AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`);
  const rows = Object.fromEntries((counted.rows as { relname: string; n: number }[]).map((r) => [r.relname, Math.max(0, Number(r.n))]));
  await c.query('BEGIN');
  try {
    const fresh = await explainEach(c, statements, 'fresh');
    const publicRels = `SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'i', 'p')`;
    await c.query(`DELETE FROM pg_statistic WHERE starelid IN (${publicRels})`);
    await c.query(`UPDATE pg_class SET reltuples = -1, relpages = 0, relallvisible = 0 WHERE oid IN (${publicRels})`);
    const none = await explainEach(c, statements, 'none');
    return { plans: [...fresh, ...none], rows };
  } finally {
    await c.query('ROLLBACK');
  }
}
