import { Client } from 'pg';
import { DROP_REPORT_MS } from '../src/common/batch/batch-writer';
import { LogWriter } from '../src/logs/log-writer.service';
import { DbProxy } from './helpers/db-proxy';
import { GatewayFixture } from './helpers/gateway-fixture';
import { MockUpstream, startMockUpstream } from './helpers/mock-upstreams';
import { createTestDatabase, realDatabaseUrl, TestDatabase } from './helpers/test-db';

/**
 * PostgreSQL goes away under a loaded gateway and comes back. The database is not stopped (other
 * suites share the server): a TCP proxy between the app and the database (`DbProxy`) destroys every
 * open connection and refuses new ones, which is what the app sees when the server stops. On the
 * embedded path the proxy sits in front of a PGlite socket server (`createTestDatabase`), so the
 * suite runs there too.
 */

type Phase = 'before' | 'outage' | 'after';

interface Outcome {
  id: string;
  phase: Phase;
  stream: boolean;
  status: number;
  /** The whole answer arrived: the echo for JSON, `[DONE]` for a stream. */
  complete: boolean;
}

const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 30_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

/** The app boots on the proxy; on the embedded server with one connection, as the embedded mode does. */
async function bootBehindProxy(g: GatewayFixture, proxy: DbProxy, env: Record<string, string> = {}) {
  await g.start({ DATABASE_URL: proxy.url, ...(realDatabaseUrl ? {} : { DB_POOL_SIZE: '1' }), ...env });
}

async function rows(db: TestDatabase, sql: string): Promise<string[]> {
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    return (await c.query<{ v: string }>(sql)).rows.map((r) => r.v);
  } finally {
    await c.end();
  }
}

