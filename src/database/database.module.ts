import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { DatabaseService } from './database.service';
import { dataSourceOptions } from './data-source-options';

@Global()
@Module({
  providers: [DatabaseService],
  exports: [DatabaseService],
})
class DatabaseCoreModule {}

/**
 * TypeORM on PostgreSQL (`pg`). Migrations from `migrations/` run at start unless
 * DB_MIGRATIONS_RUN=false; `synchronize` is never on.
 */
@Module({
  imports: [
    DatabaseCoreModule,
    TypeOrmModule.forRootAsync({
      imports: [DatabaseCoreModule],
      inject: [AppConfig, DatabaseService],
      useFactory: async (config: AppConfig, db: DatabaseService) => ({
        ...dataSourceOptions(await db.url(), config),
        // At boot, a real server that is not there yet gets a few tries; the embedded one is local.
        retryAttempts: db.mode === 'postgres' ? 5 : 0,
        retryDelay: 2000,
      }),
    }),
  ],
  exports: [DatabaseCoreModule],
})
export class DatabaseModule {}
