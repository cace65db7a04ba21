import { ApiProperty, ApiPropertyOptional, PartialType, OmitType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { PROVIDER_TYPES, ProviderType } from '../provider.entity';
import { PROXY_MODES, PROXY_STRATEGIES, ProxyMode, ProxyStrategy } from '../../routing/runtime.types';

const URL_RULES = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

export class CredentialInputDto {
  @ApiPropertyOptional({ example: 'primary', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  label?: string;

  @ApiProperty({
    example: 'sk-proj-xxxxxxxxxxxxxxxxxxxx',
    description: 'The upstream API key (stored encrypted)',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(4096)
  key: string;

  @ApiPropertyOptional({ example: 1, minimum: 0, maximum: 1000, default: 1 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  weight?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateCredentialDto extends PartialType(CredentialInputDto) {}

export class CreateProviderDto {
  @ApiProperty({ example: 'openai-main', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: PROVIDER_TYPES, example: 'openai' })
  @IsIn(PROVIDER_TYPES)
  type: ProviderType;

  @ApiPropertyOptional({
    example: 'https://api.openai.com/v1',
    description: 'Required for openai-compatible; the official endpoint by default for the others',
  })
  @IsOptional()
  @IsUrl(URL_RULES)
  @MaxLength(500)
  baseUrl?: string;

  @ApiPropertyOptional({ type: [CredentialInputDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => CredentialInputDto)
  credentials?: CredentialInputDto[];

  @ApiPropertyOptional({
    example: { 'OpenAI-Organization': 'org-123' },
    description: 'Extra headers (stored encrypted)',
  })
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;

  @ApiPropertyOptional({ example: 60000, minimum: 1000, maximum: 600000, default: 60000 })
  @IsOptional()
  @IsInt()
  @Min(1000)
  @Max(600000)
  timeoutMs?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ example: 'Team billing account' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;

  @ApiPropertyOptional({ example: 'https://platform.openai.com/usage' })
  @IsOptional()
  @IsUrl(URL_RULES)
  @MaxLength(500)
  consoleUrl?: string;

  @ApiPropertyOptional({
    example: { latencyMs: 50, failureRate: 0.1 },
    description: 'Type-specific settings',
  })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;

  @ApiPropertyOptional({
    enum: PROXY_MODES,
    default: 'none',
    example: 'pool',
    description: 'Outbound proxy: none (direct), single (proxyId) or pool (optionally filtered by proxyTag)',
  })
  @IsOptional()
  @IsIn(PROXY_MODES)
  proxyMode?: ProxyMode;

  @ApiPropertyOptional({ format: 'uuid', nullable: true, description: 'The proxy for proxyMode=single' })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUUID()
  proxyId?: string | null;

  @ApiPropertyOptional({
    example: 'eu',
    nullable: true,
    description: 'proxyMode=pool: only proxies with this tag',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  proxyTag?: string | null;

  @ApiPropertyOptional({
    enum: PROXY_STRATEGIES,
    default: 'round-robin',
    description: 'proxyMode=pool rotation',
  })
  @IsOptional()
  @IsIn(PROXY_STRATEGIES)
  proxyStrategy?: ProxyStrategy;
}

export class UpdateProviderDto extends PartialType(OmitType(CreateProviderDto, ['credentials'] as const)) {}

export class CredentialView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'primary' }) label: string;
  @ApiProperty({ example: 'sk-…abcd', description: 'Masked; the key itself is never returned' }) hint: string;
  @ApiProperty({ example: 1 }) weight: number;
  @ApiProperty() enabled: boolean;
}

export class ProviderView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'openai-main' }) name: string;
  @ApiProperty({ enum: PROVIDER_TYPES }) type: ProviderType;
  @ApiProperty({ example: 'https://api.openai.com/v1' }) baseUrl: string;
  @ApiProperty({ example: { 'OpenAI-Organization': 'org…-123' }, description: 'Header values masked' })
  headers: Record<string, string>;
  @ApiProperty({ example: 60000 }) timeoutMs: number;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ nullable: true, type: String }) notes: string | null;
  @ApiProperty({ nullable: true, type: String }) consoleUrl: string | null;
  @ApiProperty({ example: {} }) config: Record<string, unknown>;
  @ApiProperty({ type: [CredentialView] }) credentials: CredentialView[];
  @ApiProperty({ enum: PROXY_MODES, example: 'none' }) proxyMode: ProxyMode;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) proxyId: string | null;
  @ApiProperty({ nullable: true, type: String, example: null }) proxyTag: string | null;
  @ApiProperty({ enum: PROXY_STRATEGIES, example: 'round-robin' }) proxyStrategy: ProxyStrategy;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: Date;
}

export class ValidationResultView {
  @ApiProperty({ example: false }) valid: boolean;
  @ApiProperty({ type: [String], example: ['name "openai-main" is already used'] }) problems: string[];
  @ApiProperty({ example: 'https://api.openai.com/v1', description: 'The base URL that would be used' })
  baseUrl: string;
}

export class ProbeDto {
  @ApiProperty({ example: 'gpt-4o-mini', description: 'Upstream model to call with a 1-token request' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  model: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this credential (default: every credential)' })
  @IsOptional()
  @IsUUID()
  credentialId?: string;
}

export class ProbeResultView {
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) credentialId: string | null;
  @ApiProperty({ example: 'sk-…abcd', nullable: true, type: String }) hint: string | null;
  @ApiProperty({ example: true }) ok: boolean;
  @ApiProperty({ example: 200, nullable: true, type: Number }) status: number | null;
  @ApiProperty({ example: 412 }) latencyMs: number;
  @ApiPropertyOptional({ example: '401: Incorrect API key provided' }) error?: string;
}

export class UpstreamModelsView {
  @ApiProperty({ type: [String], example: ['gpt-4o', 'gpt-4o-mini'] }) models: string[];
}
