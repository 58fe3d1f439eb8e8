import cluster, { type Worker } from 'node:cluster';
import { openConfiguredDatabase, warnOfSetup } from './boot';
import type { Config } from './config';
import { migrateLatest } from './db/migrate';
import { ensureSecret } from './db/settings';
import { logLine } from './log';

/**
 * WEB_CONCURRENCY: this process starts that many app processes on the one
 * port (node's cluster hands each connection to one of them) and serves
 * nothing itself. They share nothing but PostgreSQL: each has its own pool,
 * job runner and LISTEN connection. What must happen once for all of them
 * (migrations, the install's secret) happens here, before any starts.
 */

const SLOT_ENV = 'TRELLIS_APP_PROCESS';
/** What an app process tells this one once it serves: its port (PORT=0 picks one for all of them). */
export const READY = 'trellis:ready';

/** A crashed app process is started again after this long, doubling while it keeps crashing, up to the cap. */
const RESTART_MS = 1000;
const RESTART_CAP_MS = 30_000;
/** An app process that served this long before it crashed counts as healthy: its next restart is quick again. */
const HEALTHY_MS = 60_000;
/** Stopping waits this long for app processes to finish their requests (each gives its own up to 10 s), then ends them. */
const STOP_WAIT_MS = 30_000;

/** The number (1 to WEB_CONCURRENCY) of this app process in its group; null outside a group. */
export function appProcessNumber(): number | null {
  const slot = process.env[SLOT_ENV];
  return cluster.isWorker && slot ? Number(slot) : null;
}

/** Tells the group's first process that this app process serves. */
export function reportReady(port: number): void {
  process.send?.({ type: READY, port });
}

interface Member {
  slot: number;
  startedAt: number;
  ready: boolean;
}

export async function runGroup(config: Readonly<Config>, where: string, log: (line: string) => void): Promise<void> {
  const say = (msg: string, level = 'info') => log(logLine({ level, msg }));
  const database = await openConfiguredDatabase(config);
  try {
    const migrated = await database.unlimited(migrateLatest);
    if (migrated.length) say(`applied migrations: ${migrated.join(', ')}`);
    await ensureSecret(database.db);
    warnOfSetup(config, log);
  } finally {
    await database.close();
  }

  const members = new Map<Worker, Member>();
  const delays = new Map<number, number>();
  let stopping = false;
  let announced = false;
  let exitCode = 0;

  const stop = (why: string, code: number) => {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    say(`${why}: stopping the app processes`);
    if (!members.size) process.exit(exitCode);
    for (const worker of members.keys()) worker.process.kill('SIGTERM');
    setTimeout(() => {
      say('app processes still running after 30 s: ending them', 'warn');
      for (const worker of members.keys()) worker.process.kill('SIGKILL');
    }, STOP_WAIT_MS).unref();
  };

  const start = (slot: number) => {
    const worker = cluster.fork({ [SLOT_ENV]: String(slot) });
    const member: Member = { slot, startedAt: Date.now(), ready: false };
    members.set(worker, member);
    worker.on('message', (message: { type?: string; port?: number }) => {
      if (message?.type !== READY) return;
      member.ready = true;
      if (!announced && [...members.values()].filter((m) => m.ready).length === config.webConcurrency) {
        announced = true;
        say(`Trellis is listening on http://localhost:${message.port}/ using ${where}, with ${config.webConcurrency} app processes`);
      }
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    const member = members.get(worker);
    members.delete(worker);
    if (!member) return;
    if (stopping) {
      if (!members.size) {
        say('stopped cleanly');
        process.exit(exitCode);
      }
      return;
    }
    const how = signal ? `signal ${signal}` : `code ${code}`;
    // One that never came up has said why on standard error (a port in use, a bad setting): starting it again would only repeat that.
    if (!member.ready) return stop(`app process ${member.slot} exited with ${how} before it served`, 1);
    const lived = Date.now() - member.startedAt;
    const delay = lived >= HEALTHY_MS ? RESTART_MS : Math.min((delays.get(member.slot) ?? RESTART_MS / 2) * 2, RESTART_CAP_MS);
    delays.set(member.slot, delay);
    say(`app process ${member.slot} (pid ${worker.process.pid}) exited with ${how}; starting it again in ${delay / 1000} s`, 'error');
    setTimeout(() => stopping || start(member.slot), delay);
  });

  process.on('SIGINT', () => stop('SIGINT received', 0));
  process.on('SIGTERM', () => stop('SIGTERM received', 0));
  for (let slot = 1; slot <= config.webConcurrency; slot++) start(slot);
}
