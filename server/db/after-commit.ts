import type { Knex } from 'knex';
import { errorText, logLine } from '../log';
import { LIVE_CHANNEL } from './listen';
import { prepared } from './prepared';

/**
 * Each database this process opened, by its client's config: a transaction's
 * client shares that object with the pool it came from, and has no other way
 * back to it.
 */
const databases = new WeakMap<object, Knex>();

/** Lets transactions on `db` send notifications after their commit (connect.ts opens every database so). */
export function trackDatabase(db: Knex): void {
  databases.set(db.client.config, db);
}

interface Pending {
  payloads: string[];
  /** Settles once the payloads went out, or could not, or the transaction rolled back. */
  sent: Promise<void>;
}

const pending = new WeakMap<Knex.Transaction, Pending>();

/** The transaction whose COMMIT makes the writes of `trx` visible: `trx` itself, or the one it is a savepoint of. */
function outermost(trx: Knex.Transaction): Knex.Transaction {
  let t = trx;
  while (t.parentTransaction) t = t.parentTransaction;
  return t;
}

/**
 * Sends `payload` on LIVE_CHANNEL once the transaction `trx` belongs to has
 * committed, with every other payload it queued, in one statement; nothing if it
 * rolls back on an error, as every transaction here does (knex settles one
 * rolled back without an error as if it had committed).
 *
 * Why not NOTIFY inside the transaction: PostgreSQL lets one notifying
 * transaction commit at a time, and holds that lock while the commit is flushed
 * to disk, so concurrent edits could not share a flush. Sent after the commit,
 * the notification is its own transaction, which writes nothing to flush. A
 * process that dies between the two loses the notification: live pages miss
 * that one change until they load again.
 */
export function notifyAfterCommit(trx: Knex.Transaction, payload: string): void {
  const top = outermost(trx);
  const queued = pending.get(top);
  if (queued) {
    queued.payloads.push(payload);
    return;
  }
  const db = databases.get(trx.client.config);
  if (!db) throw new Error('This transaction is on a database that server/db/connect.ts did not open, so nothing could notify after its commit.');
  const payloads = [payload];
  const sent = top.executionPromise.then(
    () =>
      // Named: every edit sends it, and unnamed it was parsed and planned each time (about 0.13 ms of the server's time).
      prepared('live_notify', db.raw('SELECT pg_notify(?, p) FROM unnest(?::text[]) AS p', [LIVE_CHANNEL, payloads])).then(
        () => undefined,
        // The edit itself is committed: it is not failed for this, only logged as the app logs (main.ts).
        (err: unknown) => void process.stdout.write(`${logLine({ level: 'warn', msg: `could not notify on ${LIVE_CHANNEL} after a commit`, error: errorText(err) })}\n`),
      ),
    () => undefined,
  );
  pending.set(top, { payloads, sent });
}

/**
 * Settles once the notifications queued on `trx` went out after its commit (at once when none
 * were): the one write path waits for it, so that an edit that has returned has been told of.
 * Only for a transaction that is not a savepoint of another, which would never commit first.
 */
export function notificationsSent(trx: Knex.Transaction): Promise<void> {
  if (trx.parentTransaction) throw new Error('A savepoint commits with its transaction: wait on that one.');
  return pending.get(trx)?.sent ?? Promise.resolve();
}
