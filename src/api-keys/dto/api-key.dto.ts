import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';

export class CreateApiKeyDto {
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

export class UpdateApiKeyDto {
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
