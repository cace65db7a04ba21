import net from 'node:net';
import { bootApp, setupAdmin, TestApp } from './helpers/test-app';
import { createTestDatabase, TestDatabase } from './helpers/test-db';

/** A TCP proxy in front of the database that the test can cut and restore. */
class CuttableProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async open(port = 0): Promise<void> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

describe('readiness and database loss (e2e)', () => {
  let db: TestDatabase;
  let proxy: CuttableProxy;
  let t: TestApp;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    const u = new URL(db.url);
    proxy = new CuttableProxy({ host: u.hostname, port: Number(u.port) });
    await proxy.open();
    u.port = String(proxy.port);
    t = await bootApp({ DATABASE_URL: u.toString() });
    token = await setupAdmin(t);
  });
  afterAll(async () => {
    await t.close();
    await proxy.cut().catch(() => undefined);
    await db.drop();
  });

  it('is ready while the database answers', async () => {
    const res = await t.http.get('/health/ready').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: { status: 'up', mode: 'postgres' } });
  });

  it('goes red (503) while the database is down, answers 503 to requests that need it, and recovers', async () => {
    await proxy.cut();
    const ready = await t.http.get('/health/ready').expect(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', database: { status: 'down' } });
    // Liveness stays green: the process is fine, only a dependency is missing.
    await t.http.get('/health').expect(200);
    const users = await t.http.get('/api/users').set('Authorization', `Bearer ${token}`);
    expect(users.status).toBe(503);
    expect(users.body).toMatchObject({ statusCode: 503, code: 'database_unavailable' });
    expect(users.headers['retry-after']).toBe('5');

    await proxy.open(proxy.port);
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await t.http.get('/health/ready')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    await t.http.get('/api/users').set('Authorization', `Bearer ${token}`).expect(200);
  });
});
