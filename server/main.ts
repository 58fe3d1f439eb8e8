import type { Server } from 'node:http';
import { createApp } from './app';
import { boot } from './boot';
import { ConfigError, loadConfig } from './config';
import { DataDirLockedError } from './db/lock';
import { logLine } from './log';

const log = (line: string) => process.stdout.write(line + '\n');
const say = (msg: string) => log(logLine({ level: 'info', msg }));

/** Stops taking connections, lets requests in flight finish, then closes the database. */
function shutdownOnSignals(server: Server, closeDb: () => Promise<void>) {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received: finishing requests in flight, then stopping`);
    const force = setTimeout(() => {
      say('requests still open after 10 s: closing them');
      server.closeAllConnections();
    }, 10_000);
    force.unref();
    server.close(async () => {
      await closeDb();
      say('stopped cleanly');
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function main() {
  const config = loadConfig();
  const { database, deps, migrated } = await boot(config, log);
  if (migrated.length) say(`applied migrations: ${migrated.join(', ')}`);
  const where = config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PostgreSQL in ${config.dataDir}`;
  const server = createApp(deps).listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    say(`Trellis is listening on http://localhost:${port}/ using ${where}`);
  });
  deps.jobs.start();
  shutdownOnSignals(server, async () => {
    await deps.jobs.stop();
    await database.close();
  });
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof DataDirLockedError) {
    process.stderr.write(`${err.message}\n`);
  } else {
    process.stderr.write(`Trellis could not start: ${(err as Error)?.stack ?? err}\n`);
  }
  process.exit(1);
});
