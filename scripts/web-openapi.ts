import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createApp } from '../src/app.factory';

/**
 * Refreshes `web/openapi.json` (the snapshot the dashboard's typed client is generated from):
 * boots the app on an ephemeral port with a throw-away embedded database and fetches /docs-json.
 */
async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lrp-openapi-'));
  const app = await createApp({
    ...process.env,
    PORT: '0',
    DATA_DIR: dataDir,
    DATABASE_URL: undefined,
    REDIS_URL: undefined,
    LOG_LEVEL: 'silent',
    SWAGGER_ENABLED: 'true',
    DEMO: 'false',
  });
  try {
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/docs-json`);
    if (!res.ok) throw new Error(`/docs-json answered ${res.status}`);
    const doc = (await res.json()) as Record<string, unknown>;
    // The version changes with every release; keep the snapshot stable.
    (doc.info as Record<string, unknown>).version = '0';
    const out = resolve(__dirname, '../web/openapi.json');
    writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
    console.warn(`wrote ${out}`);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
