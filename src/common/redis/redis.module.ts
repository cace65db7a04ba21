import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../../config/app-config';
import { CacheBus } from './cache-bus.service';
import { REDIS } from './redis.constants';

export { REDIS };

/**
 * The shared ioredis connection when REDIS_URL is set, else `null` (then queues, limits and caches run
 * in-process). Keys are namespaced by REDIS_PREFIX so several deployments (or test runs) can share a
 * server.
 */
@Injectable()
export class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.redis && this.redis.status !== 'end')
      await this.redis.quit().catch(() => this.redis?.disconnect());
  }
}

export function createRedis(url: string, prefix: string, logger = new Logger('Redis')): Redis {
  const redis = new Redis(url, {
    keyPrefix: prefix,
    lazyConnect: false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    retryStrategy: (times) => Math.min(times * 200, 5000),
  });
  let lastError = '';
  redis.on('error', (e: Error) => {
    if (e.message !== lastError) logger.warn(`Redis error: ${e.message}`);
    lastError = e.message;
  });
  redis.on('ready', () => {
    if (lastError) logger.log('Redis connection restored');
    lastError = '';
  });
  return redis;
}

@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [AppConfig],
      useFactory: (config: AppConfig) => {
        if (!config.redisUrl) return null;
        new Logger('Redis').log(`Using Redis at ${config.redisUrl.replace(/\/\/[^@]*@/, '//***@')}`);
        return createRedis(config.redisUrl, config.redisPrefix);
      },
    },
    RedisLifecycle,
    CacheBus,
  ],
  exports: [REDIS, CacheBus],
})
export class RedisModule {}
