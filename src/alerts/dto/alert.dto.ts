import { TimeRangePageQueryDto } from '../../common/dto/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { IsIn, IsOptional, IsUUID } from 'class-validator';
import {
  ALERT_EVENT_TYPES,
  AlertEventType,
  CHANNEL_TYPES,
  ChannelType,
  DELIVERY_STATUSES,
  DeliveryAttempt,
  DeliveryStatus,
  SEVERITIES,
  Severity,
} from '../alert.entity';

export const ALERT_STATUSES = ['pending', 'sent', 'failed', 'none'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export class AlertQueryDto extends TimeRangePageQueryDto {
  @ApiPropertyOptional({
    enum: ALERT_STATUSES,
    description:
      'pending: a delivery is still being tried; failed: a delivery failed for good; sent: every delivery ' +
      'went out; none: the rule had no channel',
  })
  @IsOptional()
  @IsIn(ALERT_STATUSES)
  status?: AlertStatus;

  @ApiPropertyOptional({ enum: ALERT_EVENT_TYPES, example: 'provider.unhealthy' })
  @IsOptional()
  @IsIn(ALERT_EVENT_TYPES)
  eventType?: AlertEventType;

  @ApiPropertyOptional({ enum: SEVERITIES })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  ruleId?: string;
}

export class DeliveryAttemptView implements DeliveryAttempt {
  @ApiProperty({ example: 1 }) attempt: number;
  @ApiProperty({ example: '2026-11-25T12:00:00.120Z' }) at: string;
  @ApiProperty({ example: false }) ok: boolean;
  @ApiProperty({ example: 503, nullable: true, type: Number }) statusCode: number | null;
  @ApiProperty({ example: 'HTTP 503: busy', nullable: true, type: String }) error: string | null;
  @ApiProperty({ example: 41 }) durationMs: number;
}

export class DeliveryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) channelId: string | null;
  @ApiProperty({ example: 'ops-webhook' }) channelName: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) channelType: ChannelType;
  @ApiProperty({ enum: DELIVERY_STATUSES, description: 'failed = dead letter after the last attempt' })
  status: DeliveryStatus;
  @ApiProperty({ example: 3 }) attempts: number;
  @ApiProperty({ type: [DeliveryAttemptView] }) history: DeliveryAttemptView[];
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) sentAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: Date;
}

export class AlertSummaryView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) ruleId: string | null;
  @ApiProperty({ example: 'upstream down' }) ruleName: string;
  @ApiProperty({ enum: ALERT_EVENT_TYPES }) eventType: AlertEventType;
  @ApiProperty({ enum: SEVERITIES }) severity: Severity;
  @ApiProperty({ example: 'Provider openai-main is unhealthy' }) title: string;
  @ApiProperty({ example: 'openai-main went healthy → unhealthy (active check): HTTP 500' }) message: string;
  @ApiProperty({ example: { providerId: '…' } }) payload: Record<string, unknown>;
  @ApiProperty({ example: 'provider:…:unhealthy' }) dedupeKey: string;
  @ApiProperty({ enum: ALERT_STATUSES }) status: AlertStatus;
  @ApiProperty({ example: { pending: 0, sent: 1, failed: 0 } })
  deliveryCounts: Record<DeliveryStatus, number>;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
}

export class AlertDetailView extends AlertSummaryView {
  @ApiProperty({ type: [DeliveryView] }) deliveries: DeliveryView[];
}

export class AlertPageView {
  @ApiProperty({ type: [AlertSummaryView] }) items: AlertSummaryView[];
  @ApiProperty({ example: 12 }) total: number;
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 50 }) pageSize: number;
}
