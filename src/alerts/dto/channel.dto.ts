import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { CHANNEL_TYPES, ChannelType } from '../alert.entity';

const CONFIG_DOC = [
  'Non-secret settings, by type:',
  '- webhook: `{ url, headers? }`',
  '- slack: `{}`',
  '- dingtalk: `{ atMobiles?: string[], atAll?: boolean }`',
  '- feishu: `{ msgType?: "interactive" | "text" }`',
  '- email: `{ host, port, security?: "auto" | "tls" | "starttls" | "none", from, to: string[], username? }`',
].join('\n');

const SECRETS_DOC = [
  'Secret fields (stored encrypted, only ever returned masked), by type:',
  '- webhook: `{ signingSecret? }` (HMAC-SHA256 signature header)',
  '- slack: `{ webhookUrl }`',
  '- dingtalk: `{ webhookUrl, signSecret? }`',
  '- feishu: `{ webhookUrl, signSecret? }`',
  '- email: `{ password? }` (with config.username)',
  'On update, only the keys given are replaced; `null` removes an optional one.',
].join('\n');

export class CreateChannelDto {
  @ApiProperty({ example: 'ops-webhook', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({ enum: CHANNEL_TYPES, example: 'webhook' })
  @IsIn(CHANNEL_TYPES, { message: `type must be one of ${CHANNEL_TYPES.join(', ')}` })
  type: ChannelType;

  @ApiPropertyOptional({ description: CONFIG_DOC, example: { url: 'https://hooks.example.com/llm-alerts' } })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;

  @ApiPropertyOptional({ description: SECRETS_DOC, example: { signingSecret: 'whsec-4f9a8c1d2e3b' } })
  @IsOptional()
  @IsObject()
  secrets?: Record<string, string | null>;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateChannelDto {
  @ApiPropertyOptional({ example: 'ops-webhook', maxLength: 100 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({
    description: `Replaces the whole config. ${CONFIG_DOC}`,
    example: { url: 'https://hooks.example.com/v2' },
  })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;

  @ApiPropertyOptional({ description: SECRETS_DOC, example: { signingSecret: 'whsec-new-secret-value' } })
  @IsOptional()
  @IsObject()
  secrets?: Record<string, string | null>;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class ChannelView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'ops-webhook' }) name: string;
  @ApiProperty({ enum: CHANNEL_TYPES }) type: ChannelType;
  @ApiProperty({ example: { url: 'https://hooks.example.com/llm-alerts' } }) config: Record<string, unknown>;
  @ApiProperty({
    example: { signingSecret: 'whs…3e3b' },
    description: 'Secret fields, masked; the values themselves are never returned',
  })
  secrets: Record<string, string>;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: Date;
}

export class ChannelTestView {
  @ApiProperty({ example: true }) ok: boolean;
  @ApiProperty({ example: 200, nullable: true, type: Number }) statusCode: number | null;
  @ApiProperty({ example: null, nullable: true, type: String }) error: string | null;
  @ApiProperty({ example: 132 }) durationMs: number;
}
