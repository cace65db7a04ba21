import { Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository, SelectQueryBuilder } from 'typeorm';
import { Alert, AlertDelivery, DeliveryStatus } from './alert.entity';
import {
  AlertDetailView,
  AlertPageView,
  AlertQueryDto,
  AlertStatus,
  AlertSummaryView,
} from './dto/alert.dto';

/** The alert's status from its deliveries' statuses. */
export function alertStatus(counts: Record<DeliveryStatus, number>): AlertStatus {
  if (counts.pending) return 'pending';
  if (counts.failed) return 'failed';
  if (counts.sent) return 'sent';
  return 'none';
}

const STATUS_SQL: Record<AlertStatus, string> = {
  pending: `EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id AND d.status = 'pending')`,
  failed:
    `NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id AND d.status = 'pending') AND ` +
    `EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id AND d.status = 'failed')`,
  sent:
    `EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id) AND ` +
    `NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id AND d.status <> 'sent')`,
  none: `NOT EXISTS (SELECT 1 FROM alert_deliveries d WHERE d.alert_id = a.id)`,
};

/** Alert history: fired alerts with their deliveries and every delivery attempt. */
@Injectable()
export class AlertsService {
  constructor(
    @InjectRepository(Alert) private readonly alerts: Repository<Alert>,
    @InjectRepository(AlertDelivery) private readonly deliveries: Repository<AlertDelivery>,
  ) {}

  async page(q: AlertQueryDto): Promise<AlertPageView> {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 50;
    const qb = this.filtered(q)
      .orderBy('a.createdAt', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .skip((page - 1) * pageSize)
      .take(pageSize);
    const [rows, total] = await qb.getManyAndCount();
    const counts = await this.counts(rows.map((r) => r.id));
    return { items: rows.map((a) => this.summary(a, counts.get(a.id))), total, page, pageSize };
  }

  async get(id: string): Promise<AlertDetailView> {
    const a = await this.alerts.findOne({ where: { id } });
    if (!a) throw new NotFoundException('Alert not found');
    const deliveries = await this.deliveries.find({ where: { alertId: id }, order: { createdAt: 'ASC' } });
    const counts = tally(deliveries.map((d) => d.status));
    return {
      ...this.summary(a, counts),
      deliveries: deliveries.map((d) => ({
        id: d.id,
        channelId: d.channelId,
        channelName: d.channelName,
        channelType: d.channelType,
        status: d.status,
        attempts: d.attempts,
        history: d.history,
        lastError: d.lastError,
        sentAt: d.sentAt,
        createdAt: d.createdAt,
        updatedAt: d.updatedAt,
      })),
    };
  }

  private filtered(q: AlertQueryDto): SelectQueryBuilder<Alert> {
    const qb = this.alerts.createQueryBuilder('a');
    if (q.eventType) qb.andWhere('a.event_type = :eventType', { eventType: q.eventType });
    if (q.severity) qb.andWhere('a.severity = :severity', { severity: q.severity });
    if (q.ruleId) qb.andWhere('a.rule_id = :ruleId', { ruleId: q.ruleId });
    if (q.from) qb.andWhere('a.created_at >= :from', { from: new Date(q.from) });
    if (q.to) qb.andWhere('a.created_at < :to', { to: new Date(q.to) });
    if (q.status) qb.andWhere(STATUS_SQL[q.status]);
    return qb;
  }

  private async counts(ids: string[]): Promise<Map<string, Record<DeliveryStatus, number>>> {
    const out = new Map<string, Record<DeliveryStatus, number>>();
    if (!ids.length) return out;
    const rows = await this.deliveries.find({
      where: { alertId: In(ids) },
      select: { alertId: true, status: true },
    });
    for (const id of ids) out.set(id, tally(rows.filter((r) => r.alertId === id).map((r) => r.status)));
    return out;
  }

  private summary(a: Alert, counts = tally([])): AlertSummaryView {
    return {
      id: a.id,
      ruleId: a.ruleId,
      ruleName: a.ruleName,
      eventType: a.eventType,
      severity: a.severity,
      title: a.title,
      message: a.message,
      payload: a.payload,
      dedupeKey: a.dedupeKey,
      status: alertStatus(counts),
      deliveryCounts: counts,
      createdAt: a.createdAt,
    };
  }
}

function tally(statuses: DeliveryStatus[]): Record<DeliveryStatus, number> {
  const c: Record<DeliveryStatus, number> = { pending: 0, sent: 0, failed: 0 };
  for (const s of statuses) c[s]++;
  return c;
}
