import type { Server, ServerResponse } from 'node:http';

/**
 * Stops on SIGINT or SIGTERM: takes no new connections, lets requests in
 * flight finish, then closes the database. Every response still to be sent
 * then says `Connection: close`, so a kept-alive connection closes right after
 * its last response is sent, and is never cut while that response is on its way.
 */
export function shutdownOnSignals(
  server: Server,
  closeDb: () => Promise<void>,
  /** How long a database that does not acknowledge closing is waited for; null: for as long as it takes. */
  closeWithinMs: number | null,
  say: (msg: string) => void,
  /** Ends what never finishes by itself (live page streams), so that closing does not wait for them. */
  endStreams: () => Promise<void> = async () => undefined,
): void {
  const inFlight = new Set<ServerResponse>();
  let stopping = false;
  const lastOnItsConnection = (res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };
  server.on('request', (_req, res: ServerResponse) => {
    if (stopping) return lastOnItsConnection(res);
    inFlight.add(res);
    res.on('close', () => inFlight.delete(res));
  });

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received: finishing requests in flight, then stopping`);
    for (const res of inFlight) lastOnItsConnection(res);
    void endStreams();
    const force = setTimeout(() => {
      say('requests still open after 10 s: closing them');
      server.closeAllConnections();
    }, 10_000);
    force.unref();
    server.close(async () => {
      // A server that stopped answering may never acknowledge the goodbye: it gets as long as connecting may take.
      // The embedded database is always waited for, since closing it is what writes it out.
      const late = new Promise<false>((resolve) => closeWithinMs !== null && setTimeout(resolve, closeWithinMs, false).unref());
      const closed = await Promise.race([closeDb().then(() => true), late]);
      say(closed ? 'stopped cleanly' : `the database did not acknowledge closing within ${closeWithinMs} ms: stopped anyway`);
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
