import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';

export class CreateProxyDto {
  @ApiProperty({ example: 'eu-egress-1', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @ApiProperty({
    example: 'http://proxy.internal:3128',
    description:
      'http://, https:// or socks5:// URL with host and port. Credentials may be given inline ' +
      '(`http://user:pass@host:port`) or in username/password; they are stored encrypted.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  url: string;

  @ApiPropertyOptional({
    example: 'egress',
    description: 'Stored encrypted; returned masked',
    nullable: true,
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(255)
  username?: string | null;

  @ApiPropertyOptional({
    example: 's3cret-pass',
    description: 'Stored encrypted; never returned',
    nullable: true,
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @MaxLength(255)
  password?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({ example: 1, minimum: 0, maximum: 1000, default: 1 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  weight?: number;

  @ApiPropertyOptional({ example: ['eu', 'fast'], type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(/^[A-Za-z0-9_.:-]{1,64}$/, { each: true, message: 'each tag must be 1-64 of A-Z a-z 0-9 _ . : -' })
  tags?: string[];

  @ApiPropertyOptional({
    example: 'https://api.openai.com/v1/models',
    description: 'Health-check target (default: the base URL of a provider using this proxy)',
    nullable: true,
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(500)
  checkUrl?: string | null;
}

export class UpdateProxyDto extends PartialType(CreateProxyDto) {}

export class ProxyView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'eu-egress-1' }) name: string;
  @ApiProperty({ example: 'http://proxy.internal:3128', description: 'Without credentials' }) url: string;
  @ApiProperty({ example: 'http' }) scheme: string;
  @ApiProperty({ example: 'eg****', nullable: true, type: String, description: 'Masked' })
  username: string | null;
  @ApiProperty({ example: true, description: 'Whether a password is stored (it is never returned)' })
  hasPassword: boolean;
  @ApiProperty() enabled: boolean;
  @ApiProperty({ example: 1 }) weight: number;
  @ApiProperty({ example: ['eu'], type: [String] }) tags: string[];
  @ApiProperty({ nullable: true, type: String }) checkUrl: string | null;
  @ApiProperty({ example: 'healthy', enum: ['healthy', 'degraded', 'unhealthy', 'unknown'] }) status: string;
  @ApiProperty({ example: 42, nullable: true, type: Number }) latencyMs: number | null;
  @ApiProperty({ nullable: true, type: String }) lastError: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) lastCheckedAt: Date | null;
  @ApiProperty({ type: String, format: 'date-time' }) createdAt: Date;
  @ApiProperty({ type: String, format: 'date-time' }) updatedAt: Date;
}
