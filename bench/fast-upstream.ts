/**
 * (a) The fastest possible "LLM upstream": a bare node:http server answering every request with one
 * fixed, small chat.completion JSON (GET /v1/models with a model list), no latency.
 *
 * Used in-process via `startFastUpstream()`, or as its own process: `fork('bench/fast-upstream.ts')`
 * sends `{ port }` over IPC once listening and answers `'count'` with `{ count }` (requests served).
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';

const COMPLETION = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1700000000,
    model: 'gpt-4o-mini',
    system_fingerprint: 'fp_bench',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: 'Hello! How can I help you today?', refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 9, completion_tokens: 9, total_tokens: 18 },
  }),
);
const MODELS = Buffer.from(
  JSON.stringify({
    object: 'list',
    data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'bench' }],
  }),
);

export interface FastUpstream {
  server: Server;
  port: number;
  /** Requests answered so far. */
  count(): number;
  close(): Promise<void>;
}

export async function startFastUpstream(port = 0): Promise<FastUpstream> {
  let served = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      served++;
      const body = req.method === 'GET' && req.url?.startsWith('/v1/models') ? MODELS : COMPLETION;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    count: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (require.main === module) {
  void startFastUpstream(Number(process.env.PORT ?? 0)).then((up) => {
    if (process.send) {
      process.send({ port: up.port });
      process.on('message', (m) => {
        if (m === 'count') process.send?.({ count: up.count() });
      });
      process.on('disconnect', () => process.exit(0));
    } else {
      process.stdout.write(`fast upstream on http://127.0.0.1:${up.port}\n`);
    }
  });
}
