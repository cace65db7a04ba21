import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { ALERT_DELIVERY_QUEUE, DeliveryQueue } from './delivery-queue';
import { DeliveryProcessor } from './delivery.processor';

export interface DeliveryJob {
  deliveryId: string;
}

/** ioredis options for BullMQ from REDIS_URL (BullMQ opens its own connections). */
export function bullConnection(redisUrl: string): RedisOptions {
  const u = new URL(redisUrl);
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname,
    port: u.port ? Number(u.port) : 6379,
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: db ? Number(db) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
  };
}

/** Queues one BullMQ job per delivery (job id = delivery id, so a delivery is never queued twice). */
@Injectable()
export class BullDeliveryQueue implements DeliveryQueue {
  readonly kind = 'bullmq' as const;

  constructor(
    @InjectQueue(ALERT_DELIVERY_QUEUE) private readonly queue: Queue<DeliveryJob>,
    private readonly config: AppConfig,
  ) {}

  async enqueue(deliveryIds: string[]): Promise<void> {
    if (!deliveryIds.length) return;
    const { maxAttempts, backoffMs } = this.config.alerts;
    await this.queue.addBulk(
      deliveryIds.map((id) => ({
        name: 'deliver',
        data: { deliveryId: id },
        opts: {
          jobId: id,
          attempts: maxAttempts,
          backoff: { type: 'exponential', delay: backoffMs },
          removeOnComplete: { age: 24 * 3600, count: 1000 },
          removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
        },
      })),
    );
  }

  /** Adds jobs for pending deliveries without one; a finished job of a still-pending delivery is replaced. */
  async resume(deliveryIds: string[]): Promise<void> {
    const missing: string[] = [];
    for (const id of deliveryIds) {
      const job = await this.queue.getJob(id);
      if (!job) {
        missing.push(id);
        continue;
      }
      const state = await job.getState();
      if (state === 'failed' || state === 'completed') {
        await job.remove();
        missing.push(id);
      }
    }
    await this.enqueue(missing);
  }
}

/**
 * The BullMQ worker: runs one attempt per job run. A failed attempt throws so BullMQ retries it with
 * exponential backoff; after the last one the job lands in BullMQ's failed set (the dead letter) and
 * the delivery row is `failed`.
 */
@Processor(ALERT_DELIVERY_QUEUE, { concurrency: 4 })
export class BullDeliveryWorker extends WorkerHost implements BeforeApplicationShutdown {
  constructor(
    private readonly processor: DeliveryProcessor,
    private readonly config: AppConfig,
  ) {
    super();
  }

  /** Delivery attempts running right now. */
  private active = 0;

  async process(job: Job<DeliveryJob>): Promise<string> {
    this.active++;
    try {
      const r = await this.processor.attempt(job.data.deliveryId, this.config.alerts.maxAttempts);
      if (r.outcome === 'retry') throw new Error(r.error ?? 'delivery failed');
      if (r.outcome === 'failed') throw new UnrecoverableError(r.error ?? 'delivery failed');
      return r.outcome;
    } finally {
      this.active--;
    }
  }

  /**
   * Let running attempts finish (up to 5 s), then close the worker without waiting on BullMQ's own
   * bookkeeping: a blocking Redis call issued before a Redis outage can leave a graceful close()
   * waiting forever, which would stall the whole shutdown (and the log flush after it). Jobs not
   * finished are picked up again (stalled-job recovery, and the delivery sweeper).
   */
  async beforeApplicationShutdown(): Promise<void> {
    let worker: Worker | undefined;
    try {
      worker = this.worker;
    } catch {
      return; // never started (the app failed during init)
    }
    for (let waited = 0; this.active > 0 && waited < 5000; waited += 50)
      await new Promise((r) => setTimeout(r, 50));
    await Promise.race([worker.close(true), new Promise((r) => setTimeout(r, 3000))]);
  }
}
