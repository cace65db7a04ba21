import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDateString,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';

const MONEY = { maxDecimalPlaces: 6 };

export class CreatePriceDto {
  @ApiProperty({ example: 'gpt-4o-mini', description: 'Public model name or upstream model name' })
  @IsString()
  @Length(1, 200)
  model: string;

  @ApiPropertyOptional({
    example: null,
    nullable: true,
    description: 'Only for this provider (an upstream price); omit for every provider',
  })
  @IsOptional()
  @IsUUID()
  providerId?: string | null;

  @ApiProperty({ example: 0.15, description: 'USD per 1M input tokens' })
  @IsNumber(MONEY)
  @Min(0)
  @Max(100000)
  inputPerM: number;

  @ApiProperty({ example: 0.6, description: 'USD per 1M output tokens' })
  @IsNumber(MONEY)
  @Min(0)
  @Max(100000)
  outputPerM: number;

  @ApiPropertyOptional({
    example: 0.075,
    nullable: true,
    description: 'USD per 1M cached input tokens (null: input rate)',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsNumber(MONEY)
  @Min(0)
  @Max(100000)
  cachedInputPerM?: number | null;

  @ApiPropertyOptional({
    example: null,
    nullable: true,
    description:
      'USD per 1M tokens written to a prompt cache (Anthropic cache_creation_input_tokens; its list price is 1.25× input) (null: input rate)',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsNumber(MONEY)
  @Min(0)
  @Max(100000)
  cacheWritePerM?: number | null;

  @ApiPropertyOptional({
    example: null,
    nullable: true,
    description: 'USD per 1M reasoning tokens (null: output rate)',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsNumber(MONEY)
  @Min(0)
  @Max(100000)
  reasoningPerM?: number | null;

  @ApiPropertyOptional({
    example: '2026-01-01T00:00:00Z',
    description: 'When this price starts to apply (default: always)',
  })
  @IsOptional()
  @IsDateString()
  effectiveFrom?: string;

  @ApiPropertyOptional({ example: 'OpenAI list price' })
  @IsOptional()
  @IsString()
  @Length(0, 300)
  note?: string;
}

export class UpdatePriceDto extends PartialType(CreatePriceDto) {}

export class PriceQueryDto {
  @ApiPropertyOptional({ example: 'gpt-4o', description: 'Substring of the model name' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  q?: string;

  @ApiPropertyOptional({ example: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page?: number;

  @ApiPropertyOptional({ example: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  pageSize?: number;
}
