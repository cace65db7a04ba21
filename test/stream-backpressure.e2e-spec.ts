import { once } from 'node:events';
import { createServer, request, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayFixture } from './helpers/gateway-fixture';

/**
 * Streams are relayed with backpressure: while the client does not read, the gateway stops reading
 * the upstream (which then cannot write), instead of buffering the answer in memory; when the client
 * reads again, the whole answer arrives.
 */
describe('stream relay backpressure (e2e)', () => {
  const g = new GatewayFixture();
  const EVENTS = 80_000;
  const chunk = (i: number) =>
    `data: ${JSON.stringify({
      id: 'c',
      object: 'chat.completion.chunk',
      created: 1,
      model: 'big',
      choices: [{ index: 0, delta: { content: `${i} ${'x'.repeat(480)}` }, finish_reason: null }],
    })}\n\n`;
  let upstream: Server;
  const sent = { bytes: 0, total: 0, done: false };

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', async () => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let i = 0; i < EVENTS; i++) {
          const c = chunk(i);
          sent.bytes += c.length;
          if (!res.write(c)) await once(res, 'drain');
        }
        res.write(
          `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'big', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`,
        );
        res.end('data: [DONE]\n\n');
        sent.done = true;
      });
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    for (let i = 0; i < EVENTS; i++) sent.total += chunk(i).length;
    await g.start();
    const providerId = await g.provider({
      name: 'big',
      type: 'openai-compatible',
      baseUrl: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1`,
      credentials: [{ key: 'sk-upstream-0001' }],
    });
    await g.model({ name: 'big', routes: [{ providerId, upstreamModel: 'big' }] });
  });
  afterAll(async () => {
    await g.close();
    upstream.closeAllConnections();
    await new Promise<void>((r) => upstream.close(() => r()));
  });

  it('stops reading the upstream while the client does not read, and delivers everything once it does', async () => {
    const key = await g.key({ name: 'slow-reader' });
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
      const req = request(`${g.baseURL}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      });
      req.on('response', resolve).on('error', reject);
      req.end(JSON.stringify({ model: 'big', stream: true, messages: [{ role: 'user', content: 'hi' }] }));
    });
    expect(res.statusCode).toBe(200);
    res.pause();
    // Let the socket buffers on the way fill up; then nothing may move while the client waits.
    await new Promise((r) => setTimeout(r, 1500));
    const stalled = sent.bytes;
    await new Promise((r) => setTimeout(r, 500));
    expect(sent.bytes).toBe(stalled);
    expect(sent.done).toBe(false);
    expect(stalled).toBeLessThan(sent.total / 2);

    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => (text += c));
    res.resume();
    await once(res, 'end');
    expect(sent.done).toBe(true);
    expect(text.split('\n\n').filter((f) => f.startsWith('data: {')).length).toBe(EVENTS + 1);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const logs = await g.logs();
    expect(logs.find((l) => l.model === 'big')).toMatchObject({ status: 200, stream: true });
    console.log(
      `backpressure: the upstream had written ${(stalled / 1e6).toFixed(1)} of ${(sent.total / 1e6).toFixed(1)} MB when the client stopped reading`,
    );
  });
});
