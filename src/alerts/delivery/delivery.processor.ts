import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SecretBoxService } from '../../common/crypto/secret-box';
import { Alert, AlertChannel, AlertDelivery, DeliveryAttempt, DeliveryStatus } from '../alert.entity';
import { openChannel } from '../channels.service';
import { ChannelSender, SendResult } from '../senders/channel-sender';

/** What one attempt decided: done, try again later, dead, or nothing to do. */
export interface AttemptOutcome {
  outcome: 'sent' | 'retry' | 'failed' | 'skip';
  /** The attempt number just recorded (1-based); 0 for `skip`. */
  attempt: number;
  error: string | null;
}

/**
 * One delivery attempt, shared by the BullMQ worker and the in-process queue: load the delivery,
 * send to its channel, append the attempt to the delivery's history, and set the status — `sent`,
 * still `pending` (retry), or `failed` (dead letter) once `maxAttempts` attempts have failed or the
 * channel is gone or disabled.
 */
@Injectable()
export class DeliveryProcessor {
  private readonly logger = new Logger('AlertDelivery');

  constructor(
    @InjectRepository(AlertDelivery) private readonly deliveries: Repository<AlertDelivery>,
    @InjectRepository(Alert) private readonly alerts: Repository<Alert>,
    @InjectRepository(AlertChannel) private readonly channels: Repository<AlertChannel>,
    private readonly box: SecretBoxService,
    private readonly sender: ChannelSender,
  ) {}

  async attempt(deliveryId: string, maxAttempts: number): Promise<AttemptOutcome> {
    const d = await this.deliveries.findOne({ where: { id: deliveryId } });
    if (!d || d.status !== 'pending') return { outcome: 'skip', attempt: 0, error: null };
    const attempt = d.attempts + 1;
    const alert = await this.alerts.findOne({ where: { id: d.alertId } });
    const channel = d.channelId ? await this.channels.findOne({ where: { id: d.channelId } }) : null;

    let result: SendResult;
    let final = attempt >= maxAttempts;
    if (!alert || !channel || !channel.enabled) {
      result = {
        ok: false,
        statusCode: null,
        error: !alert ? 'alert deleted' : !channel ? 'channel deleted' : 'channel disabled',
        durationMs: 0,
      };
      final = true;
    } else {
      result = await this.sender.send(openChannel(this.box, channel), {
        id: alert.id,
        eventType: alert.eventType,
        severity: alert.severity,
        title: alert.title,
        message: alert.message,
        createdAt: alert.createdAt,
        payload: alert.payload,
        rule: alert.ruleName,
      });
    }

    const status: DeliveryStatus = result.ok ? 'sent' : final ? 'failed' : 'pending';
    const entry: DeliveryAttempt = {
      attempt,
      at: new Date().toISOString(),
      ok: result.ok,
      statusCode: result.statusCode,
      error: result.error,
      durationMs: result.durationMs,
    };
    // One statement: the history append and the counters cannot drift apart.
    await this.deliveries.query(
      `UPDATE alert_deliveries
          SET attempts = attempts + 1,
              history = history || $2::jsonb,
              status = $3::varchar,
              last_error = CASE WHEN $4::text IS NULL THEN last_error ELSE $4::text END,
              sent_at = CASE WHEN $3::varchar = 'sent' THEN now() ELSE sent_at END,
              updated_at = now()
        WHERE id = $1 AND status = 'pending'`,
      [d.id, JSON.stringify([entry]), status, result.error],
    );
    if (status === 'failed')
      this.logger.warn(
        `alert delivery ${d.id} to ${d.channelName} failed after ${attempt} attempt(s): ${result.error}`,
      );
    return { outcome: result.ok ? 'sent' : final ? 'failed' : 'retry', attempt, error: result.error };
  }
}
