import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parse } from 'node-html-parser';
import { trellisEnv } from './process';

const ROOT = path.resolve(__dirname, '../..');

/** Trellis started as `npm start` starts it, in a process of its own, on a port it picked. */
export interface AppProcess {
  child: ChildProcess;
  baseUrl: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(): Promise<void>;
}

/** Waits (a minute at most: two busy cores start tsx slowly) until the output says `ready`; rejects if the process ends first. */
export async function startAppProcess(settings: Record<string, string>, ready = /Trellis is listening on http:\/\/localhost:(\d+)\//): Promise<AppProcess> {
  // node itself rather than the tsx wrapper, so that signals reach the process that serves.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: ROOT, env: trellisEnv({ PORT: '0', ...settings }), stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Trellis did not start within 60 s:\n${output}`)), 60_000);
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', seen);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`Trellis exited with ${code} before it served:\n${output}`));
    });
  });
  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const late = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(late);
    },
  };
}

/** Waits for a condition that other processes bring about, checking every 100 ms, for a minute at most. */
export async function eventually<T>(what: string, check: () => Promise<T | null | undefined | false>): Promise<T> {
  for (let tries = 0; tries < 600; tries++) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Waited a minute in vain for ${what}`);
}

export interface Answer {
  status: number;
  location: string | null;
  text: string;
}

/**
 * A person with a browser that talks to whichever server it is told: one
 * cookie jar for every port of 127.0.0.1, as a browser has for one site
 * behind a load balancer.
 */
export class SiteVisitor {
  private readonly cookies = new Map<string, string>();

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')).trim(), pair!.slice(pair!.indexOf('=') + 1).trim()];
      const gone = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (gone || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request(baseUrl: string, path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(baseUrl + path, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: this.header() } });
    this.remember(res);
    return res;
  }

  async get(baseUrl: string, path: string): Promise<Answer> {
    const res = await this.request(baseUrl, path);
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }

  /** Posts a form with the CSRF token of the page `from`, read from the same server. */
  async post(baseUrl: string, path: string, fields: Record<string, string | string[]>, from: string): Promise<Answer> {
    const page = await this.get(baseUrl, from);
    const token = parse(page.text).querySelector('input[name="__csrf__"]')?.getAttribute('value');
    if (!token) throw new Error(`No CSRF token on ${from} (status ${page.status})`);
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries({ __csrf__: token, ...fields })) for (const one of [v].flat()) body.append(k, one);
    const res = await this.request(baseUrl, path, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    return { status: res.status, location: res.headers.get('location'), text: await res.text() };
  }
}
