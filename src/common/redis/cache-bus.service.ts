import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { REDIS } from './redis.constants';

type Handler = (payload: string) => void | Promise<void>;

/**
 * Cache invalidation between gateway instances. `publish` runs the local handlers at once and, when
 * Redis is configured, tells the other instances over pub/sub (they run theirs; an instance ignores
 * its own messages). Without Redis it is purely in-process.
 */
@Injectable()
export class CacheBus implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('CacheBus');
  private readonly handlers = new Map<string, Handler[]>();
  private readonly instanceId = randomUUID();
  private sub?: Redis;
  private readonly channel: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis | null,
    config: AppConfig,
  ) {
    this.channel = `${config.redisPrefix}cache-invalidate`;
  }

  async onModuleInit(): Promise<void> {
    if (!this.redis) return;
    this.sub = this.redis.duplicate({ keyPrefix: '' });
    this.sub.on('error', (e: Error) => this.logger.warn(`subscriber: ${e.message}`));
    this.sub.on('message', (_channel: string, raw: string) => {
      try {
        const msg = JSON.parse(raw) as { from: string; topic: string; payload: string };
        if (msg.from !== this.instanceId) this.dispatch(msg.topic, msg.payload);
      } catch {
        this.logger.warn('ignored a malformed invalidation message');
      }
    });
    await this.sub.subscribe(this.channel);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sub) await this.sub.quit().catch(() => this.sub?.disconnect());
  }

  on(topic: string, handler: Handler): void {
    this.handlers.set(topic, [...(this.handlers.get(topic) ?? []), handler]);
  }

  /** Runs the local handlers (awaitable: e.g. the routing table rebuild) and tells other instances. */
  publish(topic: string, payload = ''): Promise<void> {
    const local = this.dispatch(topic, payload);
    if (this.redis) {
      this.redis
        .publish(this.channel, JSON.stringify({ from: this.instanceId, topic, payload }))
        .catch((e: Error) => this.logger.warn(`publish failed: ${e.message}`));
    }
    return local;
  }

  private async dispatch(topic: string, payload: string): Promise<void> {
    const results = (this.handlers.get(topic) ?? []).map((h) => h(payload));
    await Promise.all(
      results.map((r) =>
        Promise.resolve(r).catch((e: Error) => this.logger.warn(`${topic} handler failed: ${e.message}`)),
      ),
    );
  }
}
