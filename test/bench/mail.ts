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

/** Rounds of one window with mail off and one with mail on, in alternating order, so both see the same machine. */
const ROUNDS = 3;

export interface MailRound {
  order: string;
  floor: Measurement;
  off: Measurement;
  on: Measurement;
  /** Messages the on window's comments queued, how many were still to send when it ended, and how long after it the queue was empty. */
  queued: number;
  waiting: number;
  drainSeconds: number;
}

export interface MailFigures {
  rounds: MailRound[];
  batchSeconds: number;
  delivered: number;
}

/**
 * The cost of mail to an edit, and what the queue sends. One app process,
 * with a mailer pointing at a local SMTP sink, takes comments at concurrency 1
 * in alternating windows: mail off (no account has an address, so the editor
 * finds nobody to tell) and mail on (every account has one, so every comment
 * queues mail for the task's owner and subscribers and the app's job runner
 * sends it meanwhile). Each round starts with the floor and waits for the
 * queue to be empty between windows. Then BATCH messages are queued at once
 * and timed until the sink has them.
 */
export async function measureMail(url: string, admin: pg.Client, login: string, password: string, ctx: Omit<ScenarioContext, 'session'>, seconds: number): Promise<MailFigures> {
  const smtp = await sink();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-bench-mail-'));
  const configFile = path.join(dir, 'trellis.json');
  fs.writeFileSync(configFile, JSON.stringify({ mailers: [{ key: 'sink', type: 'smtp', options: { host: '127.0.0.1', port: smtp.port } }], mail: { from: 'Trellis <trellis@bench.example>' } }));
  const app = await startApp(url, { TRELLIS_CONFIG: configFile });
  const mailOn = (on: boolean) => admin.query(on ? `UPDATE users SET email = username || '@example.com'` : 'UPDATE users SET email = NULL');
  const messages = async () => Number((await admin.query(`SELECT count(*)::int AS n FROM mail_messages WHERE status <> 'void'`)).rows[0].n);

  try {
    const session = await logIn(app.baseUrl, login, password);
    const all = scenarios({ ...ctx, session });
    const baseline = all.find((s) => s.name === 'baseline')!;
    const comment = all.find((s) => s.name === 'comment')!;
    const window = async (on: boolean) => {
      await mailOn(on);
      await settle(admin);
      const before = await messages();
      const m = await measure(app.baseUrl, comment, session.cookie, 1, seconds);
      const queued = (await messages()) - before;
      const waiting = Number((await admin.query(UNSENT)).rows[0].n);
      const drainSeconds = await waitFor(admin, UNSENT, (n) => n === 0, 300);
      return { m, queued, waiting, drainSeconds };
    };
    await mailOn(true);
    await measure(app.baseUrl, comment, session.cookie, 1, 1);
    await waitFor(admin, UNSENT, (n) => n === 0, 300);

    const rounds: MailRound[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const onFirst = r % 2 === 1;
      await settle(admin);
      const floor = await measure(app.baseUrl, baseline, session.cookie, 1, Math.min(seconds, 5));
      const first = await window(onFirst);
      const second = await window(!onFirst);
      const [off, on] = onFirst ? [second, first] : [first, second];
      rounds.push({ order: onFirst ? 'on, off' : 'off, on', floor, off: off.m, on: on.m, queued: on.queued, waiting: on.waiting, drainSeconds: on.drainSeconds });
    }

    await mailOn(true);
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
    return { rounds, batchSeconds: (Date.now() - started) / 1000, delivered: smtp.count() - before };
  } finally {
    await app.stop();
    await mailOn(true);
    await smtp.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const percent = (ratio: number) => (ratio >= 1 ? `${((ratio - 1) * 100).toFixed(1)}% slower` : `${((1 - ratio) * 100).toFixed(1)}% faster`);

export function mailReport(f: MailFigures): string {
  const rows = f.rounds.map(
    (r, i) =>
      `| ${i + 1} (${r.order}) | ${r.floor.rps.toFixed(1)} | ${(r.off.rps / r.floor.rps).toFixed(3)} | ${(r.on.rps / r.floor.rps).toFixed(3)} | ` +
      `${r.off.p50.toFixed(2)} / ${r.on.p50.toFixed(2)} | ${(r.on.p50 / r.off.p50).toFixed(3)} | ${r.off.p95.toFixed(2)} / ${r.on.p95.toFixed(2)} | ` +
      `${r.queued} / ${r.waiting} | ${r.drainSeconds.toFixed(1)} | ${r.off.load.toFixed(1)} / ${r.on.load.toFixed(1)} |`,
  );
  const p50 = median(f.rounds.map((r) => r.on.p50 / r.off.p50));
  const rps = median(f.rounds.map((r) => r.off.rps / r.on.rps));
  const met = f.rounds.filter((r) => r.on.p50 / r.off.p50 < 1.1).length;
  return [
    '| round (order) | floor req/s | off req/s ÷ floor | on req/s ÷ floor | p50 ms off / on | on ÷ off p50 | p95 ms off / on | messages queued (on) / unsent at its end | queue empty after s | load off / on |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Edit latency with mail on, median of ${f.rounds.length} rounds: p50 ${percent(p50)} than off, and ${percent(rps)} by throughput (target: under 10% slower); ` +
      `under 10% in ${met} of ${f.rounds.length} rounds.`,
    `Queue throughput: ${f.delivered} of ${BATCH} messages queued at once reached the SMTP sink in ${f.batchSeconds.toFixed(1)} s: ` +
      `${(f.delivered / f.batchSeconds).toFixed(0)} messages/s (one app process, 4 workers, up to 3 pooled SMTP connections).`,
  ].join('\n');
}
