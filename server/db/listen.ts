import type { Knex } from 'knex';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';

/** The one channel Trellis notifies on, after each commit; payloads say which task changed (see tasks/event-repository insertedEvents). */
export const LIVE_CHANNEL = 'trellis_live';

export interface Listening {
  close(): Promise<void>;
}

/** How long a lost listening connection waits before it connects again, doubling up to the cap. */
const RETRY_MS = 500;
const RETRY_CAP_MS = 15_000;

/**
 * Listens on LIVE_CHANNEL through one connection of its own, whatever the
 * number of open pages: PostgreSQL delivers each NOTIFY to every
 * app process listening, so a change made by one process reaches pages open
 * on all of them. The connection is outside the pool, never used for
 * anything else, and opened again if it drops (a restart of the server); the
 * embedded database delivers its notifications in process.
 */
export async function listen(
  db: Knex,
  onPayload: (payload: string) => void,
  onProblem: (err: unknown) => void,
  /** The primary past a pooler: LISTEN belongs to a session, which a pooler in transaction mode does not keep. */
  directUrl: string | null = null,
): Promise<Listening> {
  const connection = (db.client as { config: { connection: unknown } }).config.connection;
  if (typeof connection === 'function') {
    const { pglite } = (await connection()) as { pglite: PGlite };
    const unlisten = await pglite.listen(LIVE_CHANNEL, onPayload);
    return { close: () => (pglite.closed ? Promise.resolve() : unlisten()) };
  }
  let client: pg.Client | null = null;
  let closed = false;
  let retry = RETRY_MS;
  let timer: NodeJS.Timeout | null = null;
  const pooled = connection as string | pg.ClientConfig;
  const settings = directUrl && typeof pooled !== 'string' ? { ...pooled, connectionString: directUrl } : (directUrl ?? pooled);
  const open = async () => {
    const c = new pg.Client(
      typeof settings === 'string' ? { connectionString: settings } : { ...settings, statement_timeout: undefined, idle_in_transaction_session_timeout: undefined, query_timeout: undefined },
    );
    c.on('notification', (n) => n.channel === LIVE_CHANNEL && n.payload !== undefined && onPayload(n.payload));
    c.on('error', (err) => lost(c, err));
    c.on('end', () => lost(c, new Error('the listening connection ended')));
    client = c;
    try {
      await c.connect();
      await c.query(`LISTEN ${LIVE_CHANNEL}`);
      retry = RETRY_MS;
    } catch (err) {
      // Whichever of this and the 'error' event comes first schedules the next attempt.
      lost(c, err);
    }
  };
  const lost = (c: pg.Client, err: unknown) => {
    if (closed || client !== c) return;
    client = null;
    c.removeAllListeners('end');
    c.end().catch(() => undefined);
    onProblem(err);
    timer = setTimeout(() => {
      timer = null;
      void open();
    }, retry);
    timer.unref();
    retry = Math.min(retry * 2, RETRY_CAP_MS);
  };
  // A first attempt that fails keeps trying in the background: pages wait for updates meanwhile.
  await open();
  return {
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