async function chat(
  base: string,
  key: string,
  id: string,
  stream: boolean,
  headers: Record<string, string> = {},
): Promise<{ status: number; complete: boolean; body: string }> {
  const res = await fetch(`${base}/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
      'x-request-id': id,
      ...headers,
    },
    body: JSON.stringify({ model: 'm', stream, messages: [{ role: 'user', content: `hello ${id}` }] }),
  });
  const body = await res.text();
  let complete = false;
  if (res.status === 200) {
    complete = stream
      ? body.trimEnd().endsWith('data: [DONE]')
      : (JSON.parse(body) as { choices: { message: { content: string } }[] }).choices[0].message.content ===
        `echo: hello ${id}`;
  }
  return { status: res.status, complete, body };
}

/** `concurrency` clients, each sending chat requests back to back (alternately streamed) until stopped. */
class Load {
  readonly results: Outcome[] = [];
  phase: Phase = 'before';
  private running = true;
  private seq = 0;
  private readonly workers: Promise<void>[];

  constructor(base: string, key: string, concurrency: number) {
    this.workers = Array.from({ length: concurrency }, async () => {
      while (this.running) {
        const n = this.seq++;
        const id = `load-${n}`;
        const phase = this.phase;
        const stream = n % 2 === 1;
        try {
          const r = await chat(base, key, id, stream);
          this.results.push({ id, phase, stream, status: r.status, complete: r.complete });
        } catch {
          this.results.push({ id, phase, stream, status: 0, complete: false });
        }
      }
    });
  }

  count(phase: Phase): number {
    return this.results.filter((r) => r.phase === phase).length;
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.workers);
  }
}

describe('PostgreSQL outage under load (e2e)', () => {
  const g = new GatewayFixture();
  let db: TestDatabase;
  let proxy: DbProxy;
  let up: MockUpstream;
  let key: string;
  let coldKey: string;
  let sessionId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = new DbProxy(db.url);
    await proxy.up();
    up = await startMockUpstream('openai');
    await bootBehindProxy(g, proxy);
    const provider = await g.provider({ name: 'up', type: 'openai-compatible', baseUrl: up.url });
    // gpt-4o-mini has a seeded price, so every answer is billed at a real cost.
    await g.model({ name: 'm', routes: [{ providerId: provider, upstreamModel: 'gpt-4o-mini' }] });
    // Limits and a budget on the key: admission runs its rate windows and its budget reservation.
    key = await g.key({ name: 'load', rpmLimit: 1_000_000, tpmLimit: 1_000_000_000 });
    coldKey = await g.key({ name: 'never used before the outage' });
    const keys = await g.t.http.get('/api/api-keys').set('Authorization', `Bearer ${g.admin}`).expect(200);
    const keyId = (keys.body as { id: string; name: string }[]).find((k) => k.name === 'load')!.id;
    await g.t.http
      .post('/api/budgets')
      .set('Authorization', `Bearer ${g.admin}`)
      .send({ scope: 'key', scopeId: keyId, period: 'daily', amountUsd: 1000 })
      .expect(201);
    const s = await g.t.http.post('/v1/sessions').set('Authorization', `Bearer ${key}`).send({}).expect(201);
    sessionId = s.body.id as string;
  });
  afterAll(async () => {
    await proxy.up(); // in case a failed test left it down: shutdown flushes through it
    await g.close();
    await proxy.down();
    await up?.close();
    await db?.drop();
  });

  it('keeps serving from its caches, answers 503 where the database is needed, buffers the rows and writes every one after the restart', async () => {
    // The log writer writes each request's log row and usage-ledger row in one statement.
    const logs = g.t.app.get(LogWriter);
    const admin = { Authorization: `Bearer ${g.admin}` };
    const load = new Load(g.baseURL, key, 8);

    // ---- before: steady load, rows written as they come
    await until('load before the outage', () => load.count('before') >= 60 && logs.written > 0);
    expect((await g.t.http.get('/health/ready')).status).toBe(200);
    const poolBefore = proxy.open;

    // ---- the database goes away
    await proxy.down();
    load.phase = 'outage';
    let peakLogs = 0;
    const sampler = setInterval(() => (peakLogs = Math.max(peakLogs, logs.pending)), 20);
    const outageStart = Date.now();

    // Readiness goes red, liveness stays green.
    const ready = await g.t.http.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ status: 'unavailable', database: { status: 'down' } });
    await g.t.http.get('/health').expect(200);

    // Admin endpoints that read the database: 503 database_unavailable (never a 500).
    for (const path of ['/api/users', '/api/logs', '/api/api-keys', '/api/budgets', '/api/dashboard/stats']) {
      const res = await g.t.http.get(path).set(admin);
      expect({ path, status: res.status, code: res.body.code }).toEqual({
        path,
        status: 503,
        code: 'database_unavailable',
      });
      expect(res.headers['retry-after']).toBe('5');
    }

    // A request naming a session needs its history: a clean 503 in the front door's own shape.
    const withSession = await chat(g.baseURL, key, 'probe-session', false, { 'x-session-id': sessionId });
    expect(withSession.status).toBe(503);
    expect(JSON.parse(withSession.body)).toMatchObject({
      error: { type: 'service_unavailable', code: 'database_unavailable' },
    });
    const anthropic = await fetch(`${g.baseURL}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'm',
        max_tokens: 16,
        metadata: { session_id: sessionId },
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(anthropic.status).toBe(503);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    // A key this instance has never seen cannot be checked: 503, not 401 (nor 500).
    const cold = await chat(g.baseURL, coldKey, 'probe-cold-key', false);
    expect(cold.status).toBe(503);
    expect(JSON.parse(cold.body)).toMatchObject({ error: { code: 'database_unavailable' } });
    // A known key's model list is memory only.
    expect(
      (await fetch(`${g.baseURL}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status,
    ).toBe(200);

    // The writers keep their rows and retry; the metrics say so.
    await until('load through the outage', () => load.count('outage') >= 300 && logs.failedWrites >= 2);
    const metrics = (await g.t.http.get('/metrics').expect(200)).text;
    const gauge = (name: string, table: string) =>
      Number(new RegExp(`^${name}\\{table="${table}"\\} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(gauge('gateway_writer_buffer_rows', 'request_logs')).toBeGreaterThan(0);
    expect(gauge('gateway_writer_failing_seconds', 'request_logs')).toBeGreaterThan(0);
    expect(gauge('gateway_writer_failed_writes', 'request_logs')).toBeGreaterThanOrEqual(2);
    expect(gauge('gateway_writer_dropped_rows', 'request_logs')).toBe(0);

    // ---- the database comes back: the pool reconnects by itself
    const outageMs = Date.now() - outageStart;
    load.phase = 'after';
    const restart = Date.now();
    await proxy.up();
    await until(
      'readiness after the restart',
      async () => (await g.t.http.get('/health/ready')).status === 200,
    );
    const readyMs = Date.now() - restart;
    await until('the buffered rows to be written', () => logs.failingSince === null && logs.pending < 500);
    const drainedMs = Date.now() - restart;
    clearInterval(sampler);
    await g.t.http.get('/api/users').set(admin).expect(200);
    await until('load after the restart', () => load.count('after') >= 60);
    await load.stop();
    await logs.flush();

    // ---- every request was served, every one is logged and billed exactly once
    const served = load.results;
    const outage = served.filter((r) => r.phase === 'outage');
    expect(served.filter((r) => r.status !== 200 || !r.complete)).toEqual([]);
    expect(outage.filter((r) => r.stream).length).toBeGreaterThan(0);
    expect(peakLogs).toBeGreaterThan(0);

    const ids = served.map((r) => r.id).sort();
    const logged = await rows(db, "SELECT request_id AS v FROM request_logs WHERE request_id LIKE 'load-%'");
    const billed = await rows(db, "SELECT request_id AS v FROM usage_ledger WHERE request_id LIKE 'load-%'");
    expect(logged.sort()).toEqual(ids);
    expect(billed.sort()).toEqual(ids);
    expect(logs.dropped).toBe(0);
    // The rollups (same statement as the log rows) count each request once too.
    const [rolled] = await rows(
      db,
      "SELECT SUM(requests)::text AS v FROM request_rollups WHERE width = 1 AND model = 'm'",
    );
    const [all] = await rows(db, "SELECT COUNT(*)::text AS v FROM request_logs WHERE model = 'm'");
    expect(rolled).toBe(all);
    // The probes that needed the database are logged with their 503.
    const probes = await rows(
      db,
      "SELECT status::text AS v FROM request_logs WHERE request_id LIKE 'probe-%'",
    );
    expect(probes).toEqual(['503', '503']);

    console.log(
      `db outage (${realDatabaseUrl ? 'PostgreSQL' : 'embedded PGlite'}): ${served.length} requests, ` +
        `${outage.length} served during a ${(outageMs / 1000).toFixed(1)} s outage (8 clients, half streamed); ` +
        `${poolBefore} pooled connections cut; up to ${peakLogs} log rows (each with its ledger row) buffered; ` +
        `ready ${readyMs} ms and buffers written ${drainedMs} ms after the restart; ` +
        `${logs.failedWrites} failed batch writes retried, 0 rows lost`,
    );
  });

  it('stores a log batch once when it is written again after a lost acknowledgement', async () => {
    const logs = g.t.app.get(LogWriter);
    await logs.flush();
    const before = await rows(db, "SELECT COUNT(*)::text AS v FROM request_logs WHERE model = 'm'");
    const [rolledBefore] = await rows(
      db,
      "SELECT SUM(requests)::text AS v FROM request_rollups WHERE width = 1 AND model = 'm'",
    );
    // The first write commits, but its answer never arrives: the writer keeps the batch and retries.
    const target = logs as unknown as { write: (r: unknown[]) => Promise<void> };
    const write = target.write.bind(logs);
    const lostAck = jest.spyOn(target, 'write').mockImplementationOnce(async (r) => {
      await write(r);
      throw new Error('Connection terminated unexpectedly');
    });
    const failedBefore = logs.failedWrites;
    const r = await chat(g.baseURL, key, 'lost-ack', false);
    expect(r.status).toBe(200);
    await until('the retry', async () => {
      await logs.flush();
      return logs.pending === 0;
    });
    lostAck.mockRestore();
    expect(logs.failedWrites - failedBefore).toBe(1);
    expect(await rows(db, "SELECT request_id AS v FROM request_logs WHERE request_id = 'lost-ack'")).toEqual([
      'lost-ack',
    ]);
    const after = await rows(db, "SELECT COUNT(*)::text AS v FROM request_logs WHERE model = 'm'");
    const [rolledAfter] = await rows(
      db,
      "SELECT SUM(requests)::text AS v FROM request_rollups WHERE width = 1 AND model = 'm'",
    );
    expect(Number(after[0]) - Number(before[0])).toBe(1);
    expect(Number(rolledAfter) - Number(rolledBefore)).toBe(1);
  });
});

describe('PostgreSQL outage longer than the write buffer (e2e)', () => {
  const g = new GatewayFixture();
  let db: TestDatabase;
  let proxy: DbProxy;
  let up: MockUpstream;
  let key: string;
  const bound = 20;

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = new DbProxy(db.url);
    await proxy.up();
    up = await startMockUpstream('openai');
    await bootBehindProxy(g, proxy, { WRITE_BUFFER_MAX_ROWS: String(bound) });
    const provider = await g.provider({ name: 'up', type: 'openai-compatible', baseUrl: up.url });
    await g.model({ name: 'm', routes: [{ providerId: provider, upstreamModel: 'gpt-4o-mini' }] });
    key = await g.key({ name: 'k' });
  });
  afterAll(async () => {
    await proxy.up();
    await g.close();
    await proxy.down();
    await up?.close();
    await db?.drop();
  });

  it('keeps the newest rows up to WRITE_BUFFER_MAX_ROWS, counts and reports the dropped ones in a few lines', async () => {
    const logs = g.t.app.get(LogWriter);
    expect((await chat(g.baseURL, key, 'warm', false)).status).toBe(200);
    await logs.flush();
    const warn = jest.spyOn(logs['logger'], 'warn');
    const info = jest.spyOn(logs['logger'], 'log');

    await proxy.down();
    const n = 100;
    const t0 = Date.now();
    for (let i = 0; i < n; i++) {
      const r = await chat(g.baseURL, key, `burst-${String(i).padStart(3, '0')}`, i % 2 === 1);
      expect(r.status).toBe(200);
    }
    // A write attempt in the outage settles what is kept: the bound, the newest rows.
    await logs.flush();
    const elapsed = Date.now() - t0;
    expect(logs.pending).toBe(bound);
    expect(logs.dropped).toBe(n - bound);

    const metrics = (await g.t.http.get('/metrics').expect(200)).text;
    expect(metrics).toContain(`gateway_writer_dropped_rows{table="request_logs"} ${n - bound}`);
    expect(metrics).toContain(`gateway_writer_buffer_rows{table="request_logs"} ${bound}`);

    // 80 drops, but one line at the first and then at most one per DROP_REPORT_MS; the failing write
    // is logged once with its error, not once per retry.
    const warned = warn.mock.calls.map((c) => String(c[0]));
    const dropLines = warned.filter((l) => l.includes('dropped the oldest'));
    expect(dropLines.length).toBeGreaterThanOrEqual(1);
    expect(dropLines.length).toBeLessThanOrEqual(1 + Math.ceil(elapsed / DROP_REPORT_MS));
    expect(dropLines[0]).toMatch(
      /^request log rows: buffer full \(20 rows\); dropped the oldest 1 row, 1 since start$/,
    );
    expect(warned.filter((l) => l.startsWith('could not write request log rows'))).toHaveLength(1);

    await proxy.up();
    await until('the kept rows to be written', () => logs.pending === 0);
    const expected = Array.from(
      { length: bound },
      (_, i) => `burst-${String(n - bound + i).padStart(3, '0')}`,
    );
    expect(
      await rows(db, "SELECT request_id AS v FROM request_logs WHERE request_id LIKE 'burst-%' ORDER BY 1"),
    ).toEqual(expected);
    expect(
      await rows(db, "SELECT request_id AS v FROM usage_ledger WHERE request_id LIKE 'burst-%' ORDER BY 1"),
    ).toEqual(expected);
    expect(info.mock.calls.map((c) => String(c[0]))).toContainEqual(
      expect.stringMatching(
        /^writing request log rows again after [\d.]+ s and \d+ failed tries; .* 80 dropped since start$/,
      ),
    );
    warn.mockRestore();
    info.mockRestore();
  });
});
