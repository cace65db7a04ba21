import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { LedgerRetention, ledgerHorizon } from '../src/billing/ledger-retention.service';
import { ReportsService } from '../src/billing/reports.service';
import { AppConfig } from '../src/config/app-config';
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

  // Two days ago (UTC): well inside the log retention, whenever the suite runs.
  const recent = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10);
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
        i % 3 === 0 ? `${recent}T10:01:10Z` : i % 3 === 1 ? `${recent}T10:01:50Z` : `${recent}T10:07:00Z`,
        ms,
        i % 4 === 0 ? { apiKeyId: keyB, status: 502 } : {},
      ),
    );
    await insertRequestLogs(repo, first, prepared);
    // A second batch adds to the same buckets (the upsert) and opens the next hour.
    await insertRequestLogs(
      repo,
      [
        row(`${recent}T10:01:30Z`, 30),
        row(`${recent}T10:59:59Z`, 60_000),
        row(`${recent}T11:00:00Z`, 25, { status: 429 }),
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

  // Several writers (instances) upserting the same rollup rows at once: each statement locks its rows
  // in key order, so none waits on another that waits on it. (In hash order, 13 of these 90
  // statements deadlocked: a 1 s wait each, and a batch retried.) PGlite has one session: nothing to race.
  (realDatabaseUrl ? it : it.skip)(
    'writers upserting the same rollup rows at once do not deadlock',
    async () => {
      const repo = db.getRepository(RequestLog);
      const keys = Array.from({ length: 40 }, () => randomUUID());
      const batch = () =>
        Array.from({ length: 300 }, (_, i) =>
          row(`${recent}T12:00:30Z`, 40, {
            model: `m-race-${i % 5}`,
            apiKeyId: keys[Math.floor(Math.random() * keys.length)],
            billed: true,
          }),
        );
      const failed: unknown[] = [];
      for (let round = 0; round < 30; round++) {
        const results = await Promise.allSettled(
          [0, 1, 2].map(() => insertRequestLogs(repo, batch(), prepared)),
        );
        for (const r of results) if (r.status === 'rejected') failed.push(r.reason);
      }
      expect(failed).toEqual([]);
      const [{ logs, usage }] = (await db.query(
        `SELECT (SELECT SUM(requests)::int FROM request_rollups WHERE width = 60 AND model LIKE 'm-race-%') AS logs,
         (SELECT SUM(requests)::int FROM usage_rollups WHERE model LIKE 'm-race-%') AS usage`,
      )) as { logs: number; usage: number }[];
      expect([logs, usage]).toEqual([30 * 3 * 300, 30 * 3 * 300]);
    },
  );

  describe("the usage ledger's hourly sums (usage_rollups)", () => {
    // A day a week ago (UTC): within the reports' default 30 days, whenever the suite runs.
    const dayMs = 86_400_000;
    const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const dayStart = Math.floor(Date.now() / dayMs) * dayMs - 7 * dayMs;
    const day = isoDay(dayStart);
    const nextDay = isoDay(dayStart + dayMs);
    const tenDaysBefore = isoDay(dayStart - 10 * dayMs);
    const keyC = randomUUID();
    const keyD = randomUUID();
    const user = randomUUID();
    const admin = {
      id: randomUUID(),
      email: 'a@example.com',
      role: 'admin' as const,
      tenantId: randomUUID(),
    };
    const billed = (at: string, i: number, extra: Partial<NewRequestLog> = {}) =>
      row(at, 100, {
        model: 'm-usage',
        apiKeyId: i % 3 ? keyC : keyD,
        userId: user,
        inputTokens: 100 + i,
        outputTokens: 10 + i,
        cachedTokens: i % 4,
        reasoningTokens: i % 5,
        costUsd: (i + 1) / 1e6,
        billed: true,
        ...extra,
      });
    /** The ledger's own sums over [from, to): what the reports must give. */
    const ledgerSums = async (from: string, to: string, key?: string) =>
      (
        (await db.query(
          `SELECT COUNT(*)::int AS requests, COALESCE(SUM(input_tokens), 0)::int AS input,
             COALESCE(SUM(cached_tokens), 0)::int AS cached, COALESCE(SUM(reasoning_tokens), 0)::int AS reasoning,
             COALESCE(SUM(cost_usd), 0)::text AS cost
           FROM usage_ledger WHERE model = 'm-usage' AND created_at >= $1 AND created_at < $2
             AND ($3::uuid IS NULL OR api_key_id = $3)`,
          [from, to, key ?? null],
        )) as { requests: number; input: number; cached: number; reasoning: number; cost: string }[]
      )[0];

    beforeAll(async () => {
      const repo = db.getRepository(RequestLog);
      // Billed rows over four hours of a day (minutes near every boundary), and rows that are not billed.
      const times = [
        `${day}T08:00:00Z`,
        `${day}T08:29:59.500Z`,
        `${day}T08:59:59.999Z`,
        `${day}T09:00:00Z`,
        `${day}T09:15:00Z`,
        `${day}T09:45:30Z`,
        `${day}T10:00:00.001Z`,
        `${day}T10:30:00Z`,
        `${day}T11:05:00Z`,
        `${day}T11:59:00Z`,
      ];
      const batch = times.flatMap((at, i) => [billed(at, i), billed(at, i + 10)]);
      await insertRequestLogs(repo, batch, prepared);
      await insertRequestLogs(
        repo,
        [
          billed(`${day}T09:20:00Z`, 30),
          billed(`${day}T09:21:00Z`, 31, { billed: false }),
          // This hour's: a report until now (or later) reads this hour's sums whole.
          billed(new Date(Date.now() - 1000).toISOString(), 32),
        ],
        prepared,
      );
      // A batch sent again (its acknowledgement lost) adds nothing.
      await insertRequestLogs(repo, batch, prepared);
    });

    it('hold the ledger summed per UTC hour, key, user, model and provider', async () => {
      const want = await db.query(
        `SELECT date_trunc('hour', created_at, 'UTC') AS bucket, api_key_id, COUNT(*)::int AS requests,
           SUM(input_tokens)::text AS input_tokens, SUM(cached_tokens)::text AS cached_tokens,
           SUM(reasoning_tokens)::text AS reasoning_tokens, SUM(cost_usd)::text AS cost_usd
         FROM usage_ledger WHERE model = 'm-usage' GROUP BY 1, 2 ORDER BY 1, 2`,
      );
      const got = await db.query(
        `SELECT bucket, api_key_id, requests, input_tokens::text AS input_tokens, cached_tokens::text AS cached_tokens,
           reasoning_tokens::text AS reasoning_tokens, cost_usd::text AS cost_usd
         FROM usage_rollups WHERE model = 'm-usage' ORDER BY 1, 2`,
      );
      expect(want.length).toBe(9); // 4 hours × 2 keys, and this hour's row
      expect(got).toEqual(want);
      expect((await ledgerSums(`${day}T00:00:00Z`, `${nextDay}T00:00:00Z`)).requests).toBe(21);
    });

    it('give reports and /v1/usage exactly the ledger over any window (whole hours, part-hours, within an hour)', async () => {
      const reports = t.app.get(ReportsService);
      const windows: [string, string][] = [
        [`${day}T00:00:00Z`, `${nextDay}T00:00:00Z`], // whole hours only
        [`${day}T08:29:59.500Z`, `${day}T11:05:00Z`], // part-hours at both ends
        [`${day}T08:30:00Z`, `${day}T10:00:00.001Z`], // the end's bound excludes its row
        [`${day}T09:10:00Z`, `${day}T09:50:00Z`], // within one hour
        [`${day}T08:59:59.999Z`, `${day}T09:45:30Z`], // across one boundary, no whole hour
        [`${day}T09:00:00Z`, `${day}T10:00:00Z`], // exactly one hour
        [`${day}T09:30:00Z`, new Date(Date.now() + 3600_000).toISOString()], // past now: this hour whole
      ];
      for (const [from, to] of windows) {
        const want = await ledgerSums(from, to);
        for (const groupBy of ['key', 'none'] as const) {
          const r = await reports.report(admin, 'usage', {
            from,
            to,
            groupBy,
            granularity: 'day',
            userId: user,
          });
          const mine = r.rows;
          if (groupBy === 'key') for (const x of mine) expect([keyC, keyD]).toContain(x.group);
          const sum = (k: 'requests' | 'inputTokens' | 'cachedTokens' | 'reasoningTokens') =>
            mine.reduce((a, x) => a + x[k], 0);
          expect([
            from,
            to,
            sum('requests'),
            sum('inputTokens'),
            sum('cachedTokens'),
            sum('reasoningTokens'),
          ]).toEqual([from, to, want.requests, want.input, want.cached, want.reasoning]);
          expect(mine.reduce((a, x) => a + x.costUsd, 0)).toBeCloseTo(Number(want.cost), 12);
        }
        const byKey = await reports.report(admin, 'billing', { from, to, apiKeyId: keyC, groupBy: 'none' });
        const wantC = await ledgerSums(from, to, keyC);
        expect([from, byKey.totals.requests, byKey.totals.inputTokens]).toEqual([
          from,
          wantC.requests,
          wantC.input,
        ]);
        expect(byKey.totals.costUsd).toBeCloseTo(Number(wantC.cost), 12);
        const usage = await reports.keyUsage(keyC, from, to);
        expect([from, usage.totals.requests, usage.totals.input_tokens]).toEqual([
          from,
          wantC.requests,
          wantC.input,
        ]);
      }
      // The defaults: the last 30 days (from the start of the hour) until now — every row here.
      const all = await ledgerSums(`${tenDaysBefore}T00:00:00Z`, new Date(Date.now() + 60_000).toISOString());
      expect(all.requests).toBe(22);
      const byDefault = await reports.report(admin, 'usage', { userId: user });
      expect([byDefault.totals.requests, byDefault.totals.inputTokens]).toEqual([all.requests, all.input]);
      expect(Date.parse(byDefault.from) % 3600_000).toBe(0);
    });

    it('lose no figure when the ledger retention deletes old rows: reports read whole hours before its horizon', async () => {
      const sums = `SELECT bucket, api_key_id, requests, input_tokens::text AS input_tokens, cost_usd::text AS cost_usd
                    FROM usage_rollups WHERE model = 'm-usage' ORDER BY 1, 2`;
      const hourlyBefore = await db.query(sums);
      // LEDGER_RETENTION_DAYS=1: the horizon is a day ago, after every row of that day.
      const config = { ...t.app.get(AppConfig), ledgerRetentionDays: 1 } as AppConfig;
      const horizon = ledgerHorizon(config.ledgerRetentionDays)!;
      const old = await ledgerSums(`${tenDaysBefore}T00:00:00Z`, horizon.toISOString());
      expect(old.requests).toBe(21);
      // In several statements (other tests of this file leave ledger rows before the horizon too);
      // the row of this hour is kept.
      const [{ n }] = (await db.query('SELECT COUNT(*)::int AS n FROM usage_ledger WHERE created_at < $1', [
        horizon,
      ])) as { n: number }[];
      const purged = await new LedgerRetention(db, config).purge(horizon, Math.max(3, Math.ceil(n / 5)));
      expect(purged).toBe(n);
      expect((await ledgerSums(`${tenDaysBefore}T00:00:00Z`, horizon.toISOString())).requests).toBe(0);
      expect(
        (await ledgerSums(horizon.toISOString(), new Date(Date.now() + 60_000).toISOString())).requests,
      ).toBe(1);
      expect(await db.query(sums)).toEqual(hourlyBefore); // the hourly sums stay

      // Part-hours at both ends, before the horizon: widened to their whole hours, read from the sums.
      const reports = new ReportsService(db, config);
      const r = await reports.report(admin, 'usage', {
        from: `${day}T08:29:59.500Z`,
        to: `${day}T11:05:00Z`,
        groupBy: 'none',
        userId: user,
      });
      expect([r.from, r.to]).toEqual([`${day}T08:00:00.000Z`, `${day}T12:00:00.000Z`]);
      const hours = await db.query(
        `SELECT SUM(requests)::int AS requests, SUM(input_tokens)::int AS input FROM usage_rollups
         WHERE model = 'm-usage' AND bucket >= $1 AND bucket < $2`,
        [`${day}T08:00:00Z`, `${day}T12:00:00Z`],
      );
      expect([r.totals.requests, r.totals.inputTokens]).toEqual([hours[0].requests, hours[0].input]);
      expect(r.totals.requests).toBe(21);
      const usage = await reports.keyUsage(keyC, `${day}T09:10:00Z`, `${day}T09:50:00Z`);
      expect([usage.start, usage.end]).toEqual([`${day}T09:00:00.000Z`, `${day}T10:00:00.000Z`]);
      expect(usage.totals.requests).toBeGreaterThan(0);
    });
  });
});
