import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ALERT_EVENT_TYPES, AlertEventType, SEVERITIES, Severity } from '../alert.entity';

export class CreateRuleDto {
  @ApiProperty({ example: 'upstream down', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({
    enum: ALERT_EVENT_TYPES,
    example: 'provider.unhealthy',
    description:
      'provider.unhealthy / provider.recovered and proxy.down / proxy.recovered come from health changes; ' +
      'budget.* from billing; apikey.invalid from the gateway; model.error_rate and model.latency_p95 are ' +
      'evaluated over a sliding window of live traffic.',
  })
  @IsIn(ALERT_EVENT_TYPES, { message: `eventType must be one of ${ALERT_EVENT_TYPES.join(', ')}` })
  eventType: AlertEventType;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ type: [String], format: 'uuid', example: ['3f6c1b9e-8a4d-4f7e-9c2b-1a5d6e7f8a9b'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true, message: 'channelIds must be channel ids (UUIDs)' })
  channelIds?: string[];

  @ApiPropertyOptional({
    example: 300,
    default: 300,
    minimum: 0,
    maximum: 604800,
    description:
      'The same rule and subject (provider, proxy, model, budget, …) alert once within this window',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(604800)
  cooldownSeconds?: number;

  @ApiPropertyOptional({
    format: 'uuid',
    nullable: true,
    description: 'Only this provider (provider and balance events)',
  })
  @IsOptional()
  @IsUUID()
  providerId?: string | null;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'Only this proxy (proxy events)' })
  @IsOptional()
  @IsUUID()
  proxyId?: string | null;

  @ApiPropertyOptional({
    example: 'gpt-4o',
    nullable: true,
    description: 'Only this model (error-rate and latency rules)',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  model?: string | null;

  @ApiPropertyOptional({
    example: 20,
    nullable: true,
    description: 'Required for model.error_rate (percent, 0–100) and model.latency_p95 (milliseconds)',
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(3_600_000)
  threshold?: number | null;

  @ApiPropertyOptional({ example: 300, default: 300, minimum: 10, maximum: 86400 })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(86400)
  windowSeconds?: number;

  @ApiPropertyOptional({ example: 20, default: 20, minimum: 1, maximum: 100000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100000)
  minRequests?: number;

  @ApiPropertyOptional({
    enum: SEVERITIES,
    nullable: true,
    description: "Overrides the event type's default severity",
  })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity | null;
}

export class UpdateRuleDto extends PartialType(CreateRuleDto) {}

export class RuleView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'upstream down' }) name: string;
  @ApiProperty({ enum: ALERT_EVENT_TYPES }) eventType: AlertEventType;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: [String], format: 'uuid' }) channelIds: string[];
  @ApiProperty({ example: 300 }) cooldownSeconds: number;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) providerId: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) proxyId: string | null;
  @ApiProperty({ nullable: true, type: String, example: null }) model: string | null;
  @ApiProperty({ nullable: true, type: Number, example: null }) threshold: number | null;
  @ApiProperty({ example: 300 }) windowSeconds: number;
  @ApiProperty({ example: 20 }) minRequests: number;
  @ApiProperty({ enum: SEVERITIES, nullable: true }) severity: Severity | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: Date;
}
