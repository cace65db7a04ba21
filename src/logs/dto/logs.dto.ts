import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';

export class LogQueryDto {
  @ApiPropertyOptional({ example: '2026-11-25T00:00:00Z' })
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-26T00:00:00Z' })
  @IsOptional()
  @IsISO8601()
  to?: string;

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

  @ApiPropertyOptional({ example: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ example: 50, default: 50, maximum: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  pageSize?: number;
}

export class LogPageView {
  @ApiProperty({ description: 'Log rows, newest first', type: 'array', items: { type: 'object' } })
  items: Record<string, unknown>[];
  @ApiProperty({ example: 1234 }) total: number;
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 50 }) pageSize: number;
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
  @ApiProperty({ example: [{ model: 'gpt-4o', requests: 900, errors: 3 }] })
  byModel: { model: string; requests: number; errors: number }[];
  @ApiProperty({ example: [{ provider: 'openai-main', requests: 700, errors: 1 }] })
  byProvider: { provider: string; requests: number; errors: number }[];
  @ApiProperty({ example: [{ apiKeyId: '3f0c…', name: 'ci-pipeline', requests: 300, costUsd: 0.42 }] })
  byKey: { apiKeyId: string; name: string; requests: number; costUsd: number }[];
}
