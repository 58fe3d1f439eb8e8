import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Runs Trellis's own entry points (server/main.ts, server/cli/main.ts) as child processes, as `npm start` and `npm run cli` do. */

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Proc {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<Exit>;
}

/** The environment of a plain shell plus the given Trellis settings: nothing leaks in from the test run's own database settings. */
export function trellisEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of ['DATABASE_URL', 'DATA_DIR', 'PORT', 'TRELLIS_CONFIG', 'DEFAULT_VIEW', 'NODE_OPTIONS']) delete env[key];
  return { ...env, HOST: '127.0.0.1', LOG_REQUESTS: 'false', ...settings };
}

/** Starts `tsx script args…` in the project folder; `stdin`, when given, is written and closed. */
export function launch(script: string, args: string[], settings: Record<string, string>, stdin?: string): Proc {
  const child = spawn(TSX, [script, ...args], { cwd: ROOT, env: trellisEnv(settings), stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (stdin !== undefined) child.stdin!.end(stdin);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<Exit>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    // A command that cannot start at all (tsx missing) ends here instead of leaving the test waiting.
    child.on('error', (err) => resolve({ code: null, signal: null, stdout, stderr: `${stderr}${err.message}\n` }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs a CLI command to its end: `npm run cli -- args…`. */
export function runCli(args: string[], settings: Record<string, string>, stdin?: string): Promise<Exit> {
  return launch('server/cli/main.ts', args, settings, stdin).exited;
}
