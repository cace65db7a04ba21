import { TimeRangePageQueryDto } from '../../common/dto/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { HEALTH_TARGET_TYPES, HealthTargetType } from '../health-check.entity';

const STATUSES = ['healthy', 'degraded', 'unhealthy', 'unknown'] as const;
type Status = (typeof STATUSES)[number];

export class HealthHistoryQueryDto extends TimeRangePageQueryDto {
  @ApiPropertyOptional({ enum: HEALTH_TARGET_TYPES, example: 'provider-credential' })
  @IsOptional()
  @IsIn(HEALTH_TARGET_TYPES)
  targetType?: HealthTargetType;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A credential id (provider id for keyless providers) or a proxy id',
  })
  @IsOptional()
  @IsUUID()
  targetId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  providerId?: string;

  @ApiPropertyOptional({ enum: STATUSES })
  @IsOptional()
  @IsIn(STATUSES)
  status?: Status;

  @ApiPropertyOptional({
    enum: ['active', 'passive'],
    description: 'active = checks; passive = live-traffic changes',
  })
  @IsOptional()
  @IsIn(['active', 'passive'])
  source?: 'active' | 'passive';
}

export class AvailabilityView {
  @ApiProperty({
    example: 100,
    nullable: true,
    type: Number,
    description: '% of passing checks; null = no check',
  })
  '1h': number | null;
  @ApiProperty({ example: 99.31, nullable: true, type: Number }) '24h': number | null;
  @ApiProperty({ example: 99.8, nullable: true, type: Number }) '7d': number | null;
}

export class BalanceView {
  @ApiProperty({ example: 12.5 }) amount: number;
  @ApiProperty({ example: 'USD' }) currency: string;
  @ApiProperty({ example: 5 }) threshold: number;
  @ApiProperty({ example: false }) low: boolean;
  @ApiProperty({ example: '2026-11-25T21:00:00.000Z' }) checkedAt: string;
}

export class CredentialHealthView {
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'null for a provider without keys',
  })
  credentialId: string | null;
  @ApiProperty({ example: 'primary' }) label: string;
  @ApiProperty({ example: 'sk-…abcd', nullable: true, type: String }) hint: string | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ enum: STATUSES, example: 'healthy' }) status: Status;
  @ApiProperty({ example: 231, nullable: true, type: Number }) latencyMs: number | null;
  @ApiProperty({ example: null, nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ example: 0 }) consecutiveFailures: number;
  @ApiProperty({ example: '2026-11-25T21:00:00.000Z', nullable: true, type: String }) lastCheckedAt:
    string | null;
  @ApiProperty({ enum: ['active', 'passive'], nullable: true }) source: 'active' | 'passive' | null;
  @ApiProperty({ description: 'false while unhealthy: routing skips it unless nothing else is left' })
  inRotation: boolean;
  @ApiProperty({ type: BalanceView, nullable: true }) balance: BalanceView | null;
  @ApiProperty({ type: AvailabilityView }) availability: AvailabilityView;
}

export class ProviderHealthView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'openai-main' }) name: string;
  @ApiProperty({ example: 'openai' }) type: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty({
    enum: STATUSES,
    example: 'healthy',
    description: "Rolled up from its enabled credentials' statuses",
  })
  status: Status;
  @ApiProperty({ type: AvailabilityView }) availability: AvailabilityView;
  @ApiProperty({ type: [CredentialHealthView] }) credentials: CredentialHealthView[];
}

export class ProxyHealthView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'eu-egress-1' }) name: string;
  @ApiProperty({ example: 'http://proxy.internal:3128', description: 'Without credentials' }) url: string;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: [String], example: ['eu'] }) tags: string[];
  @ApiProperty({ enum: STATUSES, example: 'healthy' }) status: Status;
  @ApiProperty({ example: 35, nullable: true, type: Number }) latencyMs: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ example: 0, description: 'Failed checks in a row' }) consecutiveFailures: number;
  @ApiProperty({ example: 0, description: 'Failed live connects in a row (passive health)' })
  liveFailures: number;
  @ApiProperty({ nullable: true, type: String }) lastCheckedAt: string | null;
  @ApiProperty({ type: AvailabilityView }) availability: AvailabilityView;
}

export class HealthHistoryPageView {
  @ApiProperty({
    type: 'array',
    items: { type: 'object' },
    example: [
      {
        id: '7b0c…',
        targetType: 'provider-credential',
        targetId: '2f1e…',
        providerId: '9a3d…',
        status: 'healthy',
        ok: true,
        latencyMs: 212,
        error: null,
        consecutiveFailures: 0,
        source: 'active',
        checkedAt: '2026-11-25T21:00:00.000Z',
      },
    ],
  })
  items: object[];
  @ApiProperty({ example: 120 }) total: number;
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 50 }) pageSize: number;
}

class StatusCountsView {
  @ApiProperty({ example: 3 }) healthy: number;
  @ApiProperty({ example: 0 }) degraded: number;
  @ApiProperty({ example: 1 }) unhealthy: number;
  @ApiProperty({ example: 0 }) unknown: number;
}

export class HealthDetailView {
  @ApiProperty({ enum: ['ok', 'down'], description: 'down when every enabled provider is unhealthy' })
  status: 'ok' | 'down';
  @ApiProperty({ type: StatusCountsView }) providers: StatusCountsView;
  @ApiProperty({ type: StatusCountsView }) credentials: StatusCountsView;
  @ApiProperty({ type: StatusCountsView }) proxies: StatusCountsView;
  @ApiProperty({ example: true }) checksEnabled: boolean;
  @ApiProperty({ nullable: true, type: String, description: "This instance's last scheduled round" })
  lastRoundAt: string | null;
}
