import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { KEY_SCOPES, type KeyScope } from '../api-key.entity';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

/** A per-model rate limit on a key (on top of the key's own). */
export class ModelLimitDto {
  @ApiProperty({ example: 'gpt-4o' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  model: string;

  @ApiPropertyOptional({ example: 20, nullable: true, description: 'Requests per minute for this model' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  rpm?: number | null;

  @ApiPropertyOptional({ example: 40000, nullable: true, description: 'Tokens per minute for this model' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  tpm?: number | null;
}

/** Limits and network rules of a key; only admins may set them. */
export class KeyLimitsDto {
  @ApiPropertyOptional({
    example: 60,
    nullable: true,
    description: 'Requests per minute (null: unlimited). Admins only.',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  rpmLimit?: number | null;

  @ApiPropertyOptional({
    example: 100000,
    nullable: true,
    description: 'Tokens per minute (null: unlimited). Admins only.',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  tpmLimit?: number | null;

  @ApiPropertyOptional({ type: [ModelLimitDto], description: 'Per-model limits. Admins only.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ModelLimitDto)
  modelLimits?: ModelLimitDto[];

  @ApiPropertyOptional({
    enum: KEY_SCOPES,
    isArray: true,
    example: ['chat', 'models'],
    description: 'Operations the key may call; empty = all',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(KEY_SCOPES.length)
  @IsIn(KEY_SCOPES, { each: true })
  scopes?: KeyScope[];

  @ApiPropertyOptional({
    type: [String],
    example: ['203.0.113.7', '10.0.0.0/8'],
    description: 'Client IPs or CIDR ranges allowed to use the key; empty = any',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  allowedIps?: string[];
}

export class CreateApiKeyDto extends KeyLimitsDto {
  @ApiProperty({ example: 'ci-pipeline', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Owner (admins only; defaults to yourself)' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({
    type: [String],
    example: ['gpt-4o', 'claude-sonnet'],
    description: 'Empty = all models',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  allowedModels?: string[];

  @ApiPropertyOptional({ type: String, format: 'date-time', example: '2027-01-01T00:00:00Z' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;

  @ApiPropertyOptional({
    example: true,
    description:
      'Server-side sessions (memory) for this key; false = X-Session-Id only steers sticky routing',
  })
  @IsOptional()
  @IsBoolean()
  memoryEnabled?: boolean;
}

export class UpdateApiKeyDto extends KeyLimitsDto {
  @ApiPropertyOptional({ example: 'renamed-key' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ type: [String], example: ['gpt-4o'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  allowedModels?: string[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'null removes the expiry',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsISO8601({ strict: true })
  expiresAt?: string | null;

  @ApiPropertyOptional({
    example: true,
    description:
      'Server-side sessions (memory) for this key; false = X-Session-Id only steers sticky routing',
  })
  @IsOptional()
  @IsBoolean()
  memoryEnabled?: boolean;
}

export class ApiKeyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'ci-pipeline' }) name: string;
  @ApiProperty({
    example: 'sk-AbCd123',
    description: 'Visible start of the key; the rest is never shown again',
  })
  prefix: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ type: [String], example: [] }) allowedModels: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: Date | null;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastUsedAt: Date | null;
  @ApiProperty({ example: true, description: 'Server-side sessions (memory) allowed' })
  memoryEnabled: boolean;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: Number, nullable: true, example: 60 }) rpmLimit: number | null;
  @ApiProperty({ type: Number, nullable: true, example: null }) tpmLimit: number | null;
  @ApiProperty({ type: [ModelLimitDto] }) modelLimits: ModelLimitDto[];
  @ApiProperty({ type: [String], example: [] }) allowedIps: string[];
  @ApiProperty({ enum: KEY_SCOPES, isArray: true, example: [] }) scopes: string[];
}

export class CreatedApiKeyView extends ApiKeyView {
  @ApiProperty({
    example: 'sk-AbCd1234…',
    description: 'The secret. Shown only in this response: store it now.',
  })
  key: string;
}

export class KeyInfoView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'ci-pipeline' }) name: string;
  @ApiProperty({ example: 'sk-AbCd123' }) prefix: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ format: 'uuid' }) tenantId: string;
  @ApiProperty({ type: [String] }) allowedModels: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) expiresAt: string | null;
  @ApiProperty({ example: true, description: 'Server-side sessions (memory) allowed' })
  memoryEnabled: boolean;
}
