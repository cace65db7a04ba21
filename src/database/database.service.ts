import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { EmbeddedPostgres } from './embedded-postgres';

/** Where the database is: a configured PostgreSQL server, or the embedded one this process runs. */
@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger('Database');
  private embedded?: EmbeddedPostgres;
  private resolvedUrl?: string;

  constructor(
    private readonly config: AppConfig,
    private readonly moduleRef: ModuleRef,
  ) {}

  get mode(): 'embedded' | 'postgres' {
    return this.config.databaseUrl ? 'postgres' : 'embedded';
  }

  /** Starts the embedded server when DATABASE_URL is unset; returns the URL to connect to. */
  async url(): Promise<string> {
    if (this.resolvedUrl) return this.resolvedUrl;
    if (this.config.databaseUrl) {
      this.logger.log(`Using PostgreSQL at ${redactUrl(this.config.databaseUrl)}`);
      this.resolvedUrl = this.config.databaseUrl;
    } else {
      // More sockets than the pool so that reconnects after a drop are never refused.
      this.embedded = new EmbeddedPostgres(this.config.dataDir, this.config.dbPoolSize + 10);
      this.resolvedUrl = await this.embedded.start();
      this.logger.log(`Using embedded PostgreSQL (PGlite) in ${this.embedded.dataDir}/pgdata`);
    }
    return this.resolvedUrl;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    // Close the pool before the server under it goes away.
    const ds = this.moduleRef.get(DataSource, { strict: false });
    if (ds?.isInitialized) await ds.destroy();
    await this.embedded.stop();
    this.embedded = undefined;
  }
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable url)';
  }
}
