import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { REDIS } from '../common/redis/redis.constants';
import { DatabaseService } from '../database/database.service';

export interface DependencyStatus {
  status: 'up' | 'down';
  latencyMs?: number;
  error?: string;
}

export interface Readiness {
  status: 'ok' | 'unavailable';
  database: DependencyStatus & { mode: 'embedded' | 'postgres' };
  redis: DependencyStatus | { status: 'not-configured' };
}

const READY_TIMEOUT_MS = 2000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
    }),
  ]);
}

async function probe(fn: () => Promise<unknown>, what: string): Promise<DependencyStatus> {
  const t0 = performance.now();
  try {
    await withTimeout(fn(), READY_TIMEOUT_MS, what);
    return { status: 'up', latencyMs: Math.round((performance.now() - t0) * 10) / 10 };
  } catch (e) {
    return { status: 'down', error: (e as Error).message };
  }
}

@Injectable()
export class SystemService {
  readonly startedAt = new Date();

  constructor(
    private readonly dataSource: DataSource,
    private readonly db: DatabaseService,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  async readiness(): Promise<Readiness> {
    const [database, redis] = await Promise.all([
      probe(() => this.dataSource.query('SELECT 1'), 'database'),
      this.redis
        ? probe(() => this.redis!.ping(), 'redis')
        : Promise.resolve({ status: 'not-configured' as const }),
    ]);
    const ok = database.status === 'up' && redis.status !== 'down';
    return { status: ok ? 'ok' : 'unavailable', database: { ...database, mode: this.db.mode }, redis };
  }
}
