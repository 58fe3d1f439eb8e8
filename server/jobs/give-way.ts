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
 * While requests never pause, one waiting worker in the process goes every
 * `maxWaitMs`: a steady stream of requests slows jobs down but cannot hold
 * them back for good.
 */
export class RequestsInFlight {
  private count = 0;
  private lastEnded = 0;
  /** When a worker last went without a pause; the next may go `maxWaitMs` later. */
  private lastCutIn = Date.now();

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

  /** Resolves once no request has been in flight for `settleMs`, or when this worker's turn to cut in comes. */
  async quiet(maxWaitMs: number): Promise<void> {
    for (let idle = this.idleFor(); idle < this.settleMs; idle = this.idleFor()) {
      const turnIn = this.lastCutIn + maxWaitMs - Date.now();
      if (turnIn <= 0) {
        // Taken before any await: the other waiting workers see it and wait for the next turn.
        this.lastCutIn = Date.now();
        return;
      }
      await sleep(Math.min(this.settleMs - idle, turnIn));
    }
  }
}
