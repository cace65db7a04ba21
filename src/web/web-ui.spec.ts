import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { isReserved, WebUi } from './web-ui';

interface Captured {
  status?: number;
  headers?: Record<string, unknown>;
  body: Promise<string>;
}

function call(ui: WebUi, method: string, url: string): { handled: boolean; res: Captured } {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const res: Captured = {
    body: new Promise((r) => sink.on('finish', () => r(Buffer.concat(chunks).toString()))),
  };
  const fake = Object.assign(sink, {
    writeHead(status: number, headers: Record<string, unknown>) {
      res.status = status;
      res.headers = headers;
      return fake;
    },
  }) as unknown as ServerResponse;
  const handled = ui.handle(
    { method, url, originalUrl: url } as IncomingMessage & { originalUrl: string },
    fake,
  );
  return { handled, res };
}

describe('WebUi', () => {
  let dir: string;
  let ui: WebUi;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lrp-webui-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<html>app</html>');
    writeFileSync(join(dir, 'assets', 'a-1.css'), 'body{}');
    ui = new WebUi(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reserves the API, gateway, docs and probe prefixes, and nothing that merely starts alike', () => {
    for (const p of [
      '/api',
      '/api/logs',
      '/v1/chat/completions',
      '/docs',
      '/docs-json',
      '/health',
      '/health/ready',
      '/metrics',
      '/gemini/v1beta/models',
      '/anthropic/v1/models',
      '/openai/v1/models',
    ]) {
      expect(isReserved(p)).toBe(true);
    }
    for (const p of ['/', '/apis', '/providers', '/logs', '/v1x', '/healthy-page', '/documents']) {
      expect(isReserved(p)).toBe(false);
    }
  });

  it('serves files, falls back to index.html for page paths, and passes everything else on', async () => {
    const css = call(ui, 'GET', '/assets/a-1.css');
    expect(css.handled).toBe(true);
    expect(css.res.headers).toMatchObject({
      'content-type': 'text/css; charset=utf-8',
      'cache-control': expect.stringContaining('immutable'),
    });
    expect(await css.res.body).toBe('body{}');

    const page = call(ui, 'GET', '/models?x=1');
    expect(page.handled).toBe(true);
    expect(page.res.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
    });
    expect(await page.res.body).toBe('<html>app</html>');

    expect(call(ui, 'GET', '/assets/missing.js').handled).toBe(false);
    expect(call(ui, 'POST', '/models').handled).toBe(false);
    expect(call(ui, 'GET', '/api/models').handled).toBe(false);
    expect(call(ui, 'GET', '/%E0%A4%A').handled).toBe(false); // malformed escape
    // Only files listed at start-up are served: a traversal attempt gets the app page, never the file.
    const escape = call(ui, 'GET', '/..%2f..%2fetc%2fpasswd');
    expect(await escape.res.body).toBe('<html>app</html>');
    expect(call(ui, 'GET', '/..%2f..%2fetc%2fhosts.txt').handled).toBe(false);
  });

  it('HEAD answers headers only', async () => {
    const head = call(ui, 'HEAD', '/');
    expect(head.handled).toBe(true);
    expect(head.res.headers?.['content-length']).toBe(Buffer.byteLength('<html>app</html>'));
    expect(await head.res.body).toBe('');
  });

  it('without a build, only / answers (with how to build it)', async () => {
    const none = new WebUi(join(dir, 'nope'));
    expect(none.built).toBe(false);
    const root = call(none, 'GET', '/');
    expect(root.handled).toBe(true);
    expect(await root.res.body).toContain('npm --prefix web');
    expect(call(none, 'GET', '/providers').handled).toBe(false);
  });
});
