import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import type { AuthUser } from '../auth/decorators';
import { csvCell } from '../common/csv';
import { KeyCountView, LogPageView, LogQueryDto, StatsBucketView, StatsView } from './dto/logs.dto';
import { RequestLog } from './request-log.entity';
import { LATENCY_COLUMNS, percentileFromBuckets } from './request-rollup.entity';

/** Rows counted beyond the current page for `total` (see `page`). */
const COUNT_CAP = 10_000;

const CSV_COLUMNS: (keyof RequestLog)[] = [
  'createdAt',
  'requestId',
  'protocol',
  'endpoint',
  'apiKeyId',
  'userId',
  'model',
  'providerName',
  'upstreamModel',
  'status',
  'stream',
  'latencyMs',
  'ttftMs',
  'inputTokens',
  'outputTokens',
  'cachedTokens',
  'reasoningTokens',
  'costUsd',
  'usageEstimated',
  'clientIp',
  'error',
];

/** Reading request logs and the dashboard statistics derived from them. */
@Injectable()
export class LogsService {
  constructor(@InjectRepository(RequestLog) private readonly logs: Repository<RequestLog>) {}

  private query(actor: AuthUser, q: LogQueryDto): SelectQueryBuilder<RequestLog> {
    const qb = this.logs.createQueryBuilder('l');
    // Non-admins see only their own traffic.
    if (actor.role !== 'admin') qb.andWhere('l.userId = :uid', { uid: actor.id });
    if (q.from) qb.andWhere('l.createdAt >= :from', { from: new Date(q.from) });
    if (q.to) qb.andWhere('l.createdAt < :to', { to: new Date(q.to) });
    if (q.model) qb.andWhere('l.model = :model', { model: q.model });
    if (q.providerId) qb.andWhere('l.providerId = :pid', { pid: q.providerId });
    if (q.apiKeyId) qb.andWhere('l.apiKeyId = :kid', { kid: q.apiKeyId });
    if (q.status) qb.andWhere('l.status = :status', { status: q.status });
    if (q.outcome === 'success') qb.andWhere('l.status < 400');
    if (q.outcome === 'error') qb.andWhere('l.status >= 400');
    return qb;
  }

  async page(actor: AuthUser, q: LogQueryDto): Promise<LogPageView> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 50;
    const qb = this.query(actor, q);
    const items = await qb
      .clone()
      .orderBy('l.createdAt', 'DESC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getMany();
    // Counting every matching row of a large table costs more than the page itself: count up to
    // COUNT_CAP rows past this page, and say when the figure is a lower bound.
    const cap = (page - 1) * pageSize + COUNT_CAP;
    const [sql, params] = qb
      .select('1')
      .limit(cap + 1)
      .getQueryAndParameters();
    const [{ n }] = (await this.logs.query(`SELECT COUNT(*)::int AS n FROM (${sql}) AS capped`, params)) as {
      n: number;
    }[];
    return { items, total: Math.min(n, cap), totalIsLowerBound: n > cap, page, pageSize };
  }

  async get(actor: AuthUser, id: string): Promise<RequestLog> {
    const row = await this.query(actor, {}).andWhere('l.id = :id', { id }).getOne();
    if (!row) throw new NotFoundException('Log not found');
    return row;
  }

  /** CSV of the filtered rows (newest first), streamed in pages of 1,000. */
  async *csv(actor: AuthUser, q: LogQueryDto, max = 100_000): AsyncGenerator<string> {
    yield CSV_COLUMNS.join(',') + '\n';
    for (let offset = 0; offset < max; offset += 1000) {
      const rows = await this.query(actor, q)
        .orderBy('l.createdAt', 'DESC')
        .skip(offset)
        .take(1000)
        .getMany();
      if (!rows.length) return;
      yield rows.map((r) => CSV_COLUMNS.map((c) => csvCell(r[c])).join(',')).join('\n') + '\n';
      if (rows.length < 1000) return;
    }
  }

