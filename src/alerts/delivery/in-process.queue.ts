import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { AlertDelivery } from '../alert.entity';
import { backoffDelay, DeliveryQueue } from './delivery-queue';
import { DeliveryProcessor } from './delivery.processor';

/**
 * The queue without Redis: each delivery runs in this process, retried with the same exponential
 * backoff and attempt limit as the BullMQ jobs. Deliveries still pending at start (the process
 * stopped mid-retry) are resumed. On shutdown, timers are cancelled and running attempts awaited.
 */
@Injectable()
export class InProcessDeliveryQueue
  implements DeliveryQueue, OnApplicationBootstrap, BeforeApplicationShutdown
{
  readonly kind = 'in-process' as const;
  private readonly logger = new Logger('AlertQueue');
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly processor: DeliveryProcessor,
    private readonly config: AppConfig,
    @InjectRepository(AlertDelivery) private readonly deliveries: Repository<AlertDelivery>,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const pending = await this.deliveries.find({ where: { status: 'pending' }, select: { id: true } });
    if (pending.length) this.logger.log(`resuming ${pending.length} pending alert deliveries`);
    await this.enqueue(pending.map((d) => d.id));
  }

  enqueue(deliveryIds: string[]): Promise<void> {
    for (const id of deliveryIds) this.schedule(id, 0);
    return Promise.resolve();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([...this.running]);
  }

  private schedule(id: string, delayMs: number): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = this.run(id).finally(() => this.running.delete(run));
      this.running.add(run);
    }, delayMs);
    this.timers.add(timer);
  }

  private async run(id: string): Promise<void> {
    const { maxAttempts, backoffMs } = this.config.alerts;
    try {
      const r = await this.processor.attempt(id, maxAttempts);
      if (r.outcome === 'retry') this.schedule(id, backoffDelay(backoffMs, r.attempt));
    } catch (e) {
      // The attempt could not even be recorded (database down): try again later.
      this.logger.warn(`alert delivery ${id}: ${(e as Error).message}`);
      this.schedule(id, backoffDelay(backoffMs, maxAttempts));
    }
  }
}
