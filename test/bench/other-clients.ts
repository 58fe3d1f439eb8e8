import type pg from 'pg';

/** The clients of the bench database other than the asking connection, described for a person. */
export interface OtherClients {
  count: number;
  /** "3 from 127.0.0.1 (node), 1 from a local socket (psql)". */
  described: string;
}

/**
 * Who else is connected to the bench database. An app process left running on it
 * (one started by hand, or by a bench that was stopped hard) runs its job runner
 * there: with no requests of its own to give way to, it sends the mail of the
 * load's comments at full speed, beside the app being measured, and every write
 * figure comes out a third of what it is.
 */
export async function otherClients(c: pg.Client): Promise<OtherClients> {
  const { rows } = await c.query<{ n: number; origin: string }>(
    `SELECT count(*)::int AS n,
            coalesce('from ' || host(client_addr), 'from a local socket') || coalesce(' (' || nullif(application_name, '') || ')', '') AS origin
       FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
      GROUP BY 2 ORDER BY 1 DESC, 2`,
  );
  return { count: rows.reduce((sum, r) => sum + r.n, 0), described: rows.map((r) => `${r.n} ${r.origin}`).join(', ') };
}

/** The refusal to measure beside other clients, or null when there are none or the run allows them. */
export function otherClientsProblem(others: OtherClients, allowed: boolean): string | null {
  if (!others.count || allowed) return null;
  return (
    `Other clients are connected to the bench database: ${others.described}. ` +
    "An app process left running there takes the load's jobs and skews every figure. " +
    'Stop it, or pass --allow-other-clients to measure all the same.'
  );
}
