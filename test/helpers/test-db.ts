import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Real PostgreSQL when DATABASE_URL is set (a fresh database per call), else the configured server is unset. */
export const realDatabaseUrl = process.env.DATABASE_URL || undefined;

/**
 * A fresh, empty database: on the DATABASE_URL server (created, then dropped with FORCE), or an
 * embedded PGlite server in a temp dir when DATABASE_URL is unset.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (realDatabaseUrl) {
    const name = `lrp_e2e_${process.pid}_${randomBytes(4).toString('hex')}`;
    const admin = new Client({ connectionString: realDatabaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const u = new URL(realDatabaseUrl);
    u.pathname = `/${name}`;
    return {
      url: u.toString(),
      drop: async () => {
        const c = new Client({ connectionString: realDatabaseUrl });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = mkdtempSync(join(tmpdir(), 'lrp-db-'));
  const embedded = new EmbeddedPostgres(dir, 20);
  const url = await embedded.start();
  return {
    url,
    drop: async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
