/**
 * The workboard's server time, measured inside the app's process: the whole
 * request (from its arrival to the last byte written), and each part of it
 * apart (the queries, the view model, the template). Run on a seeded bench
 * database after `npm run bench` has made its board:
 *
 *   npx tsx test/bench/board-time.ts [--runs N]
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { promisify } from 'node:util';
import os from 'node:os';
import { boot } from '../../server/boot';
import { loadConfig } from '../../server/config';
import { loadBoard } from '../../server/projects/board';
import { findProject } from '../../server/projects/repository';
import { findUserByUsername } from '../../server/users/repository';
import { createApp } from '../../server/app';
import { boardModel } from '../../server/web/views/board';
import { DEFAULT_URL } from './args';
import { BENCH_PASSWORD } from './seed';
import { logIn } from './login';

const say = (line = '') => process.stdout.write(line + '\n');
const run = promisify(execFile);

function summary(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return `p50 ${at(0.5).toFixed(1)}  p90 ${at(0.9).toFixed(1)}  min ${s[0]!.toFixed(1)} ms`;
}

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/** Wall time, and this process's CPU time, which a loaded machine stretches far less. */
async function timed<T>(into: number[], cpu: number[], work: () => Promise<T> | T): Promise<T> {
  const start = process.hrtime.bigint();
  const used = process.cpuUsage();
  const out = await work();
  into.push(Number(process.hrtime.bigint() - start) / 1e6);
  cpu.push(cpuMs(process.cpuUsage(used)));
  return out;
}

async function main() {
  const runsAt = process.argv.indexOf('--runs');
  const runs = runsAt > 0 ? Number(process.argv[runsAt + 1]) : 30;
  const url = process.env.BENCH_DATABASE_URL ?? DEFAULT_URL;
  const config = loadConfig({ ...process.env, DATABASE_URL: url, LOG_REQUESTS: 'false', NODE_ENV: 'production' });
  const { database, deps } = await boot(config, () => {});
  const app = createApp(deps);
  const [request, requestCpu] = [[], []] as number[][];
  const server = http.createServer((req, res) => {
    const start = process.hrtime.bigint();
    const used = process.cpuUsage();
    if (req.url?.startsWith('/project/board/')) {
      res.on('finish', () => {
        request.push(Number(process.hrtime.bigint() - start) / 1e6);
        requestCpu.push(cpuMs(process.cpuUsage(used)));
      });
    }
    app(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  try {
    const board = (await deps.db('project_hashtags').where({ hashtag: 'bench_board' }).first('project_id')) as { project_id: number } | undefined;
    if (!board) throw new Error('No bench board: run `npm run bench -- --only board` once first.');
    const project = (await findProject(deps.db, board.project_id))!;
    const login = 'alice.abbott';
    const viewer = (await findUserByUsername(deps.db, login))!;
    const session = await logIn(base, login, BENCH_PASSWORD);
    const path = `/project/board/${project.id}/`;
    let bytes = 0;
    let cards = 0;
    const [queries, model, render, queriesCpu, modelCpu, renderCpu] = [[], [], [], [], [], []] as number[][];
    for (let i = 0; i < runs + 3; i++) {
      // curl reads the page in a process of its own, so the app's CPU time is the app's alone.
      const { stdout } = await run('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}', '-H', `cookie: ${session.cookie}`, base + path]);
      const [status, size] = stdout.split(' ').map(Number);
      if (status !== 200) throw new Error(`${path} answered ${status}`);
      bytes = size!;
      const b = await timed(queries, queriesCpu, () => loadBoard(deps.db, viewer, project, {}));
      cards = b.cards.length;
      const m = await timed(model, modelCpu, () => boardModel(b, deps.tracker, 'natural', ''));
      await timed(
        render,
        renderCpu,
        () =>
          new Promise<string>((resolve, reject) =>
            app.render('pages/projects/board', { csrf: 'x', pageTitle: 'Board', viewer: null, ...m, canEdit: true, filterText: '' }, (err, out) => (err ? reject(err) : resolve(out))),
          ),
      );
    }
    // The first runs warm the caches (template compilation, plans): they are left out.
    for (const list of [request, queries, model, render, requestCpu, queriesCpu, modelCpu, renderCpu]) list.splice(0, 3);
    say(`Board ${path}: ${cards} cards, ${(bytes / 1024).toFixed(0)} KiB of HTML; ${runs} runs one after another; load average ${os.loadavg().map((l) => l.toFixed(1)).join(', ')}`);
    say(`  whole request, in the app   wall ${summary(request)};  app CPU ${summary(requestCpu)}`);
    say(`  queries (loadBoard)         wall ${summary(queries)};  app CPU ${summary(queriesCpu)}`);
    say(`  view model (boardModel)     wall ${summary(model)};  app CPU ${summary(modelCpu)}`);
    say(`  template (handlebars)       wall ${summary(render)};  app CPU ${summary(renderCpu)}`);
  } finally {
    server.close();
    await deps.jobs.stop();
    await database.close();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
