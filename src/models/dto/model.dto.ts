import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
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
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { MODEL_TYPES, ModelType, ROUTING_STRATEGIES, RoutingStrategy } from '../model.entity';

export class RouteInputDto {
  @ApiProperty({ format: 'uuid', description: 'The provider serving this route' })
  @IsUUID()
  providerId: string;

  @ApiProperty({ example: 'gpt-4o-mini', description: 'Model name sent to the upstream' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  upstreamModel: string;

  @ApiPropertyOptional({ example: 1, default: 1, minimum: 0, maximum: 10000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(10000)
  weight?: number;

  @ApiPropertyOptional({ example: 0, default: 0, description: 'Higher first with the priority strategy' })
  @IsOptional()
  @IsInt()
  @Min(-1000)
  @Max(1000)
  priority?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  supportsTools?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  supportsStructuredOutput?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  supportsVision?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  headerPassthrough?: boolean;

  @ApiPropertyOptional({ example: 0.6, default: 0, description: 'Blended USD per 1M tokens (lowest-cost)' })
  @IsOptional()
  @IsNumber()
  @Min(0)
  cost?: number;
}

export class CreateRouteDto extends RouteInputDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  modelId: string;
}

export class UpdateRouteDto extends PartialType(RouteInputDto) {}

export class CreateModelDto {
  @ApiProperty({ example: 'my-fast-model', description: 'The public name clients send' })
  @IsString()
  @Matches(/^[\w.:/@+-]{1,200}$/, {
    message: 'name may contain letters, digits and . _ : / @ + - (at most 200)',
  })
  name: string;

  @ApiPropertyOptional({ enum: MODEL_TYPES, default: 'chat' })
  @IsOptional()
  @IsIn(MODEL_TYPES)
  type?: ModelType;

  @ApiPropertyOptional({ example: 'Fast chat for internal tools' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ enum: ROUTING_STRATEGIES, default: 'weighted-random' })
  @IsOptional()
  @IsIn(ROUTING_STRATEGIES)
  strategy?: RoutingStrategy;

  @ApiPropertyOptional({ example: 3, default: 3, minimum: 1, maximum: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  maxAttempts?: number;

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  sticky?: boolean;

  @ApiPropertyOptional({ example: 600, default: 600 })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(86400)
  stickyTtlSeconds?: number;

  @ApiPropertyOptional({ type: [RouteInputDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => RouteInputDto)
  routes?: RouteInputDto[];
}

export class UpdateModelDto extends PartialType(OmitType(CreateModelDto, ['routes'] as const)) {}

export class RouteView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) modelId: string;
  @ApiProperty({ format: 'uuid' }) providerId: string;
  @ApiProperty({ example: 'openai-main' }) providerName: string;
  @ApiProperty({ example: 'gpt-4o-mini' }) upstreamModel: string;
  @ApiProperty() weight: number;
  @ApiProperty() priority: number;
  @ApiProperty() enabled: boolean;
  @ApiProperty() supportsTools: boolean;
  @ApiProperty() supportsStructuredOutput: boolean;
  @ApiProperty() supportsVision: boolean;
  @ApiProperty() headerPassthrough: boolean;
  @ApiProperty() cost: number;
}

export class ModelView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'my-fast-model' }) name: string;
  @ApiProperty({ enum: MODEL_TYPES }) type: ModelType;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ enum: ROUTING_STRATEGIES }) strategy: RoutingStrategy;
  @ApiProperty() maxAttempts: number;
  @ApiProperty() sticky: boolean;
  @ApiProperty() stickyTtlSeconds: number;
  @ApiProperty({ type: [RouteView] }) routes: RouteView[];
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
}
