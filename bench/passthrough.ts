/**
 * (b) A bare pass-through proxy: node:http in front, an undici Pool behind, the body forwarded as is
 * and the response relayed (streams as they come, sized bodies in one write). No parsing, no auth, no logging — the physical limit of a Node gateway.
 *
 * In-process via `startPassthrough(upstreamOrigin)`, or as its own process:
 * `fork('bench/passthrough.ts', [upstreamOrigin])` sends `{ port }` over IPC once listening.
 */
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream';
import { Dispatcher, Pool } from 'undici';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'host',
  'upgrade',
  'proxy-connection',
]);

function forwardable(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
  return out;
}

export interface Passthrough {
  server: Server;
  port: number;
  close(): Promise<void>;
}

export async function startPassthrough(upstreamOrigin: string, port = 0): Promise<Passthrough> {
  // No cap on connections to the upstream (as the gateway): a capped pool queues long answers behind each other.
  const pool = new Pool(upstreamOrigin, { keepAliveTimeout: 30_000 });
  const forward = async (req: IncomingMessage, res: ServerResponse, body: Buffer | undefined) => {
    try {
      const up = await pool.request({
        method: req.method as Dispatcher.HttpMethod,
        path: req.url ?? '/',
        headers: forwardable(req.headers),
        body,
      });
      const headers = forwardable(up.headers as IncomingHttpHeaders);
      if (
        up.headers['content-length'] === undefined ||
        String(up.headers['content-type']).includes('event-stream')
      ) {
        // Streams (SSE) are relayed as they come.
        res.writeHead(up.statusCode, headers);
        pipeline(up.body, res, () => undefined);
        return;
      }
      // A sized body is read whole and written in one go: on loopback that is about twice as fast
      // as relaying it chunk by chunk, and this proxy is meant to be the fastest possible.
      const buf = Buffer.from(await up.body.arrayBuffer());
      res.writeHead(up.statusCode, headers);
      res.end(buf);
    } catch (e) {
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: (e as Error).message, type: 'upstream_error' } }));
    }
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => void forward(req, res, chunks.length ? Buffer.concat(chunks) : undefined));
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.close();
    },
  };
}

if (require.main === module) {
  const upstream = process.argv[2] ?? process.env.UPSTREAM;
  if (!upstream) {
    process.stderr.write('usage: passthrough.ts <upstream origin>\n');
    process.exit(2);
  }
  void startPassthrough(upstream, Number(process.env.PORT ?? 0)).then((p) => {
    if (process.send) {
      process.send({ port: p.port });
      process.on('disconnect', () => process.exit(0));
    } else {
      process.stdout.write(`pass-through on http://127.0.0.1:${p.port} → ${upstream}\n`);
    }
  });
}
