import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { GatewayFixture } from './helpers/gateway-fixture';

/**
 * Calls to one upstream origin are not capped by default: an LLM answer holds its connection for
 * seconds, and every key of a provider shares the origin, so a per-origin cap is a cap on concurrent
 * calls (a fixed 256 queued the 257th call behind a whole answer). UPSTREAM_MAX_CONNECTIONS sets one.
 *
 * The upstream here holds every call until the test releases them, and counts how many it holds.
 */
describe('upstream connections (e2e)', () => {
  let upstream: Server;
  let held: ServerResponse[] = [];
  let maxHeld = 0;
  const answer = JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion',
    created: 1,
    model: 'm',
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  });
  const release = () => {
    for (const res of held) res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    held = [];
  };
  const until = async (ok: () => boolean, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  };

  beforeAll(async () => {
    upstream = createServer((req: IncomingMessage, res: ServerResponse) => {
      req.resume();
      req.on('end', () => {
        held.push(res);
        maxHeld = Math.max(maxHeld, held.length);
      });
    });
    upstream.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    release();
    upstream.closeAllConnections();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  /** A gateway in front of the holding upstream, and `n` chat calls sent to it at once. */
  async function gatewayWith(env: Record<string, string>) {
    const g = new GatewayFixture();
    await g.start(env);
    const providerId = await g.provider({
      name: 'held',
      type: 'openai-compatible',
      baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`,
      credentials: [{ key: 'sk-upstream-0001' }],
    });
    await g.model({ name: 'm', routes: [{ providerId, upstreamModel: 'm' }] });
    const key = await g.key({ name: 'many' });
    const send = (n: number) => {
      const pool = new Pool(g.baseURL, { connections: n });
      const all = Promise.all(
        Array.from({ length: n }, () =>
          pool
            .request({
              method: 'POST',
              path: '/v1/chat/completions',
              headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
              body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
            })
            .then(async (r) => {
              await r.body.dump();
              return r.statusCode;
            }),
        ),
      ).finally(() => pool.close());
      return all;
    };
    return { g, send };
  }

  it('holds 300 calls to one upstream at once by default (no per-origin cap)', async () => {
    const { g, send } = await gatewayWith({});
    try {
      maxHeld = 0;
      const statuses = send(300);
      await until(() => held.length >= 300);
      expect(held.length).toBe(300);
      const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
      const metrics = (await g.t.http.get('/metrics')).text;
      expect(metrics).toContain(
        `gateway_upstream_connections{origin="${origin}",proxy="",state="running"} 300`,
      );
      expect(metrics).toContain(`gateway_upstream_connections{origin="${origin}",proxy="",state="queued"} 0`);
      release();
      expect(await statuses).toEqual(Array(300).fill(200));
      expect(maxHeld).toBe(300);
      const logs = await g.logs();
      expect(logs.filter((l) => l.status === 200)).toHaveLength(300);
    } finally {
      await g.close();
    }
  }, 60_000);

  it('with UPSTREAM_MAX_CONNECTIONS=2, the third call waits for a connection, then is answered', async () => {
    const { g, send } = await gatewayWith({ UPSTREAM_MAX_CONNECTIONS: '2' });
    try {
      maxHeld = 0;
      const statuses = send(3);
      await until(() => held.length >= 2);
      await new Promise((r) => setTimeout(r, 300));
      expect(held.length).toBe(2); // the third is queued in the gateway, not at the upstream
      const origin = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
      const metrics = (await g.t.http.get('/metrics')).text;
      expect(metrics).toContain(
        `gateway_upstream_connections{origin="${origin}",proxy="",state="connected"} 2`,
      );
      expect(metrics).toContain(`gateway_upstream_connections{origin="${origin}",proxy="",state="queued"} 1`);
      release();
      await until(() => held.length >= 1);
      expect(held.length).toBe(1);
      release();
      expect(await statuses).toEqual([200, 200, 200]);
      expect(maxHeld).toBe(2);
    } finally {
      await g.close();
    }
  }, 60_000);
});
