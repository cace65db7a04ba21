import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsIn, IsInt, IsObject, IsOptional } from 'class-validator';

export class ConfigDocument {
  @ApiProperty({ example: 1 }) @IsInt() version: number;
  @ApiProperty({ example: '2026-11-25T12:00:00.000Z' }) @IsOptional() exportedAt?: string;
  @ApiProperty({
    description: 'Providers; secrets only as `sealed` ciphertext, and only when exported with includeSecrets',
    type: 'array',
    items: { type: 'object' },
  })
  @IsArray()
  providers: Record<string, unknown>[];
  @ApiProperty({
    description: 'Models with routes; routes name their provider',
    type: 'array',
    items: { type: 'object' },
  })
  @IsArray()
  models: Record<string, unknown>[];
}

export class ImportConfigDto {
  @ApiProperty({ type: ConfigDocument })
  @IsObject()
  config: ConfigDocument;

  @ApiPropertyOptional({
    enum: ['merge'],
    default: 'merge',
    description: 'Create what is missing, update what exists (matched by name)',
  })
  @IsOptional()
  @IsIn(['merge'])
  mode?: 'merge';
}

export class ImportResultView {
  @ApiProperty({ example: 2 }) providersCreated: number;
  @ApiProperty({ example: 1 }) providersUpdated: number;
  @ApiProperty({ example: 3 }) modelsCreated: number;
  @ApiProperty({ example: 0 }) modelsUpdated: number;
  @ApiProperty({
    type: [String],
    example: ['provider "x": credentials skipped (sealed with another ENCRYPTION_KEY)'],
  })
  warnings: string[];
}
