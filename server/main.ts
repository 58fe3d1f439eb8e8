import cluster from 'node:cluster';
import http, { type Server } from 'node:http';
import { createApp } from './app';
import { boot } from './boot';
import { appProcessNumber, reportReady, runGroup } from './cluster';
import { loadConfig } from './config';
import { ConfigError } from './config-error';
import { DataDirLockedError } from './db/lock';
import { isDatabaseUnavailable, unreachableSentence } from './db/unavailable';
import { logLine, tagLogLines } from './log';
import { startInboundMail } from './mail/inbound/start';
import { shutdownOnSignals } from './shutdown';

const log = (line: string) => process.stdout.write(line + '\n');
const say = (msg: string) => log(logLine({ level: 'info', msg }));

/** A reason not to start that the person can act on: printed alone, without a stack. */
class CannotListen extends Error {}

/** What to tell the person when the port can not be listened on; null for errors nobody can act on. */
function listenProblem(err: NodeJS.ErrnoException, port: number, host: string): string | null {
  if (err.code === 'EADDRINUSE') return `Trellis could not start: port ${port} is in use on ${host} by another program. Stop that program, or set PORT to another port.`;
  if (err.code === 'EACCES') return `Trellis could not start: it may not listen on port ${port} (ports below 1024 need privileges). Set PORT to another port.`;
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') return `Trellis could not start: HOST ${host} is not an address of this machine.`;
  return null;
}

/**
 * Listens, or rejects with why not. express 5's app.listen hands a listen error
 * to its callback, where it is easily taken for success; a server's 'error'
 * event can not be missed.
 */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => {
      const problem = listenProblem(err, port, host);
      reject(problem ? new CannotListen(problem) : err);
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

async function main() {
  const config = loadConfig();
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PostgreSQL in ${config.dataDir}`;
  if (config.webConcurrency > 1 && cluster.isPrimary) return runGroup(config, where, log);
  const member = appProcessNumber();
  if (member !== null) tagLogLines({ worker: member });
  // In a group, the process that started this one has migrated already.
  const { database, deps, migrated } = await boot(config, log, { migrate: member === null });
  if (migrated.length) say(`applied migrations: ${migrated.join(', ')}`);
  const server = http.createServer(createApp(deps));
  try {
    await listen(server, config.port, config.host);
  } catch (err) {
    await database.close();
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  if (member === null) say(`Trellis is listening on http://localhost:${port}/ using ${where}`);
  let inbound;
  try {
    inbound = await startInboundMail(deps);
  } catch (err) {
    server.close();
    await database.close();
    throw err;
  }
  deps.jobs.start();
  if (member !== null) {
    say(`app process ${member} (pid ${process.pid}) serves on port ${port}`);
    reportReady(port);
  }
  shutdownOnSignals(
    server,
    async () => {
      await inbound?.close();
      await deps.jobs.stop();
      await database.close();
    },
    database.kind === 'postgres' ? config.database.connectMs : null,
    say,
    () => deps.live.close(),
  );
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError || err instanceof CannotListen) {
    process.stderr.write(`${err.message}\n`);
  } else if (isDatabaseUnavailable(err)) {
    process.stderr.write(`Trellis could not start: ${unreachableSentence(err)}\n`);
  } else {
    process.stderr.write(`Trellis could not start: ${(err as Error)?.stack ?? err}\n`);
  }
  process.exit(1);
});
