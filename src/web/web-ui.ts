import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Path prefixes that belong to the API, the gateway, docs and probes: never answered by the dashboard. */
export const RESERVED_PREFIXES = [
  '/api',
  '/v1',
  '/docs',
  '/docs-json',
  '/health',
  '/metrics',
  '/anthropic',
  '/gemini',
  '/openai',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export function isReserved(pathname: string): boolean {
  return RESERVED_PREFIXES.some(
    (p) => pathname === p || pathname.startsWith(p + '/') || pathname.startsWith(p + '?'),
  );
}

/** Default location of the built dashboard: `web/dist` of the checkout (from `src/web` or `dist/src/web`). */
export function defaultWebDist(): string | undefined {
  return [resolve(__dirname, '../../web/dist'), resolve(__dirname, '../../../web/dist')].find((d) =>
    existsSync(join(d, 'index.html')),
  );
}

function listFiles(root: string, dir = root, out = new Set<string>()): Set<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(root, full, out);
    else if (entry.isFile()) out.add('/' + relative(root, full).split(sep).join('/'));
  }
  return out;
}

const NOT_BUILT = `<!doctype html><html><head><meta charset="utf-8"><title>LLM Router Platform</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;color:#1d1d1f">
<h1>The dashboard is not built</h1>
<p>Build it with <code>npm --prefix web ci &amp;&amp; npm --prefix web run build</code> (or start the server with
<code>npm start</code>, which does this when <code>web/dist</code> is missing), then reload.</p>
<p>The admin API is documented at <a href="/docs">/docs</a>.</p></body></html>`;

/**
 * Serves the built single-page dashboard: files of `web/dist` as they are (hashed `/assets/*`
 * cached for a year), `index.html` for any other page path (client-side routing). Only files
 * found in the directory at start-up are served, so no request path can reach outside it.
 */
export class WebUi {
  private readonly files: Set<string>;

  constructor(readonly root: string | undefined) {
    this.files = root && existsSync(join(root, 'index.html')) ? listFiles(root) : new Set();
  }

  get built(): boolean {
    return this.files.has('/index.html');
  }

  /** Answers the request when it is the dashboard's; returns false to pass it on. */
  handle(req: IncomingMessage & { originalUrl?: string }, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let pathname: string;
    try {
      // Express strips a middleware's mount path from req.url; originalUrl is the request's own.
      pathname = decodeURIComponent(new URL(req.originalUrl ?? req.url ?? '/', 'http://x').pathname);
    } catch {
      return false;
    }
    if (isReserved(pathname)) return false;
    if (!this.built) {
      if (pathname !== '/') return false;
      this.send(res, req.method, 200, 'text/html; charset=utf-8', 'no-store', Buffer.from(NOT_BUILT));
      return true;
    }
    if (pathname !== '/' && this.files.has(pathname)) {
      const cache = pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      this.stream(res, req.method, pathname, cache);
      return true;
    }
    // A missing file (it has an extension) is a 404; any other path is a page of the app.
    if (/\.[a-z0-9]+$/i.test(pathname)) return false;
    this.stream(res, req.method, '/index.html', 'no-cache');
    return true;
  }

  private stream(res: ServerResponse, method: string, file: string, cache: string): void {
    const full = join(this.root!, file);
    const type = TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, {
      'content-type': type,
      'content-length': statSync(full).size,
      'cache-control': cache,
      'x-content-type-options': 'nosniff',
    });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(full)
      .on('error', () => res.destroy())
      .pipe(res);
  }

  private send(
    res: ServerResponse,
    method: string,
    status: number,
    type: string,
    cache: string,
    body: Buffer,
  ) {
    res.writeHead(status, { 'content-type': type, 'content-length': body.length, 'cache-control': cache });
    res.end(method === 'HEAD' ? undefined : body);
  }
}
