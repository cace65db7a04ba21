import { DataSourceOptions } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { migrations } from '../../migrations';
import { SnakeNamingStrategy } from './snake-naming.strategy';
import { entities } from './entities';
import { TypeOrmNestLogger } from './typeorm-logger';

export function dataSourceOptions(url: string, config: AppConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+ and PGlite; uuid-ossp is not available in PGlite.
    uuidExtension: 'pgcrypto',
    installExtensions: false,
    entities,
    namingStrategy: new SnakeNamingStrategy(),
    migrations,
    migrationsRun: config.migrationsRun,
    migrationsTransactionMode: 'each',
    // Embedded: one connection. pglite-socket queues protocol messages one by one, so the Parse/Bind/
    // Execute of parameterised queries on two connections can interleave ("portal does not exist");
    // PGlite runs one query at a time anyway.
    poolSize: config.databaseUrl ? config.dbPoolSize : 1,
    logging: ['error', 'warn', 'migration'],
    logger: new TypeOrmNestLogger(),
    maxQueryExecutionTime: 1000,
    extra: {
      // Fail fast instead of hanging when the server is gone; the pool reconnects when it returns.
      connectionTimeoutMillis: 5000,
      idleTimeoutMillis: 30000,
      // A server that stops closes its connections: the pool drops them and reconnects when it is
      // back (test/db-outage.e2e-spec.ts). TCP keepalive covers a server that vanishes without closing
      // them (host or network failure): the kernel's probes end such an idle connection eventually
      // (after its probe count and interval), and it leaves the pool with an error.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10000,
      application_name: 'llm-router-platform',
    },
  };
}
