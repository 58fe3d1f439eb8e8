import http from 'node:http';
import type pg from 'pg';
import type { AppProcess } from './app-process';
import { measure, type Measurement } from './load';
import type { Scenario } from './scenarios';

export interface LiveMeasure {
  streams: number;
  /** App RSS before the streams opened and with them all open, MiB. */
  rssBeforeMiB: number;
  rssWithMiB: number;
  /** Connections to the bench database, before and with the streams open. */
  connectionsBefore: number;
  connectionsWith: number;
  /** The task page and the floor, without streams and beside them. */
  without: { task: Measurement; floor: Measurement };
  beside: { task: Measurement; floor: Measurement };
}

/** Opens an event stream and resolves once its headers came back. */
function openStream(base: string, path: string, cookie: string, agent: http.Agent): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}${path}`, { agent, headers: { Accept: 'text/event-stream', Cookie: cookie } }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`${path} answered ${res.statusCode}`));
      else resolve(res);
    });
    req.on('error', reject);
  });
}

async function connections(admin: pg.Client): Promise<number> {
  const r = await admin.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
  return r.rows[0].n as number;
}

/**
 * The `live` scenario: the task page and the floor measured, then measured
 * again beside `count` idle live streams of that page, with the app's memory
 * and the database connections before and with the streams.
 */
export async function measureLive(app: AppProcess, admin: pg.Client, task: Scenario, floor: Scenario, cookie: string, seconds: number, count = 500): Promise<LiveMeasure> {
  const run = async () => {
    await measure(app.baseUrl, task, cookie, 1, 1);
    const measuredTask = await measure(app.baseUrl, task, cookie, 1, seconds);
    await measure(app.baseUrl, floor, cookie, 1, 1);
    return { task: measuredTask, floor: await measure(app.baseUrl, floor, cookie, 1, seconds) };
  };
  const without = await run();
  const rssBeforeMiB = app.rssMiB();
  const connectionsBefore = await connections(admin);
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const open: http.IncomingMessage[] = [];
  try {
    for (let i = 0; i < count; i += 50) {
      open.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => openStream(app.baseUrl, `${task.path}/live`, cookie, agent)))));
    }
    // Let the app settle (its garbage collector included) before reading its memory.
    await new Promise((r) => setTimeout(r, 2000));
    const rssWithMiB = app.rssMiB();
    const connectionsWith = await connections(admin);
    const beside = await run();
    return { streams: open.length, rssBeforeMiB, rssWithMiB, connectionsBefore, connectionsWith, without, beside };
  } finally {
    for (const res of open) res.destroy();
    agent.destroy();
  }
}

export function liveReport(m: LiveMeasure): string {
  const ratio = (x: { task: Measurement; floor: Measurement }) => (x.task.p50 / x.floor.p50).toFixed(2);
  return [
    `  live: ${m.streams} idle streams of the task page`,
    `  app RSS ${m.rssBeforeMiB.toFixed(1)} MiB before, ${m.rssWithMiB.toFixed(1)} MiB with them (${(m.rssWithMiB - m.rssBeforeMiB).toFixed(1)} MiB, ${(((m.rssWithMiB - m.rssBeforeMiB) * 1024) / m.streams).toFixed(1)} KiB a stream)`,
    `  database connections ${m.connectionsBefore} before, ${m.connectionsWith} with them`,
    `  task page p50 ${m.without.task.p50.toFixed(2)} ms = ${ratio(m.without)}x the floor (${m.without.floor.p50.toFixed(2)} ms) without streams; ` +
      `${m.beside.task.p50.toFixed(2)} ms = ${ratio(m.beside)}x the floor (${m.beside.floor.p50.toFixed(2)} ms) beside them; load ${m.beside.task.load.toFixed(2)}`,
  ].join('\n');
}
