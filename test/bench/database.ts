import pg from 'pg';

/** The bench database's name and a URL for the server's maintenance database, where it is created and dropped. */
function adminUrl(url: string): { admin: string; name: string } {
  const u = new URL(url);
  const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`The bench database name "${name}" must be letters, digits and underscores.`);
  u.pathname = '/postgres';
  return { admin: u.toString(), name };
}

export async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function databaseExists(url: string): Promise<boolean> {
  const { admin, name } = adminUrl(url);
  return withClient(admin, async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
}

export async function createDatabase(url: string): Promise<void> {
  const { admin, name } = adminUrl(url);
  await withClient(admin, (c) => c.query(`CREATE DATABASE "${name}"`));
}

export async function dropDatabase(url: string): Promise<void> {
  const { admin, name } = adminUrl(url);
  await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** What a finished seed left: its sizes and timings, so a rerun can reuse it and say what it holds. */
export interface SeedMarker {
  tasks: number;
  events: number;
  people: number;
  complete: boolean;
  seededAt: Date;
  /** The account the load logs in as: the person who owns the most tasks. */
  login: string;
  /** The task with exactly 20 comments, for the task-page scenario. */
  pageTaskId: number;
  timings: unknown;
}

const MARKER_TABLE = 'bench_seed';

export async function createMarker(c: pg.Client, m: Omit<SeedMarker, 'complete' | 'seededAt' | 'timings'>): Promise<void> {
  await c.query(`CREATE TABLE ${MARKER_TABLE} (
    id integer PRIMARY KEY DEFAULT 1 CHECK (id = 1), tasks integer NOT NULL, events integer NOT NULL, people integer NOT NULL,
    complete boolean NOT NULL DEFAULT false, seeded_at timestamptz NOT NULL DEFAULT now(), login text NOT NULL,
    page_task_id integer NOT NULL, timings jsonb)`);
  await c.query(`INSERT INTO ${MARKER_TABLE} (tasks, events, people, login, page_task_id) VALUES ($1, $2, $3, $4, $5)`, [
    m.tasks,
    m.events,
    m.people,
    m.login,
    m.pageTaskId,
  ]);
}

export async function completeMarker(c: pg.Client, timings: unknown): Promise<void> {
  await c.query(`UPDATE ${MARKER_TABLE} SET complete = true, seeded_at = now(), timings = $1`, [JSON.stringify(timings)]);
}

export async function readMarker(c: pg.Client): Promise<SeedMarker | null> {
  const exists = await c.query(`SELECT to_regclass($1) AS t`, [MARKER_TABLE]);
  if (!exists.rows[0].t) return null;
  const r = await c.query(`SELECT * FROM ${MARKER_TABLE}`);
  const row = r.rows[0];
  if (!row) return null;
  return {
    tasks: row.tasks,
    events: row.events,
    people: row.people,
    complete: row.complete,
    seededAt: row.seeded_at,
    login: row.login,
    pageTaskId: row.page_task_id,
    timings: row.timings,
  };
}

/** Whether anything but an empty, freshly created database is there. */
export async function hasTables(c: pg.Client): Promise<boolean> {
  const r = await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'`);
  return r.rows[0].n > 0;
}

/** What the seeded database holds, and what the load will find in it, as two lines for the run's report. */
export async function describeData(url: string, m: SeedMarker, search: string): Promise<string> {
  return withClient(url, async (c) => {
    const r = await c.query(
      `SELECT (SELECT count(*) FROM tasks)::int AS tasks, (SELECT count(*) FROM task_events)::int AS events,
         (SELECT count(*) FROM task_events WHERE type = 'comment')::int AS comments,
         (SELECT count(*) FROM tasks WHERE status = 'open')::int AS open,
         (SELECT count(*) FROM tasks t JOIN users u ON u.id = t.owner_id WHERE u.username = $1 AND t.status = 'open')::int AS mine,
         (SELECT count(*) FROM tasks WHERE search_vector @@ websearch_to_tsquery('english', $2))::int AS matches,
         (SELECT count(*) FROM task_events WHERE task_id = $3 AND type = 'comment')::int AS page_comments,
         pg_size_pretty(pg_database_size(current_database())) AS size`,
      [m.login, search, m.pageTaskId],
    );
    const d = r.rows[0];
    return [
      `Data: ${d.tasks} tasks (${d.open} open), ${d.events} events of which ${d.comments} comments; database ${d.size}.`,
      `Load logs in as ${m.login} (maintainer), who owns ${d.mine} open tasks; the full-text query "${search}" matches ${d.matches} tasks; T${m.pageTaskId} has ${d.page_comments} comments.`,
    ].join('\n');
  });
}
