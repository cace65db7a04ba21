import { plainToInstance } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';
import type { ChannelType } from '../alert.entity';

const URL_RULES = { protocols: ['http', 'https'], require_protocol: true, require_tld: false };

// ---- non-secret settings (stored as jsonb, returned as is) ----

export class WebhookConfig {
  @MaxLength(2000)
  @IsUrl(URL_RULES, { message: 'config.url must be an http(s) URL' })
  url: string;

  /** Extra request headers (not secret: returned as they are). */
  @IsOptional()
  @IsObject()
  headers?: Record<string, string>;
}

/** Slack keeps its token in the URL, so the URL is a secret; `host` is shown for orientation. */
export class SlackConfig {
  @IsOptional()
  @IsString()
  host?: string;
}

export class DingTalkConfig {
  @IsOptional()
  @IsString()
  host?: string;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(/^\+?[0-9-]{3,20}$/, { each: true, message: 'config.atMobiles must be phone numbers' })
  atMobiles?: string[];

  @IsOptional()
  @IsBoolean()
  atAll?: boolean;
}

export class FeishuConfig {
  @IsOptional()
  @IsString()
  host?: string;

  @IsOptional()
  @IsIn(['text', 'interactive'], { message: 'config.msgType must be text or interactive' })
  msgType?: 'text' | 'interactive';
}

export const EMAIL_SECURITY = ['auto', 'tls', 'starttls', 'none'] as const;

export class EmailConfig {
  @IsString()
  @MinLength(1, { message: 'config.host is required' })
  @MaxLength(255)
  host: string;

  @IsInt({ message: 'config.port must be an integer between 1 and 65535' })
  @Min(1, { message: 'config.port must be an integer between 1 and 65535' })
  @Max(65535, { message: 'config.port must be an integer between 1 and 65535' })
  port: number;

  /** auto: STARTTLS when offered; tls: implicit TLS (465); starttls: required; none: plain. */
  @IsOptional()
  @IsIn(EMAIL_SECURITY, { message: `config.security must be one of ${EMAIL_SECURITY.join(', ')}` })
  security?: (typeof EMAIL_SECURITY)[number];

  @IsString()
  @MinLength(3, { message: 'config.from is required (e.g. "Gateway <alerts@example.com>")' })
  @MaxLength(300)
  from: string;

  @IsArray({ message: 'config.to must be a list of email addresses' })
  @ArrayMinSize(1, { message: 'config.to needs at least one recipient' })
  @ArrayMaxSize(50)
  @IsEmail({ require_tld: false }, { each: true, message: 'config.to must hold email addresses' })
  to: string[];

  @IsOptional()
  @IsString()
  @MaxLength(255)
  username?: string;
}

// ---- secret fields (sealed; only returned masked) ----

export class WebhookSecrets {
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'secrets.signingSecret must be at least 8 characters' })
  @MaxLength(500)
  signingSecret?: string;
}

export class BotSecrets {
  @MaxLength(2000)
  @IsUrl(URL_RULES, { message: 'secrets.webhookUrl must be an http(s) URL' })
  webhookUrl: string;
}

export class SignedBotSecrets extends BotSecrets {
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'secrets.signSecret must be at least 8 characters' })
  @MaxLength(500)
  signSecret?: string;
}

export class EmailSecrets {
  @IsOptional()
  @IsString()
  @MaxLength(500)
  password?: string;
}

export type ChannelConfig = WebhookConfig | SlackConfig | DingTalkConfig | FeishuConfig | EmailConfig;
export type ChannelSecrets = Record<string, string>;

/** Headers the webhook sender sets itself (signature, ids, framing). */
const RESERVED_HEADERS =
  /^(host|content-type|content-length|transfer-encoding|connection|user-agent|x-signature|x-alert-.*)$/i;

type Ctor = new () => object;
const SCHEMAS: Record<ChannelType, { config: Ctor; secrets: Ctor; secretKeys: string[] }> = {
  webhook: { config: WebhookConfig, secrets: WebhookSecrets, secretKeys: ['signingSecret'] },
  slack: { config: SlackConfig, secrets: BotSecrets, secretKeys: ['webhookUrl'] },
  dingtalk: { config: DingTalkConfig, secrets: SignedBotSecrets, secretKeys: ['webhookUrl', 'signSecret'] },
  feishu: { config: FeishuConfig, secrets: SignedBotSecrets, secretKeys: ['webhookUrl', 'signSecret'] },
  email: { config: EmailConfig, secrets: EmailSecrets, secretKeys: ['password'] },
};

export function secretKeys(type: ChannelType): string[] {
  return SCHEMAS[type].secretKeys;
}

function messages(errors: ValidationError[], prefix: string): string[] {
  return errors.flatMap((e) => {
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(prefix) ? m : `${prefix}.${m}`));
    return [...own, ...messages(e.children ?? [], prefix)];
  });
}

/**
 * Checks a channel's settings and secrets for its type (class-validator, whitelisting unknown keys).
 * Returns every problem; an empty list means valid.
 */
export function channelProblems(
  type: ChannelType,
  config: Record<string, unknown>,
  secrets: Record<string, unknown>,
): string[] {
  const schema = SCHEMAS[type];
  const opts = {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: false,
    stopAtFirstError: true,
  };
  const problems = [
    ...messages(validateSync(plainToInstance(schema.config, config), opts), 'config'),
    ...messages(validateSync(plainToInstance(schema.secrets, secrets), opts), 'secrets'),
  ];
  if (type === 'webhook') {
    for (const [k, v] of Object.entries((config.headers as Record<string, unknown> | undefined) ?? {})) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/.test(k) || typeof v !== 'string' || /[\r\n]/.test(v))
        problems.push(`config.headers.${k} must be a valid header name with a single-line string value`);
      else if (RESERVED_HEADERS.test(k)) problems.push(`config.headers.${k} is set by the gateway`);
    }
  }
  return problems;
}
