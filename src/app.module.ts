import { DynamicModule, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { AlertsModule } from './alerts/alerts.module';
import { ApiKeysModule } from './api-keys/api-keys.module';
import { AuthModule } from './auth/auth.module';
import { BillingModule } from './billing/billing.module';
import { CryptoModule } from './common/crypto/crypto.module';
import { RedisModule } from './common/redis/redis.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { loggerOptions } from './logger.options';
import { GatewayModule } from './gateway/gateway.module';
import { LogsModule } from './logs/logs.module';
import { MemoryModule } from './memory/memory.module';
import { MetricsModule } from './metrics/metrics.module';
import { ModelsModule } from './models/models.module';
import { ProvidersModule } from './providers/providers.module';
import { SystemModule } from './system/system.module';
import { UsersModule } from './users/users.module';
import { ProxyPoolModule } from './proxy-pool/proxy-pool.module';
import { HealthModule } from './health/health.module';
import { WebModule } from './web/web.module';

@Module({})
export class AppModule {
  /** `env` overrides environment variables (tests boot isolated apps this way). */
  static forRoot(env?: Record<string, string | undefined>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(env),
        LoggerModule.forRootAsync({ inject: [AppConfig], useFactory: loggerOptions }),
        ScheduleModule.forRoot(),
        EventEmitterModule.forRoot({ wildcard: false, ignoreErrors: true }),
        RedisModule,
        CryptoModule,
        DatabaseModule,
        UsersModule,
        AuthModule,
        ApiKeysModule,
        ProvidersModule,
        ModelsModule,
        LogsModule,
        BillingModule,
        MetricsModule,
        MemoryModule,
        GatewayModule,
        SystemModule,
        AlertsModule.forRoot(env),
        ProxyPoolModule,
        HealthModule,
        WebModule,
      ],
    };
  }
}
