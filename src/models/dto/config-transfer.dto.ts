import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsIn, IsInt, IsObject, IsOptional } from 'class-validator';

const PROXIES_EXAMPLE = [
  {
    name: 'eu-egress-1',
    url: 'http://proxy.internal:3128',
    enabled: true,
    weight: 1,
    tags: ['eu'],
    checkUrl: null,
    hasAuth: true,
    authSealed: 'v1.q2x0cFq9Yc0mX1eA.3l0r9v8Yd0H2k1mN5b7c9Q.Vd8Zk…',
  },
];

const PROVIDERS_EXAMPLE = [
  {
    name: 'openai-main',
    type: 'openai',
    baseUrl: 'https://api.openai.com/v1',
    timeoutMs: 60000,
    enabled: true,
    notes: null,
    consoleUrl: null,
    config: {},
    proxyMode: 'single',
    proxy: 'eu-egress-1',
    proxyTag: null,
    proxyStrategy: 'round-robin',
    credentials: [
      {
        label: 'key-1',
        hint: 'sk-…a1b2',
        weight: 1,
        enabled: true,
        sealed: 'v1.Jx2k9Lm0Pq7Rt5Vw.Hf3s8Dk2Lp0Qw9Er1Ty6Ui.Zp4Nq…',
      },
    ],
  },
];

const MODELS_EXAMPLE = [
  {
    name: 'gpt-4o',
    type: 'chat',
    description: null,
    enabled: true,
    strategy: 'priority',
    maxAttempts: 3,
    sticky: false,
    stickyTtlSeconds: 600,
    routes: [
      {
        provider: 'openai-main',
        upstreamModel: 'gpt-4o',
        weight: 1,
        priority: 0,
        enabled: true,
        supportsTools: true,
        supportsStructuredOutput: true,
        supportsVision: true,
        headerPassthrough: false,
        cost: 0,
      },
    ],
  },
];

export class ConfigDocument {
  @ApiProperty({ example: 1 }) @IsInt() version: number;
  @ApiProperty({ example: '2026-11-25T12:00:00.000Z' }) @IsOptional() exportedAt?: string;
  @ApiPropertyOptional({
    description:
      'The proxy pool, by name. URLs never carry credentials; `hasAuth` says whether the proxy has a ' +
      'username/password, and `authSealed` (AES-GCM ciphertext) is present only when exported with ' +
      'includeSecrets. On import, `authSealed` replaces the stored credentials, `hasAuth: false` ' +
      'clears them, and otherwise they are kept. Optional (older exports have none).',
    type: 'array',
    items: { type: 'object' },
    example: PROXIES_EXAMPLE,
  })
  @IsOptional()
  @IsArray()
  proxies?: Record<string, unknown>[];
  @ApiProperty({
    description:
      'Providers; secrets only as `sealed` ciphertext, and only when exported with includeSecrets. ' +
      'Proxy settings name their proxy (`proxy`, for proxyMode single) instead of its id.',
    type: 'array',
    items: { type: 'object' },
    example: PROVIDERS_EXAMPLE,
  })
  @IsArray()
  providers: Record<string, unknown>[];
  @ApiProperty({
    description: 'Models with routes; routes name their provider',
    type: 'array',
    items: { type: 'object' },
    example: MODELS_EXAMPLE,
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
  @ApiProperty({ example: 1 }) proxiesCreated: number;
  @ApiProperty({ example: 0 }) proxiesUpdated: number;
  @ApiProperty({ example: 2 }) providersCreated: number;
  @ApiProperty({ example: 1 }) providersUpdated: number;
  @ApiProperty({ example: 3 }) modelsCreated: number;
  @ApiProperty({ example: 0 }) modelsUpdated: number;
  @ApiProperty({
    type: [String],
    example: ['provider "x": credential 2 skipped (sealed with another ENCRYPTION_KEY)'],
  })
  warnings: string[];
}
