import net from 'node:net';

/** One client connection and, once it is passed on, its connection to the real server. */
interface Pair {
  client: net.Socket;
  upstream: net.Socket | null;
  /** What each side sent while the line was held, delivered in order when it is restored. */
  toServer: Buffer[];
  toClient: Buffer[];
  /** The client closed its side while the line was held: passed on when it is restored. */
  clientEnded: boolean;
}

/**
 * A TCP relay between the app and PostgreSQL that a test can break the way
 * real outages break: `down()` is a server that is gone (connections refused,
 * open ones cut), `stuck()` a server that is paused (connections accepted,
 * nothing answered), `cut()` a restart (open connections dropped, new ones
 * welcome). `restore()` ends either.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly pairs = new Set<Pair>();
  private held = false;
  private onHeld: { match: RegExp; resolve: () => void }[] = [];
  port = 0;

  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  /** A URL like `url` that goes through this proxy. */
  urlFor(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  async start(): Promise<void> {
    await this.listen();
  }

  private listen(): Promise<void> {
    // Half-open: a client's goodbye reaches the server only when the line passes bytes, as with a paused server.
    const server = net.createServer({ allowHalfOpen: true }, (client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        this.port = (server.address() as net.AddressInfo).port;
        resolve();
      });
    });
  }

  private accept(client: net.Socket): void {
    const pair: Pair = { client, upstream: null, toServer: [], toClient: [], clientEnded: false };
    this.pairs.add(pair);
    client.on('error', () => undefined);
    client.on('close', () => this.drop(pair));
    client.on('data', (chunk: Buffer) => {
      if (this.held || !pair.upstream) pair.toServer.push(chunk);
      else pair.upstream.write(chunk);
      if (this.held) {
        const text = chunk.toString('latin1');
        for (const w of this.onHeld.filter((w) => w.match.test(text))) {
          this.onHeld.splice(this.onHeld.indexOf(w), 1);
          w.resolve();
        }
      }
    });
    client.on('end', () => {
      if (this.held || !pair.upstream) pair.clientEnded = true;
      else pair.upstream.end();
    });
    if (!this.held) this.connect(pair);
  }

  private connect(pair: Pair): void {
    const upstream = net.connect(this.targetPort, this.host);
    pair.upstream = upstream;
    upstream.on('error', () => undefined);
    upstream.on('close', () => this.drop(pair));
    upstream.on('data', (chunk: Buffer) => {
      if (this.held) pair.toClient.push(chunk);
      else pair.client.write(chunk);
    });
    upstream.on('end', () => pair.client.end());
    this.flush(pair);
  }

  private flush(pair: Pair): void {
    for (const chunk of pair.toServer.splice(0)) pair.upstream!.write(chunk);
    if (pair.clientEnded) pair.upstream!.end();
    for (const chunk of pair.toClient.splice(0)) pair.client.write(chunk);
  }

  private drop(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream?.destroy();
  }

  /** The server is gone: nothing listens on the port, and open connections are reset. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    this.cut();
    await closed;
  }

  /** The server is paused: the kernel still accepts connections, but no byte comes back, and none reaches it. */
  stuck(): void {
    this.held = true;
  }

  /** Resolves once the app sends the stuck server a statement matching `match` (SQL travels as text): a request is then waiting on it. */
  heldTraffic(match: RegExp): Promise<void> {
    return new Promise((resolve) => this.onHeld.push({ match, resolve }));
  }

  /** Every open connection is dropped, as a server restart drops them; new ones go through. */
  cut(): void {
    for (const pair of [...this.pairs]) this.drop(pair);
  }

  /** Back to normal: listening again after `down()`, and after `stuck()` all held bytes delivered, in order. */
  async restore(): Promise<void> {
    if (!this.server) await this.listen();
    if (!this.held) return;
    this.held = false;
    for (const pair of this.pairs) {
      if (!pair.upstream) this.connect(pair);
      else this.flush(pair);
    }
  }

  async close(): Promise<void> {
    this.held = false;
    await this.down();
  }
}
