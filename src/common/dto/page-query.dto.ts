import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';

/** `?page=&pageSize=` of every paged admin list. */
export class PageQueryDto {
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

/** A paged list over a time range (`from` inclusive, `to` exclusive). */
export class TimeRangePageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: '2026-11-25T00:00:00Z' })
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ example: '2026-11-26T00:00:00Z' })
  @IsOptional()
  @IsISO8601()
  to?: string;
}
