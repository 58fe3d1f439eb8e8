import type { Knex } from 'knex';
import { prepared } from './prepared';

/**
 * The version of everything pages show of the tracker: the sum of the `tracker/…` slots of
 * `cache_versions`, which the database moves by one at the commit of every transaction that
 * writes a task, an event, a project, a person or anything else a page shows of them (see the
 * migration that adds them). Equal readings mean nothing shown was written between them.
 */
export async function readTrackerVersion(db: Knex): Promise<string> {
  const row = (await prepared(
    'tracker_version',
    db('cache_versions').select(db.raw('sum(version)::text AS version')).where('name', 'like', 'tracker/%'),
  ).first()) as { version: string };
  return row.version;
}
