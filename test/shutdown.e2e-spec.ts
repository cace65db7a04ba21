import { Client } from 'pg';
import { GatewayFixture } from './helpers/gateway-fixture';
import { createTestDatabase, TestDatabase } from './helpers/test-db';

/** Request logs are written in batches; none may be lost when the process shuts down. */
describe('graceful shutdown (e2e)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('flushes every buffered log row before the database connection closes', async () => {
    const g = new GatewayFixture();
    await g.start({ DATABASE_URL: db.url });
    const mock = await g.provider({ name: 'mock', type: 'mock' });
    await g.model({ name: 'm', routes: [{ providerId: mock, upstreamModel: 'x' }] });
    const client = g.client(await g.key());
    const n = 40;
    await Promise.all(
      Array.from({ length: n }, (_, i) =>
        client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: `r${i}` }] }),
      ),
    );
    // Close at once: the 1 s flush timer has not fired for these rows.
    await g.close();

    const c = new Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query<{ n: string }>(
      "SELECT COUNT(*) AS n FROM request_logs WHERE model = 'm' AND status = 200",
    );
    await c.end();
    expect(Number(rows[0].n)).toBe(n);
  });
});

/** SIGTERM under load (Nest's shutdown hooks run app.close()): streams finish, every request is logged and billed once. */
describe('graceful shutdown under load (e2e)', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db?.drop();
  });

  const count = async (sql: string) => {
    const c = new Client({ connectionString: db.url });
    await c.connect();
    const { rows } = await c.query<{ n: string }>(sql);
    await c.end();
    return Number(rows[0].n);
  };

  async function start(graceMs: number) {
    const g = new GatewayFixture();
    await g.start({ DATABASE_URL: db.url, SHUTDOWN_GRACE_MS: String(graceMs) });
    // About 40 tokens at 40 tokens/s: each stream lasts roughly a second.
    const mock = await g.provider({ name: 'slow', type: 'mock', config: { tokensPerSecond: 40 } });
    await g.model({ name: 'm', routes: [{ providerId: mock, upstreamModel: 'x' }] });
    await g.t.http
      .post('/api/prices')
      .set('Authorization', `Bearer ${g.admin}`)
      .send({ model: 'm', inputPerM: 1, outputPerM: 1 })
      .expect(201);
    return { g, key: await g.key() };
  }

  const stream = (base: string, key: string, i: number) =>
    fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'm',
        stream: true,
        messages: [{ role: 'user', content: `request ${i}: ${'word '.repeat(40)}` }],
      }),
    });

  it('lets in-flight streams finish, refuses new work, and logs each completed request once', async () => {
    const { g, key } = await start(20_000);
    const n = 12;
    const responses = await Promise.all(Array.from({ length: n }, (_, i) => stream(g.baseURL, key, i)));
    const bodies = responses.map((r) => r.text()); // streams are still running
    const closing = g.close();
    await new Promise((r) => setTimeout(r, 50));
    const late = await stream(g.baseURL, key, 99).catch(() => undefined);
    expect(late === undefined || late.status === 503).toBe(true);
    const texts = await Promise.all(bodies);
    await closing;
    for (const t of texts) expect(t.trim().endsWith('data: [DONE]')).toBe(true);
    expect(await count("SELECT COUNT(*) AS n FROM request_logs WHERE model = 'm' AND status = 200")).toBe(n);
    expect(await count("SELECT COUNT(*) AS n FROM usage_ledger WHERE model = 'm'")).toBe(n);
  });

  it('cuts streams still running at the deadline; they are logged (499) and billed once', async () => {
    const { g, key } = await start(200);
    const n = 6;
    const responses = await Promise.all(Array.from({ length: n }, (_, i) => stream(g.baseURL, key, i)));
    const bodies = responses.map((r) => r.text().catch(() => 'cut'));
    await g.close();
    await Promise.all(bodies);
    expect(await count("SELECT COUNT(*) AS n FROM request_logs WHERE model = 'm'")).toBe(n);
    expect(await count("SELECT COUNT(*) AS n FROM request_logs WHERE model = 'm' AND status = 499")).toBe(n);
    expect(
      await count("SELECT COUNT(*) AS n FROM usage_ledger WHERE model = 'm' AND output_tokens > 0"),
    ).toBe(n);
  });
});
