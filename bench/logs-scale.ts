/**
 * `npm run bench:logs`: the dashboard and the logs page at scale. Boots the app on a fresh database
 * (BENCH_DATABASE_URL, or the embedded one), seeds BENCH_LOG_ROWS request log rows (default 1,000,000)
 * spread over the last 24 hours with generate_series (and a usage-ledger row for each successful one),
 * then times `GET /api/dashboard/stats`, `/api/dashboard/realtime`, filtered `/api/logs` pages and
 * the usage and billing reports, several runs each, and prints the median and the worst.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createApp } from '../src/app.factory';
import { rollupCtes, ROLLUP_COLUMNS, usageRollupsInsert } from '../src/logs/log-writer.service';

const ROWS = Number(process.env.BENCH_LOG_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const out = (s = '') => process.stdout.write(`${s}\n`);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lrp-bench-logs-'));
  let dbUrl: string | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  if (process.env.BENCH_DATABASE_URL) {
    const name = `lrp_bench_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: process.env.BENCH_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(process.env.BENCH_DATABASE_URL);
    u.pathname = `/${name}`;
    dbUrl = u.toString();
    dropDb = async () => {
      const c = new Client({ connectionString: process.env.BENCH_DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    };
  }
  const app = await createApp({
    PORT: '0',
    DATA_DIR: dataDir,
    DATABASE_URL: dbUrl,
    REDIS_URL: undefined,
    LOG_LEVEL: 'silent',
    BCRYPT_ROUNDS: '4',
    HEALTH_CHECK_INTERVAL_MS: '0',
  });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  try {
    const setup = await fetch(`${base}/api/auth/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com', password: 'bench-password-1' }),
    });
    const token = ((await setup.json()) as { accessToken: string }).accessToken;
    const db = app.get(DataSource);
    const t0 = performance.now();
    // 1M rows over 24 h: 20 models, 5 providers, 50 keys, 2 % errors, a latency spread.
    for (let done = 0; done < ROWS; done += 250_000) {
      const n = Math.min(250_000, ROWS - done);
      await db.query(
        `INSERT INTO request_logs (created_at, request_id, protocol, endpoint, api_key_id, user_id, tenant_id,
           model, provider_id, provider_name, upstream_model, status, stream, latency_ms, ttft_ms,
           input_tokens, output_tokens, cost_usd)
         SELECT now() - (random() * interval '24 hours'), 'bench-' || ($1 + i), 'openai', 'chat',
           ('00000000-0000-4000-8000-' || lpad((i % 50)::text, 12, '0'))::uuid,
           ('00000000-0000-4000-9000-' || lpad((i % 10)::text, 12, '0'))::uuid,
           ('00000000-0000-4000-a000-' || lpad((i % 3)::text, 12, '0'))::uuid,
           'model-' || (i % 20), ('00000000-0000-4000-b000-' || lpad((i % 5)::text, 12, '0'))::uuid,
           'provider-' || (i % 5), 'up-' || (i % 20),
           CASE WHEN i % 50 = 0 THEN 502 ELSE 200 END, i % 3 = 0,
           50 + (random() * 2000)::int, 20 + (random() * 500)::int,
           (random() * 2000)::int, (random() * 500)::int, random() / 1000
         FROM generate_series(1, $2) AS i`,
        [done, n],
      );
    }
    // The rollups the log writer maintains (per minute and per hour), from the writer's own aggregation.
    await db.query(
      `WITH ${rollupCtes('request_logs')} INSERT INTO request_rollups (${ROLLUP_COLUMNS}) SELECT ${ROLLUP_COLUMNS} FROM rollups`,
    );
    // The usage ledger of the billed (successful) requests, as the log writer derives it from the log rows.
    await db.query(
      `INSERT INTO usage_ledger (id, created_at, request_id, tenant_id, user_id, api_key_id, model, provider_id,
         upstream_model, input_tokens, output_tokens, cost_usd)
       SELECT id, created_at, request_id, tenant_id, user_id, api_key_id, model, provider_id, upstream_model,
         input_tokens, output_tokens, cost_usd FROM request_logs WHERE status < 400`,
    );
    await db.query(usageRollupsInsert('usage_ledger'));
    // As a table in service is: vacuumed and analysed (else autovacuum works through the fresh million
    // rows during the timings).
    for (const table of ['request_logs', 'request_rollups', 'usage_ledger', 'usage_rollups'])
      await db.query(`VACUUM ANALYZE ${table}`);
    const count = async (table: string) =>
      ((await db.query(`SELECT COUNT(*)::int AS n FROM ${table}`)) as { n: number }[])[0].n.toLocaleString(
        'en-US',
      );
    out(
      `seeded ${ROWS.toLocaleString('en-US')} request log rows (${await count('request_rollups')} rollup rows), ` +
        `${await count('usage_ledger')} ledger rows (${await count('usage_rollups')} hourly sums) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const auth = { authorization: `Bearer ${token}` };
    const halfPast = (hours: number) =>
      new Date((Math.floor(Date.now() / 3600_000) + hours) * 3600_000 + 1800_000).toISOString();
    const targets: [string, string][] = [
      ['dashboard stats (24 h)', '/api/dashboard/stats'],
      ['dashboard realtime (1 h)', '/api/dashboard/realtime'],
      ['logs page, no filter', '/api/logs?pageSize=50'],
      ['logs page, model filter', '/api/logs?model=model-7&pageSize=50'],
      [
        'logs page, key + errors',
        '/api/logs?apiKeyId=00000000-0000-4000-8000-000000000007&outcome=error&pageSize=50',
      ],
      ['logs page, page 100', '/api/logs?model=model-3&page=100&pageSize=50'],
      ['usage report (30 days by model)', '/api/reports/usage'],
      ['billing report (30 days by tenant)', '/api/reports/billing'],
      [
        'usage report, one key, by day',
        '/api/reports/usage?apiKeyId=00000000-0000-4000-8000-000000000007&groupBy=none',
      ],
      // Whole hours from the hourly sums, the part-hours at both ends (~30 min each) from the ledger rows.
      ['usage report, 20 h from :30 to :30', `/api/reports/usage?from=${halfPast(-21)}&to=${halfPast(-1)}`],
    ];
    out('');
    out('| Query | median | worst |');
    out('| --- | --- | --- |');
    for (const [name, path] of targets) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const s = performance.now();
        const res = await fetch(`${base}${path}`, { headers: auth });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      out(
        `| ${name} | ${times[Math.floor(times.length / 2)].toFixed(1)} ms | ${times[times.length - 1].toFixed(1)} ms |`,
      );
    }
  } finally {
    await app.close();
    await dropDb?.();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
