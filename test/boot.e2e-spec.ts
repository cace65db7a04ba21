import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Starts the real entry point (src/main.ts through ts-node) and returns how it ended. */
function runMain(env: Record<string, string>) {
  const res = spawnSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(__dirname, '../src/main.ts')],
    {
      env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'silent', ...env },
      encoding: 'utf8',
      timeout: 150_000,
    },
  );
  return { code: res.status, stderr: res.stderr.trim(), stdout: res.stdout.trim() };
}

jest.setTimeout(180_000);

describe('boot with a bad configuration (e2e)', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'lrp-boot-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('a bad DATABASE_URL exits 1 with one readable line, no stack trace', () => {
    const r = runMain({ DATA_DIR: dataDir, DATABASE_URL: 'mysql://root@localhost/app' });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Invalid configuration: DATABASE_URL must look like postgres://user:password@host:5432/database',
    );
  });

  it('several bad values are reported together on one line', () => {
    const r = runMain({ DATA_DIR: dataDir, PORT: 'abc', LOG_LEVEL: 'chatty' });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/PORT must be an integer.*LOG_LEVEL must be one of/);
  });
});

describe('embedded database lock (e2e)', () => {
  it('a second process on the same DATA_DIR is refused with a clear message', async () => {
    const { bootApp } = await import('./helpers/test-app');
    const t = await bootApp({ DATABASE_URL: undefined });
    try {
      const r = runMain({ DATA_DIR: t.env.DATA_DIR! });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^The embedded database in .* is in use by another process \(pid \d+\)\./);
      expect(r.stderr.split('\n')).toHaveLength(1);
    } finally {
      await t.close();
    }
  });
});
