import { LiveHub } from '../../server/live/hub';
import type { Express } from 'express';
import type { Knex } from 'knex';
import { createApp } from '../../server/app';
import type { DatabaseTimeouts } from '../../server/config';
import { openPostgres, type Database } from '../../server/db/connect';
import { ensureSecret } from '../../server/db/settings';
import { createJobRunner } from '../../server/jobs/handlers';
import type { Domain } from '../../server/tasks/editor';
import { Tracker } from '../../server/tasks/task';
import type { AppDeps } from '../../server/web/deps';
import { testConfig } from './app';
import { adminQuery, databaseUrl } from './targets';
import { TcpProxy } from './tcp-proxy';

let counter = 0;

/** The app's connections name themselves, so a test can end exactly those, as a server restart would. */
export const APP_NAME = 'trellis-behind-proxy';

/**
 * An app whose database connections run through a TcpProxy the test can break,
 * beside a direct connection to the same database for setting up and checking
 * rows. PostgreSQL only: the embedded database has no network to break.
 */
export interface OutageApp {
  app: Express;
  deps: AppDeps;
  proxy: TcpProxy;
  /** The app's own database, through the proxy. */
  proxied: Database;
  /** A direct connection, untouched by the proxy. */
  db: Knex;
  domain: Domain;
  /** Lines the app logged. */
  log: string[];
  /** The proxied database's URL, for a child process. */
  url: string;
  close(): Promise<void>;
}

export async function startOutageApp(timeouts: DatabaseTimeouts, poolMax = 4): Promise<OutageApp> {
  const admin = process.env.TRELLIS_TEST_ADMIN_URL!;
  const name = `trellis_test_${process.env.TRELLIS_TEST_RUN}_w${process.env.JEST_WORKER_ID ?? 0}_outage${++counter}`;
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${process.env.TRELLIS_TEST_TEMPLATE}`, admin);
  const direct = databaseUrl(name, admin);
  const target = new URL(direct);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  await proxy.start();
  const directDb = openPostgres(direct, 4);
  const url = `${proxy.urlFor(direct)}?application_name=${APP_NAME}`;
  const proxied = openPostgres(url, poolMax, timeouts);
  const config = testConfig({ database: timeouts });
  const tracker = new Tracker(config.tracker, config.timezone);
  const log: string[] = [];
  const write = (line: string) => log.push(line);
  const secret = await ensureSecret(directDb.db);
  const jobs = createJobRunner({ db: proxied.db, tracker, config, secret, log: write });
  const deps: AppDeps = { db: proxied.db, config, tracker, secret, log: write, jobs, live: new LiveHub(proxied.db, write) };
  return {
    app: createApp(deps),
    deps,
    proxy,
    proxied,
    db: directDb.db,
    domain: { db: directDb.db, tracker },
    log,
    url,
    async close() {
      await jobs.stop();
      await deps.live.close();
      await proxy.restore();
      await proxied.close();
      await proxy.close();
      await directDb.close();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, admin);
    },
  };
}
