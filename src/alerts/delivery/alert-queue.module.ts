import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../../config/app-config';
import { Alert, AlertChannel, AlertDelivery } from '../alert.entity';
import { ChannelSender } from '../senders/channel-sender';
import { AlertTargetGuard } from '../senders/target-guard';
import { BullDeliveryQueue, BullDeliveryWorker, bullConnection } from './bullmq.queue';
import { ALERT_DELIVERY_QUEUE, DELIVERY_QUEUE } from './delivery-queue';
import { DeliverySweeper } from './delivery-sweeper';
import { DeliveryProcessor } from './delivery.processor';
import { InProcessDeliveryQueue } from './in-process.queue';

/**
 * Provides `DELIVERY_QUEUE`: BullMQ (`@nestjs/bullmq`: root connection, queue, worker) when Redis is
 * configured, else the in-process queue. BullMQ is only registered in the first case, so an embedded
 * install never opens a Redis connection. Queues and workers close on shutdown.
 */
@Module({})
export class AlertQueueModule {
  static register(useRedis: boolean): DynamicModule {
    const common = [AlertTargetGuard, ChannelSender, DeliveryProcessor, DeliverySweeper];
    const repos = TypeOrmModule.forFeature([Alert, AlertChannel, AlertDelivery]);
    if (!useRedis) {
      return {
        module: AlertQueueModule,
        imports: [repos],
        providers: [
          ...common,
          InProcessDeliveryQueue,
          { provide: DELIVERY_QUEUE, useExisting: InProcessDeliveryQueue },
        ],
        exports: [DELIVERY_QUEUE, ChannelSender, AlertTargetGuard],
      };
    }
    return {
      module: AlertQueueModule,
      imports: [
        repos,
        BullModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            connection: bullConnection(config.redisUrl!),
            prefix: `${config.redisPrefix}bull`,
          }),
        }),
        BullModule.registerQueue({ name: ALERT_DELIVERY_QUEUE }),
      ],
      providers: [
        ...common,
        BullDeliveryQueue,
        BullDeliveryWorker,
        { provide: DELIVERY_QUEUE, useExisting: BullDeliveryQueue },
      ],
      exports: [DELIVERY_QUEUE, ChannelSender, AlertTargetGuard],
    };
  }
}
