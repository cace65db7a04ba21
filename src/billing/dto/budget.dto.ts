import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsUUID,
  Max,
  Min,
} from 'class-validator';
import { BUDGET_PERIODS, BUDGET_SCOPES, BudgetPeriod } from '../budget.entity';
import type { BudgetScope } from '../../common/events/domain-events';

export class CreateBudgetDto {
  @ApiProperty({ enum: BUDGET_SCOPES, example: 'key' })
  @IsIn(BUDGET_SCOPES)
  scope: BudgetScope;

  @ApiProperty({
    example: '3f0c3f8e-8a0b-4c1e-9d65-8d4c1b2a7e10',
    description: 'The API key, user or tenant id',
  })
  @IsUUID()
  scopeId: string;

  @ApiProperty({
    enum: BUDGET_PERIODS,
    example: 'monthly',
    description: 'UTC calendar period; `total` never resets (a quota)',
  })
  @IsIn(BUDGET_PERIODS)
  period: BudgetPeriod;

  @ApiProperty({ example: 50, description: 'Hard limit in USD for the period' })
  @IsNumber({ maxDecimalPlaces: 6 })
  @Min(0)
  @Max(100_000_000)
  amountUsd: number;

  @ApiPropertyOptional({
    example: [50, 80],
    description: 'Soft thresholds in percent that raise budget.threshold alerts',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(99, { each: true })
  thresholds?: number[];

  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateBudgetDto {
  @ApiPropertyOptional({ example: 100 })
  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 6 })
  @Min(0)
  @Max(100_000_000)
  amountUsd?: number;

  @ApiPropertyOptional({ enum: BUDGET_PERIODS, example: 'weekly' })
  @IsOptional()
  @IsIn(BUDGET_PERIODS)
  period?: BudgetPeriod;

  @ApiPropertyOptional({ example: [80, 90] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(99, { each: true })
  thresholds?: number[];

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class BudgetQueryDto {
  @ApiPropertyOptional({ enum: BUDGET_SCOPES })
  @IsOptional()
  @IsIn(BUDGET_SCOPES)
  scope?: BudgetScope;

  @ApiPropertyOptional({ example: '3f0c3f8e-8a0b-4c1e-9d65-8d4c1b2a7e10' })
  @IsOptional()
  @IsUUID()
  scopeId?: string;
}
