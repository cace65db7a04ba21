import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsUUID } from 'class-validator';

export const GRANULARITIES = ['day', 'week', 'month'] as const;
export const GROUPINGS = ['none', 'tenant', 'user', 'key', 'model', 'provider'] as const;
export const FORMATS = ['json', 'csv', 'pdf'] as const;
export type Granularity = (typeof GRANULARITIES)[number];
export type Grouping = (typeof GROUPINGS)[number];

export class ReportQueryDto {
  @ApiPropertyOptional({
    example: '2026-11-01T00:00:00Z',
    description: 'Start (inclusive); default the start of the hour 30 days before `to`',
  })
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-01T00:00:00Z', description: 'End (exclusive); default now' })
  @IsOptional()
  @IsISO8601()
  to?: string;

  @ApiPropertyOptional({ enum: GRANULARITIES, example: 'day', description: 'UTC days, ISO weeks or months' })
  @IsOptional()
  @IsIn(GRANULARITIES)
  granularity?: Granularity;

  @ApiPropertyOptional({ enum: GROUPINGS, example: 'model' })
  @IsOptional()
  @IsIn(GROUPINGS)
  groupBy?: Grouping;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this tenant (admins)' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this user' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this API key' })
  @IsOptional()
  @IsUUID()
  apiKeyId?: string;

  @ApiPropertyOptional({ enum: FORMATS, example: 'json' })
  @IsOptional()
  @IsIn(FORMATS)
  format?: (typeof FORMATS)[number];
}

export class KeyUsageQueryDto {
  @ApiPropertyOptional({
    example: '2026-11-01',
    description: 'Start (inclusive); default the start of the hour 30 days before the end',
  })
  @IsOptional()
  @IsISO8601()
  start_date?: string;

  @ApiPropertyOptional({
    example: '2026-11-30',
    description: 'End (inclusive day, or exact time); default now',
  })
  @IsOptional()
  @IsISO8601()
  end_date?: string;
}

export class ReportRowView {
  @ApiProperty({ example: '2026-11-25T00:00:00.000Z' }) period: string;
  @ApiProperty({ example: 'gpt-4o-mini', nullable: true, description: 'Group id (null when groupBy=none)' })
  group: string | null;
  @ApiProperty({ example: 'gpt-4o-mini', nullable: true }) groupName: string | null;
  @ApiProperty({ example: 120 }) requests: number;
  @ApiProperty({ example: 45000 }) inputTokens: number;
  @ApiProperty({ example: 9000 }) outputTokens: number;
  @ApiProperty({ example: 2000 }) cachedTokens: number;
  @ApiProperty({ example: 0 }) reasoningTokens: number;
  @ApiProperty({ example: 0.01215 }) costUsd: number;
}

export class ReportTotalsView {
  @ApiProperty({ example: 120 }) requests: number;
  @ApiProperty({ example: 45000 }) inputTokens: number;
  @ApiProperty({ example: 9000 }) outputTokens: number;
  @ApiProperty({ example: 2000 }) cachedTokens: number;
  @ApiProperty({ example: 0 }) reasoningTokens: number;
  @ApiProperty({ example: 0.01215 }) costUsd: number;
}

export class ReportView {
  @ApiProperty({ enum: ['usage', 'billing'] }) kind: 'usage' | 'billing';
  @ApiProperty({
    example: '2026-10-26T00:00:00.000Z',
    description:
      'Start of the range read: the one asked for, or its whole hour when it lies before the usage ledger’s retention horizon (LEDGER_RETENTION_DAYS)',
  })
  from: string;
  @ApiProperty({
    example: '2026-11-25T21:00:00.000Z',
    description: 'End of the range read (moved on to the end of its hour like `from`)',
  })
  to: string;
  @ApiProperty({ enum: GRANULARITIES }) granularity: Granularity;
  @ApiProperty({ enum: GROUPINGS }) groupBy: Grouping;
  @ApiProperty({ type: [ReportRowView] }) rows: ReportRowView[];
  @ApiProperty({ type: ReportTotalsView }) totals: ReportTotalsView;
}
