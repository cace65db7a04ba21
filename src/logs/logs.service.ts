import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository, SelectQueryBuilder } from 'typeorm';
import { ApiKey } from '../api-keys/api-key.entity';
import type { AuthUser } from '../auth/decorators';
import { csvCell } from '../common/csv';
import { LogPageView, LogQueryDto, StatsBucketView, StatsView } from './dto/logs.dto';
import { RequestLog } from './request-log.entity';

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
    const [items, total] = await this.query(actor, q)
      .orderBy('l.createdAt', 'DESC')
      .skip((page - 1) * pageSize)
      .take(pageSize)
      .getManyAndCount();
    return { items, total, page, pageSize };
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

  async stats(actor: AuthUser, windowMs: number): Promise<StatsView> {
    const since = new Date(Date.now() - windowMs);
    const base = () => this.query(actor, { from: since.toISOString() });
    const totals = await base()
      .select('COUNT(*)', 'requests')
      .addSelect('COUNT(*) FILTER (WHERE l.status < 400)', 'ok')
      .addSelect('COALESCE(SUM(l.inputTokens), 0)', 'input')
      .addSelect('COALESCE(SUM(l.outputTokens), 0)', 'output')
      .addSelect('COALESCE(SUM(l.costUsd), 0)', 'cost')
      .addSelect('COALESCE(percentile_cont(0.5) WITHIN GROUP (ORDER BY l.latencyMs), 0)', 'p50')
      .addSelect('COALESCE(percentile_cont(0.95) WITHIN GROUP (ORDER BY l.latencyMs), 0)', 'p95')
      .getRawOne<{
        requests: string;
        ok: string;
        input: string;
        output: string;
        cost: string;
        p50: string;
        p95: string;
      }>();
    const byModel = await base()
      .select("COALESCE(l.model, '(none)')", 'model')
      .addSelect('COUNT(*)', 'requests')
      .addSelect('COUNT(*) FILTER (WHERE l.status >= 400)', 'errors')
      .groupBy('1')
      .orderBy('2', 'DESC')
      .limit(50)
      .getRawMany<{ model: string; requests: string; errors: string }>();
    const byProvider = await base()
      .select("COALESCE(l.providerName, '(none)')", 'provider')
      .addSelect('COUNT(*)', 'requests')
      .addSelect('COUNT(*) FILTER (WHERE l.status >= 400)', 'errors')
      .groupBy('1')
      .orderBy('2', 'DESC')
      .limit(50)
      .getRawMany<{ provider: string; requests: string; errors: string }>();
    const byKey = await base()
      .andWhere('l.apiKeyId IS NOT NULL')
      .leftJoin(ApiKey, 'k', 'k.id = l.apiKeyId')
      .select('l.apiKeyId', 'apiKeyId')
      .addSelect('MAX(k.name)', 'name')
      .addSelect('COUNT(*)', 'requests')
      .addSelect('COALESCE(SUM(l.inputTokens + l.outputTokens), 0)', 'tokens')
      .addSelect('COALESCE(SUM(l.costUsd), 0)', 'cost')
      .groupBy('l.apiKeyId')
      .orderBy('3', 'DESC')
      .limit(10)
      .getRawMany<{
        apiKeyId: string | null;
        name: string | null;
        requests: string;
        tokens: string;
        cost: string;
      }>();
    // Hourly buckets for a day, 5-minute buckets for an hour (12–24 points either way).
    const bucketSec = windowMs > 3 * 3600_000 ? 3600 : 300;
    const buckets = await base()
      .select(`floor(extract(epoch from l.createdAt) / ${bucketSec})`, 'b')
      .addSelect('COUNT(*)', 'requests')
      .addSelect('COUNT(*) FILTER (WHERE l.status >= 400)', 'errors')
      .addSelect('COALESCE(SUM(l.inputTokens), 0)', 'input')
      .addSelect('COALESCE(SUM(l.outputTokens), 0)', 'output')
      .addSelect('COALESCE(SUM(l.costUsd), 0)', 'cost')
      .groupBy('1')
      .getRawMany<{
        b: string;
        requests: string;
        errors: string;
        input: string;
        output: string;
        cost: string;
      }>();
    const byBucket = new Map(buckets.map((r) => [Number(r.b), r]));
    const series: StatsBucketView[] = [];
    const first = Math.floor(since.getTime() / 1000 / bucketSec);
    const last = Math.floor(Date.now() / 1000 / bucketSec);
    for (let b = first; b <= last; b++) {
      const r = byBucket.get(b);
      series.push({
        at: new Date(b * bucketSec * 1000).toISOString(),
        requests: Number(r?.requests ?? 0),
        errors: Number(r?.errors ?? 0),
        inputTokens: Number(r?.input ?? 0),
        outputTokens: Number(r?.output ?? 0),
        costUsd: Number(r?.cost ?? 0),
      });
    }
    const requests = Number(totals?.requests ?? 0);
    return {
      since: since.toISOString(),
      requests,
      successRate: requests ? Number(totals!.ok) / requests : 1,
      inputTokens: Number(totals?.input ?? 0),
      outputTokens: Number(totals?.output ?? 0),
      costUsd: Number(totals?.cost ?? 0),
      latencyP50Ms: Math.round(Number(totals?.p50 ?? 0)),
      latencyP95Ms: Math.round(Number(totals?.p95 ?? 0)),
      byModel: byModel.map((r) => ({
        model: r.model,
        requests: Number(r.requests),
        errors: Number(r.errors),
      })),
      byProvider: byProvider.map((r) => ({
        provider: r.provider,
        requests: Number(r.requests),
        errors: Number(r.errors),
      })),
      byKey: byKey.map((r) => ({
        apiKeyId: r.apiKeyId,
        name: r.name,
        requests: Number(r.requests),
        tokens: Number(r.tokens),
        costUsd: Number(r.cost),
      })),
      series,
    };
  }
}
