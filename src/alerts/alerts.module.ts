import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Alert, AlertChannel, AlertDelivery, AlertRule } from './alert.entity';
import { AlertRetention } from './alert-retention.service';
import { AlertChannelsController, AlertRulesController, AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';
import { ChannelsService } from './channels.service';
import { CooldownStore } from './cooldown.store';
import { AlertQueueModule } from './delivery/alert-queue.module';
import { RuleEngine } from './rule-engine.service';
import { RulesService } from './rules.service';

/**
 * Whether Redis is configured, read the way ConfigModule does (test overrides win over the
 * environment; an empty value is unset). ConfigModule is imported first, so a `.env` file has been
 * loaded into process.env by now.
 */
export function redisConfigured(env?: Record<string, string | undefined>): boolean {
  const merged: Record<string, string | undefined> = { ...process.env, ...(env ?? {}) };
  return Boolean(merged.REDIS_URL && merged.REDIS_URL.trim());
}

/**
 * Alerts: channels, rules, the rule engine (listens to domain events) and alert history. Delivery
 * runs on BullMQ when Redis is configured, else in-process (`AlertQueueModule.register`).
 */
@Module({})
export class AlertsModule {
  static forRoot(env?: Record<string, string | undefined>): DynamicModule {
    return {
      module: AlertsModule,
      imports: [
        TypeOrmModule.forFeature([AlertChannel, AlertRule, Alert, AlertDelivery]),
        AlertQueueModule.register(redisConfigured(env)),
      ],
      controllers: [AlertChannelsController, AlertRulesController, AlertsController],
      providers: [ChannelsService, RulesService, AlertsService, CooldownStore, RuleEngine, AlertRetention],
      exports: [RuleEngine, RulesService],
    };
  }
}
