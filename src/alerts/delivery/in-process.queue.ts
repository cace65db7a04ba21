import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { backoffDelay, DeliveryQueue } from './delivery-queue';
import { DeliveryProcessor } from './delivery.processor';

/**
 * The queue without Redis: each delivery runs in this process, retried with the same exponential
 * backoff and attempt limit as the BullMQ jobs. On shutdown, timers are cancelled and running
 * attempts awaited (`DeliverySweeper` resumes what is left pending at the next start).
 */
@Injectable()
export class InProcessDeliveryQueue implements DeliveryQueue, BeforeApplicationShutdown {
  readonly kind = 'in-process' as const;
  private readonly logger = new Logger('AlertQueue');
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  /** Deliveries with a timer or a running attempt here. */
  private readonly active = new Set<string>();
  private closed = false;

  constructor(
    private readonly processor: DeliveryProcessor,
    private readonly config: AppConfig,
  ) {}

  enqueue(deliveryIds: string[]): Promise<void> {
    for (const id of deliveryIds) this.schedule(id, 0);
    return Promise.resolve();
  }

  resume(deliveryIds: string[]): Promise<void> {
    return this.enqueue(deliveryIds.filter((id) => !this.active.has(id)));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all([...this.running]);
  }

  private schedule(id: string, delayMs: number): void {
    if (this.closed) return;
    this.active.add(id);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const run = this.run(id).finally(() => this.running.delete(run));
      this.running.add(run);
    }, delayMs);
    this.timers.add(timer);
  }

  private async run(id: string): Promise<void> {
    const { maxAttempts, backoffMs } = this.config.alerts;
    let retryInMs: number | null = null;
    try {
      const r = await this.processor.attempt(id, maxAttempts);
      if (r.outcome === 'retry') retryInMs = backoffDelay(backoffMs, r.attempt);
    } catch (e) {
      // The attempt could not even be recorded (database down): try again later.
      this.logger.warn(`alert delivery ${id}: ${(e as Error).message}`);
      retryInMs = backoffDelay(backoffMs, maxAttempts);
    }
    this.active.delete(id);
    if (retryInMs !== null) this.schedule(id, retryInMs);
  }
}
