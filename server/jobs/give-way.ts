/** How long the process must have had no web request for a background job to count it as quiet. */
export const SETTLE_MS = 20;

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
  });

/**
 * The web requests in flight in this process. The job runner shares the
 * process's one thread and the database with them: before each job a worker
 * waits until no request has been answered for a moment (`settleMs`), so jobs
 * run in the pauses between requests rather than alongside a stream of them.
 * A worker never waits longer than `maxWaitMs`: a steady stream of requests
 * slows jobs down but cannot hold them back for good.
 */
export class RequestsInFlight {
  private count = 0;
  private lastEnded = 0;

  constructor(private readonly settleMs = SETTLE_MS) {}

  started(): void {
    this.count += 1;
  }

  ended(): void {
    this.count = Math.max(0, this.count - 1);
    this.lastEnded = Date.now();
  }

  /** Milliseconds since the last request ended, 0 while one is in flight. */
  private idleFor(): number {
    return this.count ? 0 : Date.now() - this.lastEnded;
  }

  /** Resolves once no request has been in flight for `settleMs`, or after `maxWaitMs`. */
  async quiet(maxWaitMs: number): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    for (let idle = this.idleFor(); idle < this.settleMs; idle = this.idleFor()) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      await sleep(Math.min(this.settleMs - idle, left));
    }
  }
}
