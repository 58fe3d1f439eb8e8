/**
 * The web requests in flight in this process. The job runner shares the
 * process's one thread and the database with them: before each job a worker
 * waits for a moment with no request in flight, and such a moment lets one
 * waiting worker go, so jobs run between requests rather than piling into
 * them. A worker never waits longer than `maxWaitMs`: a steady stream of
 * requests slows jobs down but cannot hold them back for good.
 */
export class RequestsInFlight {
  private count = 0;
  private readonly waiting: (() => void)[] = [];

  started(): void {
    this.count += 1;
  }

  ended(): void {
    this.count = Math.max(0, this.count - 1);
    if (this.count === 0) this.waiting.shift()?.();
  }

  /** Resolves at once when no request is in flight, else at the next moment without one, or after `maxWaitMs`. */
  quiet(maxWaitMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const go = () => {
        clearTimeout(timer);
        const i = this.waiting.indexOf(go);
        if (i >= 0) this.waiting.splice(i, 1);
        resolve();
      };
      const timer = setTimeout(go, maxWaitMs);
      timer.unref();
      this.waiting.push(go);
    });
  }
}
