import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { RoutingService } from '../src/routing/routing.service';
import { GatewayFixture } from './helpers/gateway-fixture';
import { MockUpstream, startMockUpstream } from './helpers/mock-upstreams';

const errorOf = async (res: Response) => ((await res.json()) as { error: Record<string, unknown> }).error;

/** The OpenAI front door against OpenAI-shaped upstreams and the built-in mock provider. */
describe('gateway: OpenAI front door (e2e)', () => {
  const g = new GatewayFixture();
  let a: MockUpstream;
  let b: MockUpstream;
  let key: string;
  let client: OpenAI;
  let requestsMade = 0;

  beforeAll(async () => {
    await g.start();
    a = await startMockUpstream('openai');
    b = await startMockUpstream('openai');
    const pa = await g.provider({
      name: 'up-a',
      type: 'openai-compatible',
      baseUrl: a.url,
      credentials: [{ key: 'sk-upstream-a-000001' }],
      timeoutMs: 1500,
    });
    const pb = await g.provider({
      name: 'up-b',
      type: 'openai-compatible',
      baseUrl: b.url,
      credentials: [{ key: 'sk-upstream-b-000002' }],
      timeoutMs: 1500,
    });
    const mock = await g.provider({ name: 'mock', type: 'mock' });
    await g.model({
      name: 'chat-a',
      strategy: 'priority',
      routes: [{ providerId: pa, upstreamModel: 'gpt-upstream-a' }],
    });
    await g.model({
      name: 'failover',
      strategy: 'priority',
      maxAttempts: 3,
      routes: [
        { providerId: pa, upstreamModel: 'first', priority: 10 },
        { providerId: pb, upstreamModel: 'second', priority: 5 },
      ],
    });
    await g.model({
      name: 'embed',
      type: 'embedding',
      routes: [{ providerId: pa, upstreamModel: 'text-embedding-3-small' }],
    });
    await g.model({ name: 'mock-chat', routes: [{ providerId: mock, upstreamModel: 'mock-1' }] });
    await g.model({
      name: 'no-tools',
      routes: [{ providerId: pa, upstreamModel: 'x', supportsTools: false }],
    });
    key = await g.key();
    client = g.client(key);
  });
  beforeEach(() => {
    a.reset();
    b.reset();
    g.t.app.get(RoutingService).clearCooldowns();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await g.close();
  });

  it('lists only the models the key may use', async () => {
    const all = await client.models.list(); // listing models is not logged
    expect(all.data.map((m) => m.id).sort()).toEqual([
      'chat-a',
      'embed',
      'failover',
      'mock-chat',
      'no-tools',
    ]);
    const limited = g.client(await g.key({ name: 'limited', allowedModels: ['chat-a'] }));
    expect((await limited.models.list()).data.map((m) => m.id)).toEqual(['chat-a']);
    const denied = await limited.chat.completions
      .create({ model: 'mock-chat', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    requestsMade++;
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(denied.error).toMatchObject({ code: 'model_not_allowed', type: 'permission_error' });
  });

  it('non-stream: passes the body through with only the model rewritten, answers with the public name', async () => {
    const res = await client.chat.completions.create({
      model: 'chat-a',
      messages: [{ role: 'user', content: 'hello there' }],
      temperature: 0.3,
      user: 'u-1',
    });
    requestsMade++;
    expect(res.choices[0].message.content).toBe('echo: hello there');
    expect(res.model).toBe('chat-a');
    expect(res.usage?.prompt_tokens).toBeGreaterThan(0);
    const sent = a.requests[0];
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-upstream-a-000001');
    expect(sent.body).toEqual({
      model: 'gpt-upstream-a',
      messages: [{ role: 'user', content: 'hello there' }],
      temperature: 0.3,
      user: 'u-1',
    });
  });

  it("sends the client's own JSON text upstream, only the model spliced (and a stream's usage option)", async () => {
    const post = async (text: string) => {
      const res = await fetch(`${g.baseURL}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: text,
      });
      requestsMade++;
      expect(res.status).toBe(200);
      await res.text();
      return a.requests[a.requests.length - 1];
    };
    // Pretty-printed, non-ASCII, a key order of its own, a "model" inside a string: byte for byte.
    const pretty =
      '{\n  "messages": [ {"role": "user", "content": "héllo \\"model\\": \\"chat-a\\" ✓"} ],\n' +
      '  "model": "chat-a",\n  "temperature": 0.5\n}';
    expect((await post(pretty)).rawBody).toBe(
      pretty.replace('"model": "chat-a"', '"model": "gpt-upstream-a"'),
    );

    // A stream that did not ask for usage: the option goes in front, the rest as sent.
    const stream = '{"model":"chat-a","stream":true,"messages":[{"role":"user","content":"s"}]}';
    expect((await post(stream)).rawBody).toBe(
      '{"stream_options":{"include_usage":true},"model":"gpt-upstream-a","stream":true,"messages":[{"role":"user","content":"s"}]}',
    );

    // A second (or escaped) model key never reaches the upstream: the checked object is serialised.
    for (const smuggled of ['"model":"other-model",', '"mod\\u0065l":"other-model",']) {
      const sent = await post(`{${smuggled}"model":"chat-a","messages":[{"role":"user","content":"x"}]}`);
      expect(sent.rawBody).not.toContain('other-model');
      expect(sent.body).toEqual({ model: 'gpt-upstream-a', messages: [{ role: 'user', content: 'x' }] });
    }

    // Where splicing cannot do it, the body is serialised from the parsed object, with the same content.
    const spaced =
      '{"model" : "chat-a", "messages":[{"role":"user","content":"x"}], "stream": true, "stream_options": {}}';
    expect((await post(spaced)).body).toEqual({
      model: 'gpt-upstream-a',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('stream: relays the SSE stream, hides the usage chunk it asked for unless the client asked too', async () => {
    const stream = await client.chat.completions.create({
      model: 'chat-a',
      messages: [{ role: 'user', content: 'stream me' }],
      stream: true,
    });
    requestsMade++;
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      expect(chunk.usage ?? null).toBeNull();
      expect(chunk.model).toBe('chat-a');
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('echo: stream me');
    expect(chunks).toBeGreaterThan(3);
    expect((a.requests[0].body as { stream_options?: unknown }).stream_options).toEqual({
      include_usage: true,
    });

    const withUsage = await client.chat.completions.create({
      model: 'chat-a',
      messages: [{ role: 'user', content: 'count me' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    requestsMade++;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of withUsage) if (chunk.usage) usage = chunk.usage;
    expect(usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('fails over on 429 / 500 / reset / timeout before the first byte, and logs every attempt', async () => {
    for (const behaviour of [
      { kind: 'status', status: 429, retryAfter: 1 },
      { kind: 'status', status: 500 },
      { kind: 'reset' },
      { kind: 'hang' },
    ] as const) {
      a.script(behaviour);
      const res = await client.chat.completions.create({
        model: 'failover',
        messages: [{ role: 'user', content: `after ${behaviour.kind}` }],
      });
      requestsMade++;
      expect(res.choices[0].message.content).toBe(`echo: after ${behaviour.kind}`);
      expect(b.requests.at(-1)!.body).toMatchObject({ model: 'second' });
      // The failed route is cooling down now; close the breaker for the next round.
      g.t.app.get(RoutingService).clearCooldowns();
    }
    const rows = (await g.logs()).filter((r) => r.model === 'failover');
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row.status).toBe(200);
      expect(row.providerName).toBe('up-b');
      expect(row.attempts.map((x) => x.provider)).toEqual(['up-a', 'up-b']);
    }
    expect(rows.map((r) => r.attempts[0].status)).toEqual([429, 500, null, null]);
    expect(rows[3].attempts[0].error).toMatch(/TIMEOUT/i);
  });

  it('does not fail over after the first byte: the stream ends with an error event', async () => {
    a.script({ kind: 'cut_stream', afterChunks: 2 });
    const stream = await client.chat.completions.create({
      model: 'failover',
      messages: [{ role: 'user', content: 'cut me please' }],
      stream: true,
    });
    requestsMade++;
    let text = '';
    const err = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    })().catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(text.length).toBeGreaterThan(0);
    expect(b.requests).toHaveLength(0);
    const row = (await g.logs()).at(-1)!;
    expect(row).toMatchObject({ status: 502, stream: true, providerName: 'up-a' });
  });

  it('answers 429 with Retry-After when every candidate is rate limited', async () => {
    a.script({ kind: 'status', status: 429, retryAfter: 7 });
    const res = await fetch(`${g.baseURL}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'chat-a', messages: [{ role: 'user', content: 'x' }] }),
    });
    requestsMade++;
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit_exceeded' });
    expect(JSON.stringify(body)).not.toContain('sk-upstream');
  });

  it('embeddings and legacy completions pass through', async () => {
    const emb = await client.embeddings.create({ model: 'embed', input: ['a', 'b'] });
    requestsMade++;
    expect(emb.data).toHaveLength(2);
    expect(emb.data[0].embedding.length).toBeGreaterThan(0);
    expect(a.requests[0].body).toMatchObject({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    const comp = await client.completions.create({ model: 'chat-a', prompt: 'say hi' });
    requestsMade++;
    expect(comp.choices[0].text).toContain('say hi');
  });

  it('the mock provider answers deterministically, with tool calls when asked', async () => {
    const res = await client.chat.completions.create({
      model: 'mock-chat',
      messages: [{ role: 'user', content: 'ping' }],
    });
    requestsMade++;
    expect(res.choices[0].message.content).toBe('echo: ping');
    expect(res.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
    });
    const tool = await client.chat.completions.create({
      model: 'mock-chat',
      messages: [{ role: 'user', content: 'what is the weather? call get_weather' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            parameters: { type: 'object', properties: { city: { type: 'string' } } },
          },
        },
      ],
    });
    requestsMade++;
    expect(tool.choices[0].finish_reason).toBe('tool_calls');
    expect(tool.choices[0].message.tool_calls?.[0]).toMatchObject({
      function: { name: 'get_weather', arguments: '{"city":"mock"}' },
    });
  });

  it('answers bad requests with clear OpenAI-shaped 4xx errors', async () => {
    const post = (body: string, headers: Record<string, string> = { authorization: `Bearer ${key}` }) => {
      requestsMade++;
      return fetch(`${g.baseURL}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    };
    const noKey = await post('{}', {});
    expect(noKey.status).toBe(401);
    expect((await errorOf(noKey)).code).toBe('invalid_api_key');
    const badJson = await post('{"model": ');
    expect(badJson.status).toBe(400);
    expect((await errorOf(badJson)).code).toBe('invalid_json');
    const noMessages = await post(JSON.stringify({ model: 'chat-a' }));
    expect(noMessages.status).toBe(400);
    expect(await errorOf(noMessages)).toMatchObject({
      param: 'messages',
      type: 'invalid_request_error',
    });
    const unknown = await post(JSON.stringify({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }));
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe('model_not_found');
    const wrongType = await post(
      JSON.stringify({ model: 'embed', messages: [{ role: 'user', content: 'x' }] }),
    );
    expect(wrongType.status).toBe(400);
    const noTools = await post(
      JSON.stringify({
        model: 'no-tools',
        messages: [{ role: 'user', content: 'x' }],
        tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
      }),
    );
    expect(noTools.status).toBe(400);
    expect((await errorOf(noTools)).code).toBe('unsupported_capability');
    const huge = await post(
      JSON.stringify({
        model: 'chat-a',
        messages: [{ role: 'user', content: 'x'.repeat(21 * 1024 * 1024) }],
      }),
    );
    expect(huge.status).toBe(413);
  });

  it('exposes Prometheus metrics for the traffic so far', async () => {
    const res = await g.t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/text\/plain/);
    expect(res.text).toMatch(
      /gateway_requests_total\{front="openai",endpoint="chat",model="chat-a",provider="up-a",status="200"\} \d+/,
    );
    expect(res.text).toMatch(/gateway_failovers_total\{model="failover"\} [1-9]/);
    expect(res.text).toMatch(/gateway_time_to_first_token_seconds_bucket/);
    expect(res.text).toMatch(/gateway_overhead_seconds_bucket\{le="0.0005"\} \d+/);
    expect(res.text).toMatch(/gateway_tokens_total\{model="chat-a",provider="up-a",kind="input"\} [1-9]/);
    expect(res.text).toContain('process_resident_memory_bytes');
    expect(res.text).toMatch(/gateway_writer_buffer_rows\{table="request_logs"\} \d+/);
    expect(res.text).toMatch(/gateway_writer_dropped_rows\{table="request_logs"\} 0/);
    expect(res.text).toMatch(/gateway_breaker_open_targets \d+/);
    expect(res.text).toMatch(/gateway_cooling_targets \d+/);
    expect(res.text).toMatch(/gateway_alert_deliveries_pending 0/);
    expect(res.text).toMatch(/gateway_db_pool_connections\{state="total"\} [1-9]/);
  });

  it("reports the gateway's own time per request, without the time spent waiting on the upstream", async () => {
    const overhead = async () => {
      const text = (await g.t.http.get('/metrics').expect(200)).text;
      const num = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      return { count: num('gateway_overhead_seconds_count'), sum: num('gateway_overhead_seconds_sum') };
    };
    const before = await overhead();
    const slow = async (stream: boolean) => {
      a.script({ kind: 'slow_headers', delayMs: 400 });
      const t0 = performance.now();
      const res = await fetch(`${g.baseURL}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'chat-a', stream, messages: [{ role: 'user', content: 'hi' }] }),
      });
      await res.text();
      requestsMade++;
      expect(res.status).toBe(200);
      return performance.now() - t0;
    };
    const took = (await slow(false)) + (await slow(true));
    expect(took).toBeGreaterThanOrEqual(800);
    const after = await overhead();
    expect(after.count - before.count).toBe(2);
    // Two requests that each waited 400 ms on the upstream: what the gateway itself added is far less.
    expect(after.sum - before.sum).toBeGreaterThan(0);
    expect(after.sum - before.sum).toBeLessThan(0.3);
  });

  it('decodes an upstream stream with a BOM and characters split across TCP chunks', async () => {
    // A raw upstream: the stream starts with a BOM, and 'é' and '🙂' are cut in the middle of their
    // UTF-8 bytes between two writes.
    const frames = [
      { choices: [{ index: 0, delta: { role: 'assistant', content: 'café ' }, finish_reason: null }] },
      { choices: [{ index: 0, delta: { content: '🙂 ok' }, finish_reason: null }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      { choices: [], usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 } },
    ].map(
      (f) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', model: 'up', ...f })}\n\n`,
    );
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(frames.join('') + 'data: [DONE]\n\n'),
    ]);
    const cuts = [bytes.indexOf(Buffer.from('é')) + 1, bytes.indexOf(Buffer.from('🙂')) + 2];
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let at = 0;
      const next = () => {
        const end = cuts.shift() ?? bytes.length;
        res.write(bytes.subarray(at, end));
        at = end;
        if (at < bytes.length) setTimeout(next, 20);
        else res.end();
      };
      next();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const pid = await g.provider({
        name: 'raw-sse',
        type: 'openai-compatible',
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
        credentials: [{ key: 'sk-raw-000000000001' }],
      });
      await g.model({ name: 'raw-sse', routes: [{ providerId: pid, upstreamModel: 'up' }] });
      const stream = await client.chat.completions.create({
        model: 'raw-sse',
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      });
      requestsMade++;
      let text = '';
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
      expect(text).toBe('café 🙂 ok');
      const row = (await g.logs()).find((r) => r.model === 'raw-sse');
      expect(row).toMatchObject({ status: 200, inputTokens: 4, outputTokens: 3, usageEstimated: false });
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('writes exactly one log row per request', async () => {
    const rows = await g.logs();
    expect(rows).toHaveLength(requestsMade);
    expect(new Set(rows.map((r) => r.requestId)).size).toBe(rows.length);
  });
});
