import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDataDirLock, DataDirLockedError } from './embedded-postgres';

describe('acquireDataDirLock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lrp-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes and releases the lock', () => {
    const release = acquireDataDirLock(dir);
    expect(existsSync(join(dir, 'pglite.lock'))).toBe(true);
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    release();
    expect(existsSync(join(dir, 'pglite.lock'))).toBe(false);
    acquireDataDirLock(dir)();
  });

  it('refuses while another live process holds it, with a clear message', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 10000)']);
    try {
      writeFileSync(join(dir, 'pglite.lock'), String(other.pid));
      expect(() => acquireDataDirLock(dir)).toThrow(
        new RegExp(`in use by another process \\(pid ${other.pid}\\)`),
      );
    } finally {
      other.kill();
    }
  });

  it('takes over a lock left by a dead process', async () => {
    const dead = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => dead.on('exit', r));
    writeFileSync(join(dir, 'pglite.lock'), String(dead.pid));
    const release = acquireDataDirLock(dir);
    release();
  });
});
