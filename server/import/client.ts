/**
 * A client of a Phabricator (or Phorge, or Trellis) Conduit API: form-encoded
 * calls with the token inside `params`, as arcanist sends them; a timeout per
 * request; retries with backoff when the server is failing (5xx), rate-limits
 * (429, ERR-RATE-LIMIT) or the connection breaks; and a bound on requests in
 * flight, so an import never floods the install it reads.
 */

export class ConduitCallError extends Error {
  constructor(
    readonly method: string,
    readonly code: string,
    message: string,
  ) {
    super(`${method}: ${code}: ${message}`);
  }
}

export interface ClientOptions {
  url: string;
  token: string;
  /** Milliseconds before a request is abandoned (and retried). */
  timeoutMs?: number;
  /** Attempts per call, the first included. */
  attempts?: number;
  /** Delay before the first retry; doubled for each further one. */
  backoffMs?: number;
  /** Requests in flight at most. */
  concurrency?: number;
  /** Counts retries for the report. */
  onRetry?: (method: string, reason: string) => void;
}

const RETRYABLE_CODES = new Set(['ERR-RATE-LIMIT']);

class Retryable extends Error {}

/** A counting semaphore: at most `size` holders at once, the rest wait in order. */
class Gate {
  private held = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.held >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.held++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.held--;
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ConduitClient {
  private readonly endpoint: string;
  private readonly gate: Gate;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(private readonly opts: ClientOptions) {
    this.endpoint = opts.url.replace(/\/+$/, '') + '/api/';
    this.gate = new Gate(opts.concurrency ?? 4);
    this.timeoutMs = opts.timeoutMs ?? 30000;
    this.attempts = opts.attempts ?? 5;
    this.backoffMs = opts.backoffMs ?? 500;
  }

  async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.gate.run(() => this.once<T>(method, params));
      } catch (err) {
        if (!(err instanceof Retryable) || attempt >= this.attempts) {
          if (err instanceof Retryable) throw new ConduitCallError(method, 'ERR-UNAVAILABLE', `gave up after ${attempt} attempts: ${err.message}`);
          throw err;
        }
        this.opts.onRetry?.(method, err.message);
        // Full jitter: many waiting calls do not all come back at the same moment.
        await sleep(Math.random() * this.backoffMs * 2 ** (attempt - 1));
      }
    }
  }

  private async once<T>(method: string, params: Record<string, unknown>): Promise<T> {
    const body = new URLSearchParams({
      params: JSON.stringify({ ...params, __conduit__: { token: this.opts.token } }),
      output: 'json',
      __conduit__: 'true',
    });
    let res: Response;
    try {
      res = await fetch(this.endpoint + method, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new Retryable(`request failed: ${(err as Error).message}`);
    }
    const text = await res.text().catch((err: Error) => {
      throw new Retryable(`response broken off: ${err.message}`);
    });
    if (res.status === 429 || res.status >= 500) throw new Retryable(`HTTP ${res.status}`);
    if (res.status !== 200) throw new ConduitCallError(method, `HTTP-${res.status}`, text.slice(0, 200));
    let parsed: { result?: unknown; error_code?: string | null; error_info?: string | null };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ConduitCallError(method, 'ERR-MALFORMED-JSON', `the response is not JSON (${text.length} bytes starting ${JSON.stringify(text.slice(0, 40))})`);
    }
    if (typeof parsed !== 'object' || parsed === null) throw new ConduitCallError(method, 'ERR-MALFORMED-JSON', 'the response is not a JSON object');
    if (parsed.error_code) {
      if (RETRYABLE_CODES.has(parsed.error_code)) throw new Retryable(parsed.error_code);
      throw new ConduitCallError(method, parsed.error_code, parsed.error_info ?? '');
    }
    return parsed.result as T;
  }
}
