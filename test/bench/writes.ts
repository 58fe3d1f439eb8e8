import type pg from 'pg';
import { COMMENTS_VECTOR } from './seed-sql';

/** Where the seeded data ends, so what the load wrote can be taken out again. */
export interface Watermark {
  taskId: number;
  eventId: number;
  at: Date;
}

export async function watermark(c: pg.Client): Promise<Watermark> {
  const r = await c.query(
    `SELECT (SELECT coalesce(max(id), 0) FROM tasks) AS task_id, (SELECT coalesce(max(id), 0) FROM task_events) AS event_id, now() AS at`,
  );
  return { taskId: r.rows[0].task_id, eventId: r.rows[0].event_id, at: r.rows[0].at };
}

/**
 * Removes the tasks, comments and sessions the load wrote and puts each
 * commented task back as it was (its comment words and its updated time are
 * derived from its events), then vacuums what it deleted from, so every run
 * starts from the same data and the same tables.
 */
export async function removeWrites(c: pg.Client, w: Watermark): Promise<{ tasks: number; events: number }> {
  await c.query('BEGIN');
  let tasks: pg.QueryResult;
  let events: pg.QueryResult;
  try {
    tasks = await c.query('DELETE FROM tasks WHERE id > $1', [w.taskId]);
    events = await c.query('DELETE FROM task_events WHERE id > $1 RETURNING task_id', [w.eventId]);
    const touched = [...new Set((events.rows as { task_id: number }[]).map((r) => r.task_id))];
    if (touched.length) {
      await c.query(
        `UPDATE tasks SET
           comments_vector = coalesce((
             SELECT ${COMMENTS_VECTOR('e.id')} FROM task_events e WHERE e.task_id = tasks.id AND e.type = 'comment'), ''::tsvector),
           updated_at = (SELECT max(e.created_at) FROM task_events e WHERE e.task_id = tasks.id)
         WHERE id = ANY($1::int[])`,
        [touched],
      );
    }
    await c.query('DELETE FROM sessions WHERE created_at >= $1', [w.at]);
    // The API scenario's tokens (their rate-limit rows go with them).
    await c.query('DELETE FROM api_tokens WHERE created_at >= $1', [w.at]);
    // Commenting subscribes the commenter; the mail and jobs the load queued go too.
    await c.query('DELETE FROM task_subscribers WHERE created_at >= $1', [w.at]);
    await c.query('DELETE FROM mail_messages WHERE created_at >= $1', [w.at]);
    await c.query('DELETE FROM jobs WHERE created_at >= $1', [w.at]);
    // The images scenario's uploads (their task_files rows went with their task).
    await c.query('DELETE FROM files WHERE created_at >= $1', [w.at]);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  }
  // Without autovacuum (as on the bench machines) the deleted rows stay in the tables and their indexes:
  // the next run's open list would step over every task the last run created, at the very top of its order.
  // Every edit also moves its task's row of task_versions and a row of cache_versions, which the pages read.
  await c.query('VACUUM (ANALYZE) tasks, task_events, task_subscribers, sessions, api_tokens, mail_messages, jobs, files, task_versions, cache_versions');
  return { tasks: tasks.rowCount ?? 0, events: events.rowCount ?? 0 };
}

/**
 * Waits (at most `seconds`) until no statement runs in the bench database but
 * this one: requests still in flight when a scenario's time is up would
 * otherwise be charged to the next scenario. With `jobs`, also until no job is
 * due and unfinished: the mail an edit queued is sent after its request, and
 * between two of the sender's statements the database looks idle.
 */
export async function settle(c: pg.Client, seconds = 180, opts: { jobs?: boolean } = {}): Promise<number> {
  const started = Date.now();
  const busy = `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`;
  const due = `SELECT count(*)::int AS n FROM jobs WHERE finished_at IS NULL AND run_at <= now()`;
  for (;;) {
    let n = (await c.query(busy)).rows[0].n as number;
    if (n === 0 && opts.jobs) n = (await c.query(due)).rows[0].n as number;
    const waited = (Date.now() - started) / 1000;
    if (n === 0 || waited >= seconds) return waited;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
