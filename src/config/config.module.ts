import { DynamicModule, Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule } from '@nestjs/config';
import { AppConfig } from './app-config';
import { EnvironmentVariables, validateEnv } from './env.validation';

/**
 * Global configuration. `@nestjs/config` reads the environment (and a `.env` file when present) and
 * validates it at boot; a bad value throws `ConfigValidationError` (one readable line, printed by
 * `main.ts`). Everything else injects the typed `AppConfig`.
 *
 * `overrides` replace environment variables (tests boot several apps in one process this way).
 */
@Global()
@Module({})
export class ConfigModule {
  static async forRoot(overrides?: Record<string, string | undefined>): Promise<DynamicModule> {
    let validated: EnvironmentVariables | undefined;
    const nestConfig = await NestConfigModule.forRoot({
      cache: true,
      ignoreEnvFile: overrides !== undefined,
      validate: (raw) => {
        validated = validateEnv({ ...raw, ...overrides });
        return raw;
      },
    });
    return {
      module: ConfigModule,
      imports: [nestConfig],
      providers: [{ provide: AppConfig, useFactory: () => new AppConfig(validated!) }],
      exports: [AppConfig],
    };
  }
}
