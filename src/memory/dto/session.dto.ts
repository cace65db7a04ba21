import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';

export class CreateSessionDto {
  @ApiPropertyOptional({ example: 'Trip planning', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({
    example: 'You are a concise travel assistant.',
    description: 'Sent as the system prompt whenever a request brings none of its own',
    maxLength: 100000,
  })
  @IsOptional()
  @IsString()
  @MaxLength(100_000)
  systemPrompt?: string;

  @ApiPropertyOptional({ example: 'gpt-4o-mini', description: 'Informational default model' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  model?: string;

  @ApiPropertyOptional({
    example: 16000,
    description:
      'Context budget (history + new messages) in tokens; default: the model’s or MEMORY_MAX_CONTEXT_TOKENS',
  })
  @IsOptional()
  @IsInt()
  @Min(256)
  @Max(10_000_000)
  maxContextTokens?: number;
}

export class UpdateSessionDto {
  @ApiPropertyOptional({ example: 'Trip planning (Lisbon)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'You are a concise travel assistant.' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MaxLength(100_000)
  systemPrompt?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'gpt-4o-mini' })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  model?: string | null;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    example: 16000,
    description: 'null = the default budget',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsInt()
  @Min(256)
  @Max(10_000_000)
  maxContextTokens?: number | null;
}

export class ForkSessionDto {
  @ApiPropertyOptional({
    example: 3,
    description: 'Copy messages up to and including this sequence number (0-based); default: all',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  upToMessage?: number;

  @ApiPropertyOptional({ example: 'Trip planning (alternative)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title?: string;
}

export class SessionPageQueryDto {
  @ApiPropertyOptional({ example: 50, default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ example: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class SessionSearchQueryDto extends SessionPageQueryDto {
  @ApiPropertyOptional({
    example: 'lisbon',
    description: 'Case-insensitive match on the title or any message',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only this owner’s sessions (admins)' })
  @IsOptional()
  @IsUUID()
  userId?: string;
}

export class ExportQueryDto {
  @ApiPropertyOptional({ enum: ['json', 'markdown'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'markdown'])
  format?: 'json' | 'markdown';
}

export class TrimmedView {
  @ApiProperty({ example: 4, description: 'Oldest messages left out of the context on the last request' })
  messages: number;
  @ApiProperty({ example: 812 }) tokens: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) at: Date | null;
}

export class SessionView {
  @ApiProperty({ format: 'uuid', example: '3f1c2b9e-8a47-4c51-9d2e-6b7a0c1d2e3f' }) id: string;
  @ApiProperty({ type: String, nullable: true, example: 'Trip planning' }) title: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'You are a concise travel assistant.' })
  systemPrompt: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'gpt-4o-mini' }) model: string | null;
  @ApiProperty({ type: Number, nullable: true, example: null }) maxContextTokens: number | null;
  @ApiProperty({ example: 6 }) messageCount: number;
  @ApiProperty({ example: 240 }) tokenCount: number;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The key that created it' })
  apiKeyId: string | null;
  @ApiProperty({ type: TrimmedView }) trimmed: TrimmedView;
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'Summary of the oldest messages (MEMORY_SUMMARY_MODEL), sent in place of trimmed turns',
  })
  summary: string | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    example: null,
    description: 'Last message seq the summary covers',
  })
  summaryThrough: number | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastMessageAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: Date;
}

export class SessionMessageView {
  @ApiProperty({ example: 0 }) seq: number;
  @ApiProperty({ enum: ['user', 'assistant', 'tool'], example: 'user' }) role: string;
  @ApiProperty({
    description: 'Canonical content parts: text, image, tool_call, tool_result, thinking',
    example: [{ type: 'text', text: 'Plan three days in Lisbon' }],
    type: 'array',
    items: { type: 'object' },
  })
  content: unknown[];
  @ApiProperty({ example: 9 }) tokens: number;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
}

export class SessionDetailView extends SessionView {
  @ApiProperty({ type: [SessionMessageView] }) messages: SessionMessageView[];
}

export class SessionPageView {
  @ApiProperty({ type: [SessionView] }) data: SessionView[];
  @ApiProperty({ example: 1 }) total: number;
  @ApiProperty({ example: 50 }) limit: number;
  @ApiProperty({ example: 0 }) offset: number;
}
