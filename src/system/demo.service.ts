import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { AppConfig } from '../config/app-config';
import { ModelsService } from '../models/models.service';
import { ProvidersService } from '../providers/providers.service';
import { UsersService } from '../users/users.service';

export interface DemoResult {
  apiKey: string;
  adminEmail?: string;
  adminPassword?: string;
  curl: string;
}

/**
 * `DEMO=1` (or `npm run demo`) on a database without providers: a mock provider, the models
 * `demo-chat` and `demo-embed`, an API key, and a curl that works, printed at start.
 */
@Injectable()
export class DemoService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Demo');
  result?: DemoResult;

  constructor(
    private readonly config: AppConfig,
    private readonly users: UsersService,
    private readonly providers: ProvidersService,
    private readonly models: ModelsService,
    private readonly keys: ApiKeysService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.demo) return;
    if ((await this.providers.list()).length) {
      this.logger.log('DEMO is set but providers already exist: nothing to seed');
      return;
    }
    this.result = await this.seed();
    const lines = [
      'Demo ready: a mock provider, models demo-chat and demo-embed, and an API key.',
      ...(this.result.adminEmail
        ? [
            `Admin login for /api and /docs: ${this.result.adminEmail} / ${this.result.adminPassword} (shown once)`,
          ]
        : []),
      `API key (shown once): ${this.result.apiKey}`,
      `Try: ${this.result.curl}`,
    ];
    for (const l of lines) this.logger.log(l);
  }

  private async seed(): Promise<DemoResult> {
    let admin = (await this.users.list()).find((u) => u.role === 'admin');
    let adminPassword: string | undefined;
    if (!admin) {
      adminPassword = randomBytes(12).toString('base64url');
      admin = await this.users.create({ email: 'admin@demo.local', password: adminPassword, role: 'admin' });
    }
    const provider = await this.providers.create({
      name: 'demo-mock',
      type: 'mock',
      notes: 'Deterministic mock upstream created by DEMO=1',
      config: { latencyMs: 20, tokensPerSecond: 50 },
    });
    await this.models.create({
      name: 'demo-chat',
      description: 'Echoes your last message through the mock provider',
      routes: [{ providerId: provider.id, upstreamModel: 'mock-chat' }],
    });
    await this.models.create({
      name: 'demo-embed',
      type: 'embedding',
      routes: [{ providerId: provider.id, upstreamModel: 'mock-embed' }],
    });
    const { secret } = await this.keys.create(
      { id: admin.id, email: admin.email, role: admin.role, tenantId: admin.tenantId },
      { name: 'demo' },
    );
    const curl =
      `curl -s http://localhost:${this.config.port}/v1/chat/completions -H "Authorization: Bearer ${secret}" ` +
      `-H "Content-Type: application/json" -d '{"model":"demo-chat","messages":[{"role":"user","content":"Hello, gateway!"}]}'`;
    return { apiKey: secret, adminEmail: adminPassword ? admin.email : undefined, adminPassword, curl };
  }
}
