import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { AlertDelivery } from '../alert.entity';
import { DELIVERY_QUEUE, DeliveryQueue } from './delivery-queue';

const SWEEP_EVERY_MS = 5 * 60_000;

/**
 * Keeps pending deliveries moving. At start it resumes every pending delivery (the previous process
 * stopped mid-retry, or Redis was down when an alert fired); then every 5 minutes it resumes those
 * that have not been touched for longer than their whole retry schedule plus 5 minutes. The queue
 * leaves alone deliveries that still have a live job.
 */
@Injectable()
export class DeliverySweeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AlertQueue');
  private timer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    @Inject(DELIVERY_QUEUE) private readonly queue: DeliveryQueue,
    @InjectRepository(AlertDelivery) private readonly deliveries: Repository<AlertDelivery>,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep(0);
    const { maxAttempts, backoffMs } = this.config.alerts;
    const schedule = backoffMs * (2 ** Math.max(0, maxAttempts - 1) - 1);
    const staleMs = Math.min(schedule, 24 * 3600_000) + SWEEP_EVERY_MS;
    this.timer = setInterval(() => void this.sweep(staleMs), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  beforeApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Resumes pending deliveries last updated more than `staleMs` ago (0: all of them). */
  async sweep(staleMs: number): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      const where = staleMs
        ? { status: 'pending' as const, updatedAt: LessThan(new Date(Date.now() - staleMs)) }
        : { status: 'pending' as const };
      const pending = await this.deliveries.find({ where, select: { id: true }, take: 1000 });
      if (pending.length) {
        this.logger.log(`resuming ${pending.length} pending alert deliveries`);
        await this.queue.resume(pending.map((d) => d.id));
      }
      return pending.length;
    } catch (e) {
      this.logger.warn(`could not resume pending alert deliveries: ${(e as Error).message}`);
      return 0;
    } finally {
      this.sweeping = false;
    }
  }
}
