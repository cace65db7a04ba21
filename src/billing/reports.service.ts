import { BadRequestException, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import PDFDocument from 'pdfkit';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import type { AuthUser } from '../auth/decorators';
import { csvCell } from '../common/csv';
import { hourBefore, usageBounds, usageSourceSql } from './usage-source';
import { AppConfig } from '../config/app-config';
import { ledgerHorizon } from './ledger-retention.service';
import type {
  Granularity,
  Grouping,
  ReportQueryDto,
  ReportRowView,
  ReportTotalsView,
  ReportView,
} from './dto/report.dto';

const GROUP_COLUMN: Record<Exclude<Grouping, 'none'>, string> = {
  tenant: 'u.tenant_id::text',
  user: 'u.user_id::text',
  key: 'u.api_key_id::text',
  model: 'u.model',
  provider: 'u.provider_id::text',
};

const NAME_SQL: Record<Exclude<Grouping, 'none' | 'model'>, string> = {
  tenant: 'SELECT id::text AS id, name FROM tenants WHERE id::text = ANY($1)',
  user: 'SELECT id::text AS id, email AS name FROM users WHERE id::text = ANY($1)',
  key: "SELECT id::text AS id, name || ' (' || prefix || '…)' AS name FROM api_keys WHERE id::text = ANY($1)",
  provider: 'SELECT id::text AS id, name FROM providers WHERE id::text = ANY($1)',
};

const DAY = 86_400_000;

interface RawRow {
  period: Date;
  grp: string | null;
  requests: string;
  input: string;
  output: string;
  cached: string;
  reasoning: string;
  cost: string;
}

const num = (v: string | null | undefined) => Number(v ?? 0);

/** The sums of a report row (a `RawRow`'s figures) over the rows of `usageSourceSql`. */
const SUMS = `COALESCE(SUM(requests),0)::text AS requests, COALESCE(SUM(input_tokens),0)::text AS input,
  COALESCE(SUM(output_tokens),0)::text AS output, COALESCE(SUM(cached_tokens),0)::text AS cached,
  COALESCE(SUM(reasoning_tokens),0)::text AS reasoning, COALESCE(SUM(cost_usd),0)::text AS cost`;

/**
 * Usage and billing reports over the usage ledger (their totals are the ledger's), read through
 * `usageSourceSql`: whole hours from its hourly sums, the part-hours at the ends from its rows. Admins
 * see every tenant; everyone else only the traffic of their own keys.
 */
@Injectable()
export class ReportsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** `usageBounds` with the ledger's retention horizon (whole hours before it). */
  private bounds(from: Date, to: Date, now: Date): [Date, Date, Date, Date] {
    return usageBounds(from, to, now, ledgerHorizon(this.config.ledgerRetentionDays, now));
  }

  async report(actor: AuthUser, kind: 'usage' | 'billing', q: ReportQueryDto): Promise<ReportView> {
    const now = new Date();
    const to = q.to ? new Date(q.to) : now;
    const from = q.from ? new Date(q.from) : hourBefore(to, 30 * DAY);
    if (from >= to) throw new BadRequestException('from must be before to');
    const granularity: Granularity = q.granularity ?? 'day';
    const groupBy: Grouping = q.groupBy ?? (kind === 'billing' ? 'tenant' : 'model');
    const bounds = this.bounds(from, to, now);
    const params: unknown[] = [...bounds];
    const where: string[] = [];
    const filter = (column: string, v: unknown) => where.push(`${column} = $${params.push(v)}`);
    if (actor.role !== 'admin') filter('user_id', actor.id);
    if (q.tenantId) filter('tenant_id', q.tenantId);
    if (q.userId) filter('user_id', q.userId);
    if (q.apiKeyId) filter('api_key_id', q.apiKeyId);
    const grp = groupBy === 'none' ? 'NULL::text' : GROUP_COLUMN[groupBy];
    // The rows by period and group, and the totals (the empty grouping set, `total` = 1), in one read.
    const raw: (RawRow & { total: number })[] = await this.db.query(
      `SELECT GROUPING(period) AS total, period, grp, ${SUMS}
       FROM (SELECT date_trunc('${granularity}', u.at AT TIME ZONE 'UTC') AS period, ${grp} AS grp, u.*
             FROM ${usageSourceSql(1, where.join(' AND '))} u) x
       GROUP BY GROUPING SETS ((period, grp), ())
       ORDER BY 1, 2, ${kind === 'billing' ? 'SUM(cost_usd) DESC' : '3'}`,
      params,
    );
    const t = raw.find((r) => r.total === 1);
    const groups = raw.filter((r) => r.total !== 1);
    const names = await this.names(
      groupBy,
      groups.map((r) => r.grp),
    );
    const rows: ReportRowView[] = groups.map((r) => ({
      period: toUtcIso(r.period),
      group: r.grp,
      groupName: r.grp === null ? null : (names.get(r.grp) ?? r.grp),
      requests: num(r.requests),
      inputTokens: num(r.input),
      outputTokens: num(r.output),
      cachedTokens: num(r.cached),
      reasoningTokens: num(r.reasoning),
      costUsd: num(r.cost),
    }));
    const totals: ReportTotalsView = {
      requests: num(t?.requests),
      inputTokens: num(t?.input),
      outputTokens: num(t?.output),
      cachedTokens: num(t?.cached),
      reasoningTokens: num(t?.reasoning),
      costUsd: num(t?.cost),
    };
    return {
      kind,
      from: bounds[0].toISOString(),
      to: bounds[3].toISOString(),
      granularity,
      groupBy,
      rows,
      totals,
    };
  }

  private async names(groupBy: Grouping, ids: (string | null)[]): Promise<Map<string, string>> {
    const list = [...new Set(ids.filter((i): i is string => i !== null))];
    if (groupBy === 'none' || groupBy === 'model' || !list.length) return new Map();
    const rows: { id: string; name: string }[] = await this.db.query(NAME_SQL[groupBy], [list]);
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** A key holder's own usage by UTC day and model (`GET /v1/usage`). */
  async keyUsage(keyId: string, start?: string, end?: string) {
    const now = new Date();
    const to = end ? endOf(end) : now;
    const from = start ? new Date(start) : hourBefore(to, 30 * DAY);
    if (from >= to) throw new BadRequestException('start_date must be before end_date');
    const bounds = this.bounds(from, to, now);
    const rows: RawRow[] = await this.db.query(
      `SELECT date_trunc('day', u.at AT TIME ZONE 'UTC') AS period, u.model AS grp, ${SUMS}
       FROM ${usageSourceSql(1, 'api_key_id = $5')} u GROUP BY 1, 2 ORDER BY 1, 2`,
      [...bounds, keyId],
    );
    const data = rows.map((r) => ({
      date: toUtcIso(r.period).slice(0, 10),
      model: r.grp,
      requests: num(r.requests),
      input_tokens: num(r.input),
      output_tokens: num(r.output),
      cached_tokens: num(r.cached),
      reasoning_tokens: num(r.reasoning),
      cost_usd: num(r.cost),
    }));
    const sum = (k: 'requests' | 'input_tokens' | 'output_tokens' | 'cost_usd') =>
      data.reduce((a, r) => a + r[k], 0);
    return {
      object: 'usage',
      api_key_id: keyId,
      start: bounds[0].toISOString(),
      end: bounds[3].toISOString(),
      data,
      totals: {
        requests: sum('requests'),
        input_tokens: sum('input_tokens'),
        output_tokens: sum('output_tokens'),
        cost_usd: Math.round(sum('cost_usd') * 1e9) / 1e9,
      },
    };
  }

  csv(r: ReportView): string {
    const head = [
      'period',
      'group',
      'group_name',
      'requests',
      'input_tokens',
      'output_tokens',
      'cached_tokens',
      'reasoning_tokens',
      'cost_usd',
    ];
    const line = (cells: unknown[]) => cells.map(csvCell).join(',') + '\n';
    let out = line(head);
    for (const x of r.rows)
      out += line([
        x.period,
        x.group,
        x.groupName,
        x.requests,
        x.inputTokens,
        x.outputTokens,
        x.cachedTokens,
        x.reasoningTokens,
        x.costUsd,
      ]);
    const t = r.totals;
    out += line([
      'TOTAL',
      '',
      '',
      t.requests,
      t.inputTokens,
      t.outputTokens,
      t.cachedTokens,
      t.reasoningTokens,
      t.costUsd,
    ]);
    return out;
  }

  /** A printable PDF of the report (pdfkit), streamed. */
  pdf(r: ReportView): Readable {
    const doc = new PDFDocument({ size: 'A4', margin: 40, info: { Title: `LLM Router ${r.kind} report` } });
    doc.fontSize(18).text(`LLM Router Platform — ${r.kind === 'billing' ? 'Billing' : 'Usage'} report`);
    doc
      .moveDown(0.3)
      .fontSize(9)
      .fillColor('#86868B')
      .text(`${r.from} → ${r.to} · by ${r.granularity} · grouped by ${r.groupBy}`)
      .fillColor('#1D1D1F')
      .moveDown();
    const cols = [
      { h: 'Period', w: 70 },
      { h: 'Group', w: 150 },
      { h: 'Requests', w: 55 },
      { h: 'Input', w: 65 },
      { h: 'Output', w: 65 },
      { h: 'Cost (USD)', w: 90 },
    ];
    const row = (cells: string[], bold = false) => {
      if (doc.y > doc.page.height - 60) doc.addPage();
      const y = doc.y;
      let x = doc.page.margins.left;
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
      cells.forEach((c, i) => {
        doc.text(c, x, y, { width: cols[i].w - 4, lineBreak: false, ellipsis: true });
        x += cols[i].w;
      });
      doc.moveDown(0.6);
    };
    row(
      cols.map((c) => c.h),
      true,
    );
    for (const x of r.rows)
      row([
        x.period.slice(0, 10),
        x.groupName ?? '—',
        String(x.requests),
        String(x.inputTokens),
        String(x.outputTokens),
        x.costUsd.toFixed(6),
      ]);
    const t = r.totals;
    row(
      ['Total', '', String(t.requests), String(t.inputTokens), String(t.outputTokens), t.costUsd.toFixed(6)],
      true,
    );
    doc.end();
    return doc as unknown as Readable;
  }
}

/** `date_trunc` on a `timestamp without time zone` comes back as local time; read it as UTC. */
function toUtcIso(d: Date | string): string {
  if (typeof d === 'string') return new Date(`${d.replace(' ', 'T')}Z`).toISOString();
  return new Date(
    Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()),
  ).toISOString();
}

/** A bare date as `end_date` includes that whole day. */
function endOf(v: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(Date.parse(`${v}T00:00:00Z`) + DAY) : new Date(v);
}
