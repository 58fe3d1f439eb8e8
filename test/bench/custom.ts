import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import type { TrackerFile } from '../../server/tracker-config';
import type { Scenario } from './scenarios';
import { FIELD_VALUES_SQL } from './seed-sql';

/**
 * The `custom` scenario: a list filtered by a custom select field and a custom
 * text field. The bench's app runs with these fields configured; values are
 * written once per bench database (FIELD_VALUES_SQL), after seeding or on reuse.
 */

export const BENCH_TRACKER_FILE: TrackerFile = {
  fields: {
    severity: { name: 'Severity', type: 'select', options: { sev1: 'Sev 1', sev2: 'Sev 2', sev3: 'Sev 3', sev4: 'Sev 4' }, search: true, list: true },
    customer: { name: 'Customer', type: 'text', search: true, list: true },
  },
};

/** The configuration file the bench's app process is started with (TRELLIS_CONFIG). */
export function benchConfigFile(): string {
  const file = path.join(os.tmpdir(), `trellis-bench-config-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify(BENCH_TRACKER_FILE));
  return file;
}

/** Writes the field values when the database has none yet, then ANALYZE so the planner sees them. */
export async function ensureFieldValues(c: pg.Client): Promise<number> {
  const { rows } = await c.query('SELECT EXISTS (SELECT 1 FROM task_field_values) AS has');
  if (!(rows[0] as { has: boolean }).has) {
    await c.query(FIELD_VALUES_SQL);
    await c.query('VACUUM (ANALYZE) task_field_values');
  }
  const counted = await c.query('SELECT count(*)::int AS n FROM task_field_values');
  return (counted.rows[0] as { n: number }).n;
}

const CUSTOM = { statuses: 'any-open', 'custom.severity': 'sev1,sev2', 'custom.customer.is': 'Customer 3' };

export function customScenarios(): Scenario[] {
  return [
    {
      name: 'custom',
      title: 'open, Severity sev1/sev2, Customer is "Customer 3"',
      kind: 'list',
      method: 'GET',
      path: `/maniphest/query/?${new URLSearchParams(CUSTOM).toString()}`,
      expect: 200,
      auth: true,
      params: CUSTOM,
    },
  ];
}
