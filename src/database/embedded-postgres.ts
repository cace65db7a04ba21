import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export class DataDirLockedError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is in use by another process (pid ${pid}). ` +
        'Stop that process, or set DATA_DIR to another folder, or use DATABASE_URL for a shared PostgreSQL.',
    );
    this.name = 'DataDirLockedError';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `<dataDir>/pglite.lock` for this process. PGlite has no cross-process locking, so a second
 * process on the same data dir would corrupt it; this refuses it instead. A lock left by a dead
 * process is taken over.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = join(dataDir, 'pglite.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockFile, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      if (pid && pid !== process.pid && pidAlive(pid)) throw new DataDirLockedError(dataDir, pid);
      if (pid === process.pid) throw new DataDirLockedError(dataDir, pid);
      rmSync(lockFile, { force: true }); // stale lock from a process that died
    }
  }
  throw new Error(`Could not take the lock ${lockFile}`);
}

/**
 * An embedded PostgreSQL: PGlite (PostgreSQL compiled to WASM, persisted under `<dataDir>/pgdata`)
 * served on a loopback port with the PostgreSQL wire protocol, so the ordinary `pg` driver, TypeORM
 * and the same migrations work unchanged.
 *
 * PGlite runs one transaction at a time: a query on another connection while a transaction is open
 * waits for it. Code inside a transaction must use that transaction's manager.
 */
export class EmbeddedPostgres {
  private db?: PGlite;
  private server?: PGLiteSocketServer;
  private releaseLock?: () => void;
  private port?: number;

  constructor(
    readonly dataDir: string,
    private readonly maxConnections: number,
  ) {}

  get url(): string {
    if (!this.port) throw new Error('embedded PostgreSQL is not started');
    return `postgres://postgres:postgres@127.0.0.1:${this.port}/postgres`;
  }

  async start(): Promise<string> {
    this.releaseLock = acquireDataDirLock(this.dataDir);
    try {
      this.db = await PGlite.create(join(this.dataDir, 'pgdata'));
      this.server = new PGLiteSocketServer({
        db: this.db,
        host: '127.0.0.1',
        port: 0,
        maxConnections: this.maxConnections,
      });
      let port = 0;
      this.server.addEventListener('listening', (e) => {
        port = (e as CustomEvent<{ port: number }>).detail.port;
      });
      await this.server.start();
      this.port = port;
      return this.url;
    } catch (e) {
      await this.stop();
      throw e;
    }
  }

  async stop(): Promise<void> {
    await this.server?.stop().catch(() => undefined);
    this.server = undefined;
    if (this.db && !this.db.closed) await this.db.close().catch(() => undefined);
    this.db = undefined;
    this.releaseLock?.();
    this.releaseLock = undefined;
    this.port = undefined;
  }
}
