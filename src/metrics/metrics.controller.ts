import { Controller, Get, Header } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../auth/decorators';
import { pgPool } from '../database/pg-pool';
import { LogWriter } from '../logs/log-writer.service';
import { upstreamPoolStats } from '../providers/adapters/upstream-pool';
import { RoutingService } from '../routing/routing.service';
import { MetricsService } from './metrics.service';

@ApiTags('system')
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    private readonly logs: LogWriter,
    private readonly modules: ModuleRef,
  ) {}

  @Get()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @ApiOperation({
    summary:
      'Prometheus metrics: requests, latency, TTFT and gateway-overhead histograms, tokens, cost, failovers, breaker and cooldown state, alert queue depth, write buffers, DB pool, upstream connection pools, process',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text exposition format',
    schema: { type: 'string', example: 'gateway_requests_total{front="openai",...} 12' },
  })
  async scrape(): Promise<string> {
    await this.sample();
    return this.metrics.registry.metrics();
  }

  /** Gauges read at scrape time from the modules that own the state (resolved lazily: no import cycles). */
  private async sample(): Promise<void> {
    const m = this.metrics;
    m.logBuffer.set(this.logs.pending);
    const now = Date.now();
    // One writer: each request's log row, its usage-ledger row and the rollups go in one statement.
    const w = this.logs;
    const table = 'request_logs';
    m.writerBuffer.set({ table }, w.pending);
    m.writerDropped.set({ table }, w.dropped);
    m.writerFailedWrites.set({ table }, w.failedWrites);
    const since = w.failingSince;
    m.writerFailing.set({ table }, since === null ? 0 : (now - since) / 1000);
    const routing = this.modules.get(RoutingService, { strict: false });
    m.unhealthyTargets.set(routing.unhealthyCount);
    m.coolingTargets.set(routing.cooldowns.cooling);
    m.upstreamConnections.reset(); // pools that closed drop out
    for (const s of upstreamPoolStats())
      for (const state of ['connected', 'free', 'running', 'queued'] as const)
        m.upstreamConnections.set({ origin: s.origin, proxy: s.proxy, state }, s[state]);
    const db = this.modules.get(DataSource, { strict: false });
    const pool = pgPool(db);
    if (pool) {
      m.dbPool.set({ state: 'total' }, pool.totalCount);
      m.dbPool.set({ state: 'idle' }, pool.idleCount);
      m.dbPool.set({ state: 'waiting' }, pool.waitingCount);
    }
    try {
      const [r] = (await db.query(
        "SELECT COUNT(*)::int AS n FROM alert_deliveries WHERE status = 'pending'",
      )) as { n: number }[];
      m.alertQueue.set(r.n);
    } catch {
      /* database unavailable: keep the last figure */
    }
  }
}
