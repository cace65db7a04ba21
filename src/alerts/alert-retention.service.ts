import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';

/** Alerts per DELETE; each takes its deliveries (one per channel of its rule) along. */
const CHUNK = 1000;

export interface AlertPurgeResult {
  alerts: number;
  deliveries: number;
}

/**
 * Deletes alert history older than ALERT_RETENTION_DAYS, hourly, in bounded chunks (no long locks).
 * An alert goes together with its deliveries, and only when none of them is still pending: a
 * delivery being retried keeps its alert, whatever its age, until it is sent or failed.
 */
@Injectable()
export class AlertRetention {
  private readonly logger = new Logger('AlertRetention');
  private running = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  @Cron(CronExpression.EVERY_HOUR)
  async scheduledPurge(): Promise<void> {
    const days = this.config.alerts.retentionDays;
    if (this.running || !days) return;
    this.running = true;
    try {
      const n = await this.purge(new Date(Date.now() - days * 86_400_000));
      if (n.alerts)
        this.logger.log(`purged ${n.alerts} alerts and ${n.deliveries} deliveries older than ${days} days`);
    } catch (e) {
      this.logger.warn(`purge failed: ${(e as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  /**
   * Deletes alerts created before `cutoff` that have no pending delivery, with their deliveries,
   * `chunk` alerts per statement; returns how many of each.
   */
  async purge(cutoff: Date, chunk = CHUNK): Promise<AlertPurgeResult> {
    const total: AlertPurgeResult = { alerts: 0, deliveries: 0 };
    for (;;) {
      // One statement (one snapshot) per chunk: the pending check and both deletes see the same
      // rows. Deliveries never return to pending, so an alert chosen here has none left. They are
      // deleted explicitly (the foreign key would cascade too) so that they can be counted.
      const rows: { alerts: string | number; deliveries: string | number }[] = await this.dataSource.query(
        `WITH doomed AS (
           SELECT a.id FROM alerts a
            WHERE a.created_at < $1
              AND NOT EXISTS (SELECT 1 FROM alert_deliveries p WHERE p.alert_id = a.id AND p.status = 'pending')
            LIMIT ${Math.max(1, Math.floor(chunk))}
         ),
         d AS (DELETE FROM alert_deliveries WHERE alert_id IN (SELECT id FROM doomed) RETURNING 1),
         a AS (DELETE FROM alerts WHERE id IN (SELECT id FROM doomed) RETURNING 1)
         SELECT (SELECT count(*) FROM a) AS alerts, (SELECT count(*) FROM d) AS deliveries`,
        [cutoff],
      );
      const alerts = Number(rows[0]?.alerts ?? 0);
      total.alerts += alerts;
      total.deliveries += Number(rows[0]?.deliveries ?? 0);
      if (alerts < chunk) return total;
    }
  }
}
