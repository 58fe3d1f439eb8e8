import { spawn } from 'node:child_process';
import path from 'node:path';
import { openPostgres } from '../../server/db/connect';
import { exited, freePort, rssOf, type AppProcess } from './app-process';

/** The pool size the app opens PostgreSQL with by default, read from the app's own database opener. */
async function appPoolMax(databaseUrl: string): Promise<number> {
  const probe = openPostgres(databaseUrl);
  try {
    return (probe.db.client.config as { pool: { max: number } }).pool.max;
  } finally {
    await probe.close();
  }
}

/** Starts floor-server.ts beside the app, on the same database, with the app's pool size. */
export async function startFloor(databaseUrl: string): Promise<AppProcess> {
  const port = await freePort();
  const poolMax = await appPoolMax(databaseUrl);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'floor-server.ts')], {
    cwd: path.resolve(__dirname, '../..'),
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: String(port), POOL_MAX: String(poolMax), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The floor did not start within 30 s:\n${output}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('floor listening')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The floor exited with ${code} before listening:\n${output}`));
    });
  });
  const pid = child.pid!;
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  return {
    pid,
    baseUrl: `http://127.0.0.1:${port}`,
    rssMiB: () => rssOf(pid),
    async stop() {
      process.off('exit', killOnExit);
      child.kill('SIGTERM');
      if (!(await exited(child, 10_000))) child.kill('SIGKILL');
    },
  };
}
