import fs from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { SMTPServer } from 'smtp-server';
import { startApp } from './app-process';
import { measure, type Measurement } from './load';
import { logIn } from './login';
import { scenarios, type ScenarioContext } from './scenarios';
import { settle } from './writes';

/** Messages queued at once for the throughput figure. */
const BATCH = 2000;

/** A local SMTP sink that accepts everything and counts it. */
async function sink(): Promise<{ port: number; count: () => number; close: () => Promise<void> }> {
  let n = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        n += 1;
        callback();
      });
      stream.resume();
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as net.AddressInfo).port, count: () => n, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function waitFor(c: pg.Client, sql: string, done: (n: number) => boolean, seconds: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const n = Number((await c.query(sql)).rows[0].n);
    if (done(n) || (Date.now() - started) / 1000 > seconds) return (Date.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const UNSENT = `SELECT count(*)::int AS n FROM jobs WHERE kind = 'mail-send' AND finished_at IS NULL`;

export interface MailFigures {
  baselineOff: Measurement;
  off: Measurement;
  baselineOn: Measurement;
  on: Measurement;
  drainSeconds: number;
  queued: number;
  batchSeconds: number;
  delivered: number;
}

/**
 * The cost of mail to an edit, and what the queue sends. Comments are posted
 * at concurrency 1 twice: with mail off (no account has an address, so the
 * editor finds nobody to tell) and with mail on (every account has one and a
 * mailer points at a local SMTP sink, so every comment queues mail for the
 * task's owner and subscribers and the app's job runner sends it meanwhile).
 * Then BATCH messages are queued at once and timed until the sink has them.
 */
export async function measureMail(url: string, admin: pg.Client, login: string, password: string, ctx: Omit<ScenarioContext, 'session'>, seconds: number): Promise<MailFigures> {
  const smtp = await sink();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-bench-mail-'));
  const configFile = path.join(dir, 'trellis.json');
  fs.writeFileSync(configFile, JSON.stringify({ mailers: [{ key: 'sink', type: 'smtp', options: { host: '127.0.0.1', port: smtp.port } }], mail: { from: 'Trellis <trellis@bench.example>' } }));

  async function run(env: Record<string, string>) {
    const app = await startApp(url, env);
    try {
      const session = await logIn(app.baseUrl, login, password);
      const all = scenarios({ ...ctx, session });
      const baseline = all.find((s) => s.name === 'baseline')!;
      const comment = all.find((s) => s.name === 'comment')!;
      await measure(app.baseUrl, comment, session.cookie, 1, 1);
      await settle(admin);
      const b = await measure(app.baseUrl, baseline, session.cookie, 1, seconds);
      const m = await measure(app.baseUrl, comment, session.cookie, 1, seconds);
      return { app, b, m };
    } catch (err) {
      await app.stop();
      throw err;
    }
  }

  try {
    await admin.query('UPDATE users SET email = NULL');
    const off = await run({});
    await off.app.stop();
    await admin.query(`UPDATE users SET email = username || '@example.com'`);

    const on = await run({ TRELLIS_CONFIG: configFile });
    try {
      const queued = Number((await admin.query(`SELECT count(*)::int AS n FROM mail_messages WHERE status <> 'void'`)).rows[0].n);
      const drainSeconds = await waitFor(admin, UNSENT, (n) => n === 0, 300);
      const before = smtp.count();
      await admin.query('BEGIN');
      const ids = await admin.query(
        `INSERT INTO mail_messages (kind, to_addresses, cc_addresses, subject, text_body, headers)
         SELECT 'test', jsonb_build_array('bench' || i || '@example.com'), '[]', 'Bench ' || i, 'Queued by the benchmark.', '{}'
         FROM generate_series(1, $1) i RETURNING id`,
        [BATCH],
      );
      await admin.query(`INSERT INTO jobs (kind, payload) SELECT 'mail-send', jsonb_build_object('messageId', id) FROM unnest($1::int[]) id`, [
        (ids.rows as { id: number }[]).map((r) => r.id),
      ]);
      await admin.query('COMMIT');
      const started = Date.now();
      while (smtp.count() - before < BATCH && Date.now() - started < 600_000) await new Promise((resolve) => setTimeout(resolve, 20));
      return {
        baselineOff: off.b,
        off: off.m,
        baselineOn: on.b,
        on: on.m,
        drainSeconds,
        queued,
        batchSeconds: (Date.now() - started) / 1000,
        delivered: smtp.count() - before,
      };
    } finally {
      await on.app.stop();
    }
  } finally {
    await admin.query(`UPDATE users SET email = username || '@example.com'`);
    await smtp.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function mailReport(f: MailFigures): string {
  const line = (name: string, m: Measurement, b: Measurement) =>
    `| ${name} | ${m.rps.toFixed(1)} | ${(m.rps / b.rps).toFixed(3)} | ${m.p50.toFixed(2)} | ${m.p95.toFixed(2)} | ${b.rps.toFixed(1)} |`;
  const slower = (f.on.p50 / f.off.p50 - 1) * 100;
  return [
    '| comment, c=1 | req/s | ratio to floor | p50 ms | p95 ms | floor req/s (same app) |',
    '| --- | --- | --- | --- | --- | --- |',
    line('mail off', f.off, f.baselineOff),
    line('mail on', f.on, f.baselineOn),
    '',
    `Edit latency with mail on: p50 ${slower >= 0 ? `${slower.toFixed(1)}% slower` : `${(-slower).toFixed(1)}% faster`} than off (target: under 10% slower); ` +
      `throughput ratio to the floor ${(f.on.rps / f.baselineOn.rps / (f.off.rps / f.baselineOff.rps)).toFixed(3)} of off's.`,
    `The comments queued ${f.queued} messages; the queue was empty ${f.drainSeconds.toFixed(1)} s after the load ended.`,
    `Queue throughput: ${f.delivered} of ${BATCH} messages queued at once reached the SMTP sink in ${f.batchSeconds.toFixed(1)} s: ` +
      `${(f.delivered / f.batchSeconds).toFixed(0)} messages/s (one app process, 4 workers, a new SMTP connection per message).`,
  ].join('\n');
}