  /**
   * Dashboard statistics over the last `windowMs`, read from the per-minute rollups (never the raw
   * log table, which grows to millions of rows). Latency percentiles come from the rollups' bucket
   * counts (interpolated within a bucket).
   */
  async stats(actor: AuthUser, windowMs: number): Promise<StatsView> {
    const since = new Date(Date.now() - windowMs);
    const minuteFrom = new Date(Math.floor(since.getTime() / 60_000) * 60_000);
    // Whole hours from the hourly rollups, the part-hour at the start from the per-minute ones.
    const hourFrom =
      windowMs > 3 * 3600_000 ? new Date(Math.ceil(minuteFrom.getTime() / 3600_000) * 3600_000) : undefined;
    const params: unknown[] = [minuteFrom, hourFrom ?? new Date(8.64e15)];
    // Non-admins see only their own traffic.
    const own = actor.role !== 'admin' ? ` AND user_id = $${params.push(actor.id)}` : '';
    const src =
      `(SELECT * FROM request_rollups WHERE width = 1 AND bucket >= $1 AND bucket < $2${own}` +
      (hourFrom ? ` UNION ALL SELECT * FROM request_rollups WHERE width = 60 AND bucket >= $2${own})` : ')');
    const lat = LATENCY_COLUMNS.map((c) => `COALESCE(SUM(r.${c}), 0)::int AS ${c}`).join(', ');
    const [totals] = (await this.logs.query(
      `SELECT COALESCE(SUM(r.requests), 0)::int AS requests, COALESCE(SUM(r.errors), 0)::int AS errors,
         COALESCE(SUM(r.input_tokens), 0)::float8 AS input, COALESCE(SUM(r.output_tokens), 0)::float8 AS output,
         COALESCE(SUM(r.cost_usd), 0)::float8 AS cost, ${lat}
       FROM ${src} r`,
      params,
    )) as Record<string, number>[];
    const byModel = (await this.logs.query(
      `SELECT COALESCE(r.model, '(none)') AS model, SUM(r.requests)::int AS requests, SUM(r.errors)::int AS errors
       FROM ${src} r GROUP BY 1 ORDER BY 2 DESC LIMIT 50`,
      params,
    )) as { model: string; requests: number; errors: number }[];
    const byProvider = (await this.logs.query(
      `SELECT COALESCE(MAX(r.provider_name), '(none)') AS provider, SUM(r.requests)::int AS requests,
         SUM(r.errors)::int AS errors
       FROM ${src} r GROUP BY r.provider_id ORDER BY 2 DESC LIMIT 50`,
      params,
    )) as { provider: string; requests: number; errors: number }[];
    const byKey = (await this.logs.query(
      `SELECT r.api_key_id AS "apiKeyId", MAX(k.name) AS name, SUM(r.requests)::int AS requests,
         SUM(r.input_tokens + r.output_tokens)::float8 AS tokens, SUM(r.cost_usd)::float8 AS "costUsd"
       FROM ${src} r LEFT JOIN api_keys k ON k.id = r.api_key_id
       WHERE r.api_key_id IS NOT NULL GROUP BY r.api_key_id ORDER BY 3 DESC LIMIT 10`,
      params,
    )) as KeyCountView[];
    // Hourly buckets for a day, 5-minute buckets for an hour (12–24 points either way).
    const bucketSec = windowMs > 3 * 3600_000 ? 3600 : 300;
    const buckets = (await this.logs.query(
      `SELECT floor(extract(epoch from r.bucket) / ${bucketSec})::bigint AS b, SUM(r.requests)::int AS requests,
         SUM(r.errors)::int AS errors, SUM(r.input_tokens)::float8 AS input, SUM(r.output_tokens)::float8 AS output,
         SUM(r.cost_usd)::float8 AS cost
       FROM ${src} r GROUP BY 1`,
      params,
    )) as { b: string; requests: number; errors: number; input: number; output: number; cost: number }[];
    const byBucket = new Map(buckets.map((r) => [Number(r.b), r]));
    const series: StatsBucketView[] = [];
    const first = Math.floor(since.getTime() / 1000 / bucketSec);
    const last = Math.floor(Date.now() / 1000 / bucketSec);
    for (let b = first; b <= last; b++) {
      const r = byBucket.get(b);
      series.push({
        at: new Date(b * bucketSec * 1000).toISOString(),
        requests: r?.requests ?? 0,
        errors: r?.errors ?? 0,
        inputTokens: r?.input ?? 0,
        outputTokens: r?.output ?? 0,
        costUsd: r?.cost ?? 0,
      });
    }
    const requests = totals?.requests ?? 0;
    const hist = LATENCY_COLUMNS.map((c) => totals?.[c] ?? 0);
    return {
      since: since.toISOString(),
      requests,
      successRate: requests ? (requests - totals.errors) / requests : 1,
      inputTokens: totals?.input ?? 0,
      outputTokens: totals?.output ?? 0,
      costUsd: totals?.cost ?? 0,
      latencyP50Ms: Math.round(percentileFromBuckets(hist, 0.5)),
      latencyP95Ms: Math.round(percentileFromBuckets(hist, 0.95)),
      byModel,
      byProvider,
      byKey,
      series,
    };
  }
}
