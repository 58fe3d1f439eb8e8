import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small Conduit server for import tests: it answers POST /api/<method> with
 * what a handler returns, wrapped as Phabricator wraps results. A handler may
 * instead return a Fault to answer with an HTTP status or a broken body.
 */

export class Fault {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {}
}

export type Handler = (params: Record<string, unknown>) => unknown;

export interface FakeConduit {
  url: string;
  /** Calls received, by method. */
  calls: Map<string, number>;
  /** Most requests in flight at one moment. */
  peakInFlight: number;
  close(): Promise<void>;
}

export async function startFakeConduit(handlers: Record<string, Handler>, delayMs = 0): Promise<FakeConduit> {
  const calls = new Map<string, number>();
  let inFlight = 0;
  const state = { peakInFlight: 0 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      inFlight++;
      state.peakInFlight = Math.max(state.peakInFlight, inFlight);
      try {
        if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
        const method = decodeURIComponent((req.url ?? '').replace(/^\/api\//, ''));
        calls.set(method, (calls.get(method) ?? 0) + 1);
        const form = new URLSearchParams(Buffer.concat(chunks).toString());
        const params = JSON.parse(form.get('params') ?? '{}') as Record<string, unknown>;
        const handler = handlers[method];
        const answer = handler
          ? handler(params)
          : { error_code: 'ERR-CONDUIT-CALL', error_info: `Conduit method "${method}" does not exist.` };
        if (answer instanceof Fault) {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(answer.body);
          return;
        }
        const wrapped =
          typeof answer === 'object' && answer !== null && 'error_code' in answer ? { result: null, ...answer } : { result: answer, error_code: null, error_info: null };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(wrapped));
      } finally {
        inFlight--;
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    get peakInFlight() {
      return state.peakInFlight;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  } as FakeConduit;
}

/** Phabricator's paging over a list: `after` is the last id of the previous page, as a string. */
export function page<T extends { id: number }>(items: T[], params: Record<string, unknown>, order: 'oldest' | 'newest' = 'oldest') {
  const limit = Number(params.limit ?? 100);
  const after = params.after === undefined ? null : Number(params.after);
  const sorted = [...items].sort((a, b) => (order === 'oldest' ? a.id - b.id : b.id - a.id));
  const rest = after === null ? sorted : sorted.filter((x) => (order === 'oldest' ? x.id > after : x.id < after));
  const data = rest.slice(0, limit);
  return { data, maps: {}, query: { queryKey: null }, cursor: { limit, after: rest.length > limit ? String(data[data.length - 1]!.id) : null, before: null, order: null } };
}
