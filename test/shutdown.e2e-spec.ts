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
