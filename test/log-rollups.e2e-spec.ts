import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { insertRequestLogs, NewRequestLog } from '../src/logs/log-writer.service';
import { RequestLog } from '../src/logs/request-log.entity';
import { LATENCY_BUCKETS_MS, LATENCY_COLUMNS } from '../src/logs/request-rollup.entity';
import { bootApp, TestApp } from './helpers/test-app';
import { realDatabaseUrl } from './helpers/test-db';

/**
 * The rollups the log writer maintains in its batch statement (per minute from the inserted rows,
 * per hour from those minutes, each row's latency bucket by `width_bucket`) must equal the plain
 * definition: every log row counted once per width, in the bucket whose bound its latency is ≤.
 */
describe('Request rollups written with the log rows (e2e)', () => {
  let t: TestApp;
  let db: DataSource;
  beforeAll(async () => {
    t = await bootApp();
    db = t.app.get(DataSource);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  // As the log writer sends it: a named statement on a PostgreSQL server of its own, unnamed on PGlite.
  const prepared = Boolean(realDatabaseUrl);
  const keyA = randomUUID();
  const keyB = randomUUID();
  const provider = randomUUID();
  const row = (at: string, latencyMs: number, extra: Partial<NewRequestLog> = {}): NewRequestLog => ({
    createdAt: new Date(at),
    requestId: randomUUID(),
    protocol: 'openai',
    endpoint: 'chat',
    apiKeyId: keyA,
    userId: null,
    tenantId: null,
    model: 'm-rollup',
    providerId: provider,
    providerName: 'p',
    upstreamModel: 'u',
    attempts: [],
    status: 200,
    stream: false,
    latencyMs,
    ttftMs: null,
    inputTokens: 10,
    outputTokens: 5,
    cachedTokens: 0,
    reasoningTokens: 0,
    costUsd: 0.001,
    usageEstimated: false,
    clientIp: null,
    userAgent: null,
    error: null,
    droppedFields: [],
    requestBody: null,
    responseBody: null,
    ...extra,
  });

  /** The plain definition, from the log rows themselves. */
  const expected = async (width: 1 | 60) =>
    db.query(
      `SELECT date_trunc('${width === 1 ? 'minute' : 'hour'}', created_at) AS bucket, api_key_id,
         COUNT(*)::int AS requests, (COUNT(*) FILTER (WHERE status >= 400))::int AS errors,
         SUM(input_tokens)::text AS input_tokens, SUM(cost_usd)::text AS cost_usd,
         ${LATENCY_COLUMNS.map((c, i) =>
           i === 0
             ? `(COUNT(*) FILTER (WHERE latency_ms <= ${LATENCY_BUCKETS_MS[0]}))::int AS ${c}`
             : i < LATENCY_BUCKETS_MS.length
               ? `(COUNT(*) FILTER (WHERE latency_ms > ${LATENCY_BUCKETS_MS[i - 1]} AND latency_ms <= ${LATENCY_BUCKETS_MS[i]}))::int AS ${c}`
               : `(COUNT(*) FILTER (WHERE latency_ms > ${LATENCY_BUCKETS_MS[i - 1]}))::int AS ${c}`,
         ).join(', ')}
       FROM request_logs WHERE model = 'm-rollup' GROUP BY 1, 2 ORDER BY 1, 2`,
    );
  const stored = async (width: 1 | 60) =>
    db.query(
      `SELECT bucket, api_key_id, requests, errors, input_tokens::text AS input_tokens, cost_usd::text AS cost_usd,
         ${LATENCY_COLUMNS.join(', ')}
       FROM request_rollups WHERE width = $1 AND model = 'm-rollup' ORDER BY 1, 2`,
      [width],
    );

  it('counts every row once per width, in the right latency bucket, across minutes, hours and batches', async () => {
    const repo = db.getRepository(RequestLog);
    // Every bucket bound, one above it, 0 and the open last bucket; two keys; errors; three minutes
    // of one hour and one minute of the next.
    const latencies = [0, 1, ...LATENCY_BUCKETS_MS.flatMap((b) => [b, b + 1]), 120_000];
    const first = latencies.map((ms, i) =>
      row(
        i % 3 === 0 ? '2026-11-25T10:01:10Z' : i % 3 === 1 ? '2026-11-25T10:01:50Z' : '2026-11-25T10:07:00Z',
        ms,
        i % 4 === 0 ? { apiKeyId: keyB, status: 502 } : {},
      ),
    );
    await insertRequestLogs(repo, first, prepared);
    // A second batch adds to the same buckets (the upsert) and opens the next hour.
    await insertRequestLogs(
      repo,
      [
        row('2026-11-25T10:01:30Z', 30),
        row('2026-11-25T10:59:59Z', 60_000),
        row('2026-11-25T11:00:00Z', 25, { status: 429 }),
      ],
      prepared,
    );
    // A batch sent again (its acknowledgement lost) is skipped whole: nothing counted twice.
    await insertRequestLogs(repo, first, prepared);

    for (const width of [1, 60] as const) {
      const want = await expected(width);
      const got = await stored(width);
      expect(got.length).toBeGreaterThan(1);
      expect(got).toEqual(want);
    }
    const [{ n }] = (await db.query(
      `SELECT SUM(requests)::int AS n FROM request_rollups WHERE width = 60 AND model = 'm-rollup'`,
    )) as { n: number }[];
    expect(n).toBe(first.length + 3);
  });
});
