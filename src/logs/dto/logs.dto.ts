import { TimeRangePageQueryDto } from '../../common/dto/page-query.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

export class LogQueryDto extends TimeRangePageQueryDto {
  @ApiPropertyOptional({ example: 'gpt-4o' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  model?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  providerId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  apiKeyId?: string;

  @ApiPropertyOptional({ enum: ['success', 'error'], description: 'success = status < 400' })
  @IsOptional()
  @IsIn(['success', 'error'])
  outcome?: 'success' | 'error';

  @ApiPropertyOptional({ example: 429 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(100)
  @Max(599)
  status?: number;
}

export class AttemptView {
  @ApiProperty({ example: 'openai-main' }) provider: string;
  @ApiProperty({ format: 'uuid' }) providerId: string;
  @ApiProperty({ example: 'gpt-4o-2024-08-06' }) upstreamModel: string;
  @ApiProperty({ format: 'uuid' }) credentialId: string;
  @ApiProperty({ example: 200, nullable: true, type: Number }) status: number | null;
  @ApiProperty({ example: 420 }) latencyMs: number;
  @ApiPropertyOptional({ example: 'upstream 429: rate limited' }) error?: string;
}

export class LogView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '2026-11-25T12:00:00.000Z' }) createdAt: Date;
  @ApiProperty({ example: 'req_01J…' }) requestId: string;
  @ApiProperty({ example: 'openai', description: 'Front door: openai, responses, anthropic, gemini' })
  protocol: string;
  @ApiProperty({ example: 'chat' }) endpoint: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) apiKeyId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) userId: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) tenantId: string | null;
  @ApiProperty({ example: 'gpt-4o', nullable: true, type: String }) model: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) providerId: string | null;
  @ApiProperty({ example: 'openai-main', nullable: true, type: String }) providerName: string | null;
  @ApiProperty({ example: 'gpt-4o-2024-08-06', nullable: true, type: String }) upstreamModel: string | null;
  @ApiProperty({ type: [AttemptView] }) attempts: AttemptView[];
  @ApiProperty({ example: 200 }) status: number;
  @ApiProperty({ example: false }) stream: boolean;
  @ApiProperty({ example: 840 }) latencyMs: number;
  @ApiProperty({ example: 310, nullable: true, type: Number }) ttftMs: number | null;
  @ApiProperty({ example: 120 }) inputTokens: number;
  @ApiProperty({ example: 48 }) outputTokens: number;
  @ApiProperty({ example: 0 }) cachedTokens: number;
  @ApiProperty({ example: 0 }) reasoningTokens: number;
  @ApiProperty({ example: false }) usageEstimated: boolean;
  @ApiProperty({ example: '203.0.113.7', nullable: true, type: String }) clientIp: string | null;
  @ApiProperty({ example: 'openai-node/6.0', nullable: true, type: String }) userAgent: string | null;
  @ApiProperty({ example: null, nullable: true, type: String }) error: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Only when LOG_BODIES is on' }) requestBody:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Only when LOG_BODIES is on' })
  responseBody: string | null;
  @ApiProperty({ type: [String], example: [] }) droppedFields: string[];
}

export class LogPageView {
  @ApiProperty({ description: 'Log rows, newest first', type: [LogView] })
  items: LogView[];
  @ApiProperty({
    example: 1234,
    description: 'Matching rows, counted up to 10,000 past this page (see totalIsLowerBound)',
  })
  total: number;
  @ApiProperty({ example: false, description: 'More rows match than `total` says (the count was capped)' })
  totalIsLowerBound: boolean;
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 50 }) pageSize: number;
}

export class ModelCountView {
  @ApiProperty({ example: 'gpt-4o' }) model: string;
  @ApiProperty({ example: 900 }) requests: number;
  @ApiProperty({ example: 3 }) errors: number;
}

export class ProviderCountView {
  @ApiProperty({ example: 'openai-main' }) provider: string;
  @ApiProperty({ example: 700 }) requests: number;
  @ApiProperty({ example: 1 }) errors: number;
}

export class KeyCountView {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) apiKeyId: string | null;
  @ApiProperty({ example: 'ci-bot', nullable: true, type: String }) name: string | null;
  @ApiProperty({ example: 400 }) requests: number;
  @ApiProperty({ example: 42000 }) tokens: number;
  @ApiProperty({ example: 0.42, description: 'Cost in USD' }) costUsd: number;
}

export class StatsBucketView {
  @ApiProperty({ example: '2026-11-25T12:00:00.000Z', description: 'Start of the bucket' }) at: string;
  @ApiProperty({ example: 60 }) requests: number;
  @ApiProperty({ example: 1 }) errors: number;
  @ApiProperty({ example: 5000 }) inputTokens: number;
  @ApiProperty({ example: 2100 }) outputTokens: number;
  @ApiProperty({ example: 0.0125, description: 'Cost in USD' }) costUsd: number;
}

export class StatsView {
  @ApiProperty({ example: '2026-11-24T19:00:00.000Z' }) since: string;
  @ApiProperty({ example: 1200 }) requests: number;
  @ApiProperty({ example: 0.991 }) successRate: number;
  @ApiProperty({ example: 120000 }) inputTokens: number;
  @ApiProperty({ example: 45000 }) outputTokens: number;
  @ApiProperty({ example: 1.2345, description: 'Cost in USD from the price table' }) costUsd: number;
  @ApiProperty({ example: 420 }) latencyP50Ms: number;
  @ApiProperty({ example: 1900 }) latencyP95Ms: number;
  @ApiProperty({ type: () => [ModelCountView] })
  byModel: ModelCountView[];
  @ApiProperty({ type: () => [ProviderCountView] })
  byProvider: ProviderCountView[];
  @ApiProperty({
    type: () => [KeyCountView],
    description: 'Top API keys by requests (requests without a key are left out)',
  })
  byKey: KeyCountView[];
  @ApiProperty({
    type: () => [StatsBucketView],
    description: 'Time series over the window: hourly buckets for 24 h, 5-minute buckets for 1 h',
  })
  series: StatsBucketView[];
}
