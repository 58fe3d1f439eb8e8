import { spawn, type ChildProcess } from 'node:child_process';
import { benchConfigFile } from './custom';
import { cpuSecondsOf } from './process-cpu';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** The app, started as `npm start` starts it, in its own process so its memory can be read on its own. */
export interface AppProcess {
  pid: number;
  baseUrl: string;
  /** Resident memory in MiB, from /proc. */
  rssMiB(): number;
  /** CPU seconds spent so far, by it and its app processes when it started a group; from /proc. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : NaN;
}

export function exited(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts a script of this repository as a child process and waits for the line that says it
 * listens; the child never outlives this process.
 */
export async function startListening(
  script: string,
  env: Record<string, string>,
  ready: string,
  what: string,
  startSeconds: number,
  nodeFlags: string[] = [],
): Promise<AppProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stderr!.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${startSeconds} s:\n${output}`)), startSeconds * 1000);
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} before listening:\n${output}`));
    });
  });
  const pid = child.pid!;
  // However this process ends (an error, Ctrl-C, a closed pipe), the child must not outlive it.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  return {
    pid,
    baseUrl: `http://127.0.0.1:${port}`,
    rssMiB: () => rssOf(pid),
    cpuSeconds: () => cpuSecondsOf(pid),
    async stop() {
      process.off('exit', killOnExit);
      child.kill('SIGTERM');
      if (!(await exited(child, 15_000))) {
        child.kill('SIGKILL');
        await exited(child, 5_000);
      }
    },
  };
}

/** The node flags `npm start` gives the app (`tsx --flag … server/main.ts`), so the bench runs it as production does. */
export function startScriptFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.split(/\s+/);
  if (words[0] !== 'tsx' || words[words.length - 1] !== 'server/main.ts') throw new Error(`npm start is no longer "tsx [flags] server/main.ts": ${pkg.scripts.start}`);
  return words.slice(1, -1);
}

export function startApp(databaseUrl: string, extraEnv: Record<string, string> = {}): Promise<AppProcess> {
  const env = {
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    // One JSON line per request would measure the pipe to this process, not the app.
    LOG_REQUESTS: 'false',
    NODE_ENV: 'production',
    // With the custom fields the `custom` scenario filters by.
    TRELLIS_CONFIG: benchConfigFile(),
    ...extraEnv,
  };
  return startListening('server/main.ts', env, 'Trellis is listening', 'The app', 60, startScriptFlags());
}
