import net from 'node:net';

/**
 * A TCP proxy between the app and its database that a test can take down and bring back, to model
 * the database server going away without stopping a server other suites share:
 *
 *   const proxy = new DbProxy(db.url);
 *   await proxy.up();
 *   await bootApp({ DATABASE_URL: proxy.url });
 *   await proxy.down(); // every open connection is destroyed (both sides); new ones are refused
 *   await proxy.up();   // same port: connections are accepted and piped again
 *
 * It works in front of any PostgreSQL wire-protocol server: a real one, or the embedded PGlite socket
 * server that `createTestDatabase()` starts when DATABASE_URL is unset.
 */
export class DbProxy {
  private server?: net.Server;
  private readonly pairs = new Set<readonly [net.Socket, net.Socket]>();
  private readonly target: URL;
  port = 0;
  /** Client connections accepted since the proxy was created. */
  accepted = 0;

  constructor(targetUrl: string) {
    this.target = new URL(targetUrl);
  }

  /** The target URL with the proxy's host and port (the app's DATABASE_URL). */
  get url(): string {
    const u = new URL(this.target.toString());
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  get isUp(): boolean {
    return this.server?.listening === true;
  }

  /** Client connections open right now. */
  get open(): number {
    return this.pairs.size;
  }

  /** Listens (on the same port as before, after the first time) and pipes each client to the target. */
  async up(): Promise<void> {
    if (this.isUp) return;
    const server = net.createServer((client) => {
      this.accepted++;
      const upstream = net.connect(Number(this.target.port || 5432), this.target.hostname);
      const pair = [client, upstream] as const;
      this.pairs.add(pair);
      // Either side closing or failing takes the pair down, as a server going away would.
      const end = () => {
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      };
      for (const s of pair) {
        s.on('error', end);
        s.on('close', end);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  /** "Stops the database": destroys every open connection (both sides) and refuses new ones. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined;
    for (const [client, upstream] of this.pairs) {
      client.destroy();
      upstream.destroy();
    }
    this.pairs.clear();
    await closed;
  }
}
