import { createParser, EventSourceMessage } from 'eventsource-parser';
import OpenAI from 'openai';
import { Agent, fetch, request } from 'undici';
import { MockUpstream, mockEmbedding, startMockUpstream, UpstreamProtocol } from './helpers/mock-upstreams';

/* The scriptable fake upstreams themselves, exercised directly over HTTP. */

type Json = Record<string, unknown>;

const agent = new Agent({ keepAliveTimeout: 1000 });
afterAll(() => agent.close());

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return res;
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await post(url, body, headers);
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Json };
}

async function get(url: string) {
  const res = await request(url, { dispatcher: agent });
  return { status: res.statusCode, body: (await res.body.json()) as Json };
}

/** Reads a whole SSE response; `raw` is every byte received, `events` the parsed events. */
async function readSse(body: AsyncIterable<Buffer>): Promise<{ raw: string; events: EventSourceMessage[] }> {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  let raw = '';
  for await (const chunk of body) {
    const text = chunk.toString('utf8');
    raw += text;
    parser.feed(text);
  }
  return { raw, events };
}

/** Like readSse but for a stream that is expected to break: returns what arrived and the error. */
async function readSseUntilError(body: AsyncIterable<Buffer>) {
  const events: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => events.push(e) });
  let error: unknown;
  try {
    for await (const chunk of body) parser.feed(chunk.toString('utf8'));
  } catch (e) {
    error = e;
  }
  return { events, error };
}

/** Event data with the per-answer ids and timestamps blanked, to compare two answers to one request. */
const sameAnswer = (data: string) =>
  data.replace(/mock\d+/g, 'mockN').replace(/"created":\d+/g, '"created":0');
const json = (e: EventSourceMessage) => JSON.parse(e.data) as Json;
const userChat = (text: string, extra: Json = {}) => ({
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'be brief' },
    { role: 'user', content: 'first question' },
    { role: 'assistant', content: 'first answer' },
    { role: 'user', content: text },
  ],
  ...extra,
});

describe('mock upstreams (e2e)', () => {
  describe('openai', () => {
    let up: MockUpstream;
    beforeAll(async () => {
      up = await startMockUpstream('openai');
    });
    afterAll(() => up.close());
    beforeEach(() => up.reset());

    it('serves a base URL ending in /v1 on 127.0.0.1', () => {
      expect(up.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(up.protocol).toBe('openai');
    });

    it('answers a chat completion by echoing the last user text, with usage, and records the request', async () => {
      const res = await postJson(`${up.url}/chat/completions`, userChat('hello there'), {
        authorization: 'Bearer sk-upstream',
      });
      expect(res.status).toBe(200);
      expect(res.headers['x-request-id']).toMatch(/^req_mock_/);
      expect(res.body).toMatchObject({
        object: 'chat.completion',
        model: 'gpt-4o-mini',
        choices: [
          { index: 0, message: { role: 'assistant', content: 'echo: hello there' }, finish_reason: 'stop' },
        ],
      });
      const usage = res.body.usage as {
        prompt_tokens: number;
        completion_tokens: number;
        total_tokens: number;
      };
      expect(usage.completion_tokens).toBe(Math.ceil('echo: hello there'.length / 4));
      expect(usage.prompt_tokens).toBeGreaterThan(0);
      expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);

      expect(up.requests).toHaveLength(1);
      const r = up.requests[0];
      expect(r).toMatchObject({ method: 'POST', path: '/v1/chat/completions' });
      expect(r.headers.authorization).toBe('Bearer sk-upstream');
      expect(r.body).toMatchObject({ model: 'gpt-4o-mini', messages: expect.any(Array) });
    });

    it('accepts content as a list of text parts', async () => {
      const res = await postJson(`${up.url}/chat/completions`, {
        model: 'gpt-4o',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'part one, ' },
              { type: 'text', text: 'part two' },
            ],
          },
        ],
      });
      expect(res.body).toMatchObject({
        model: 'gpt-4o',
        choices: [{ message: { content: 'echo: part one, part two' } }],
      });
    });

    it('streams chat.completion.chunk events: role, 3+ content pieces, finish, usage (when asked), [DONE]', async () => {
      const res = await post(
        `${up.url}/chat/completions`,
        userChat('stream me please', { stream: true, stream_options: { include_usage: true } }),
      );
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      const { raw, events } = await readSse(res.body);
      expect(raw).toMatch(/^data: \{/);
      expect(events[events.length - 1].data).toBe('[DONE]');
      const chunks = events.slice(0, -1).map(json);
      for (const c of chunks)
        expect(c).toMatchObject({ object: 'chat.completion.chunk', model: 'gpt-4o-mini' });
      expect(new Set(chunks.map((c) => c.id)).size).toBe(1);

      type Choice = { delta: { role?: string; content?: string }; finish_reason: string | null };
      const withChoices = chunks.filter((c) => (c.choices as Choice[]).length > 0);
      const deltas = withChoices.map((c) => (c.choices as Choice[])[0]);
      expect(deltas[0].delta.role).toBe('assistant');
      const contentPieces = deltas.filter((d) => d.delta.content);
      expect(contentPieces.length).toBeGreaterThanOrEqual(3);
      expect(contentPieces.map((d) => d.delta.content).join('')).toBe('echo: stream me please');
      expect(deltas[deltas.length - 1].finish_reason).toBe('stop');
      expect(deltas.slice(0, -1).every((d) => d.finish_reason === null)).toBe(true);

      const last = chunks[chunks.length - 1];
      expect(last.choices).toEqual([]);
      expect(last.usage).toMatchObject({
        completion_tokens: Math.ceil('echo: stream me please'.length / 4),
        prompt_tokens: expect.any(Number),
        total_tokens: expect.any(Number),
      });
      // Only the final chunk carries usage.
      expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    });

    it('sends no usage chunk when stream_options.include_usage is not set', async () => {
      const res = await post(`${up.url}/chat/completions`, userChat('no usage', { stream: true }));
      const { events } = await readSse(res.body);
      const chunks = events.slice(0, -1).map(json);
      expect(chunks.every((c) => (c.choices as unknown[]).length === 1)).toBe(true);
      expect(chunks.some((c) => 'usage' in c)).toBe(false);
      expect(events[events.length - 1].data).toBe('[DONE]');
    });

    it('answers a scripted tool call (non-stream)', async () => {
      up.script({ kind: 'tool_call', name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' });
      const res = await postJson(`${up.url}/chat/completions`, userChat('weather?'));
      expect(res.body).toMatchObject({
        choices: [
          {
            finish_reason: 'tool_calls',
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [
                {
                  id: expect.stringMatching(/^call_/),
                  type: 'function',
                  function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"c"}' },
                },
              ],
            },
          },
        ],
      });
      // The queue is empty again: the next request is answered normally.
      const next = await postJson(`${up.url}/chat/completions`, userChat('again'));
      expect(next.body).toMatchObject({ choices: [{ message: { content: 'echo: again' } }] });
    });

    it('streams a tool call with the arguments split across 2+ deltas', async () => {
      const args = '{"city":"Paris","unit":"celsius"}';
      up.script({ kind: 'tool_call', name: 'get_weather', arguments: args });
      const res = await post(`${up.url}/chat/completions`, userChat('weather?', { stream: true }));
      const { events } = await readSse(res.body);
      type ToolDelta = { index: number; id?: string; function: { name?: string; arguments?: string } };
      type Choice = { delta: { tool_calls?: ToolDelta[] }; finish_reason: string | null };
      const choices = events
        .slice(0, -1)
        .map(json)
        .map((c) => (c.choices as Choice[])[0]);
      const toolDeltas = choices.flatMap((c) => c.delta.tool_calls ?? []);
      expect(toolDeltas[0]).toMatchObject({
        index: 0,
        id: expect.stringMatching(/^call_/),
        function: { name: 'get_weather' },
      });
      const argPieces = toolDeltas.map((d) => d.function.arguments).filter((a) => a);
      expect(argPieces.length).toBeGreaterThanOrEqual(2);
      expect(argPieces.join('')).toBe(args);
      expect(choices[choices.length - 1].finish_reason).toBe('tool_calls');
    });

    it('answers legacy text completions, stream and not', async () => {
      const plain = await postJson(`${up.url}/completions`, {
        model: 'gpt-3.5-turbo-instruct',
        prompt: 'Say hi',
      });
      expect(plain.body).toMatchObject({
        object: 'text_completion',
        choices: [{ text: 'echo: Say hi', index: 0, finish_reason: 'stop' }],
        usage: { completion_tokens: 3 },
      });

      const res = await post(`${up.url}/completions`, {
        model: 'gpt-3.5-turbo-instruct',
        prompt: 'Say hi',
        stream: true,
        stream_options: { include_usage: true },
      });
      const { events } = await readSse(res.body);
      expect(events[events.length - 1].data).toBe('[DONE]');
      const chunks = events.slice(0, -1).map(json);
      type Choice = { text: string; finish_reason: string | null };
      const texts = chunks.flatMap((c) => (c.choices as Choice[]).map((ch) => ch.text));
      expect(texts.filter((t) => t).length).toBeGreaterThanOrEqual(3);
      expect(texts.join('')).toBe('echo: Say hi');
      expect(chunks[chunks.length - 1]).toMatchObject({
        choices: [],
        usage: { total_tokens: expect.any(Number) },
      });
    });

    it('returns deterministic embeddings of length 8 per input, also base64-encoded', async () => {
      const res = await postJson(`${up.url}/embeddings`, {
        model: 'text-embedding-3-small',
        input: ['alpha', 'beta'],
      });
      const data = res.body.data as { index: number; embedding: number[] }[];
      expect(data.map((d) => d.index)).toEqual([0, 1]);
      expect(data[0].embedding).toHaveLength(8);
      expect(data[0].embedding).toEqual(mockEmbedding('alpha'));
      expect(data[1].embedding).not.toEqual(data[0].embedding);
      expect(res.body.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });

      const again = await postJson(`${up.url}/embeddings`, {
        model: 'text-embedding-3-small',
        input: 'alpha',
      });
      expect((again.body.data as { embedding: number[] }[])[0].embedding).toEqual(data[0].embedding);

      const b64 = await postJson(`${up.url}/embeddings`, {
        model: 'text-embedding-3-small',
        input: 'alpha',
        encoding_format: 'base64',
      });
      const buf = Buffer.from((b64.body.data as { embedding: string }[])[0].embedding, 'base64');
      expect(Array.from(new Float32Array(buf.buffer, buf.byteOffset, 8))).toEqual(data[0].embedding);
    });

    it('lists models', async () => {
      const res = await get(`${up.url}/models`);
      expect(res.body.object).toBe('list');
      expect((res.body.data as { id: string }[]).map((m) => m.id)).toContain('gpt-4o-mini');
    });

    it('answers a 404 in the OpenAI error shape for an unknown route', async () => {
      const res = await postJson(`${up.url}/nope`, {});
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({
        error: { message: expect.stringContaining('/v1/nope'), type: expect.any(String) },
      });
    });

    it('answers a scripted 429 with Retry-After in the OpenAI error shape, then recovers', async () => {
      up.script({ kind: 'status', status: 429, retryAfter: 7 }, { kind: 'status', status: 500 });
      const r1 = await postJson(`${up.url}/chat/completions`, userChat('x'));
      expect(r1.status).toBe(429);
      expect(r1.headers['retry-after']).toBe('7');
      expect(r1.body).toEqual({
        error: { message: expect.any(String), type: 'requests', param: null, code: 'rate_limit_exceeded' },
      });
      const r2 = await postJson(`${up.url}/chat/completions`, userChat('x'));
      expect(r2.status).toBe(500);
      expect(r2.headers['retry-after']).toBeUndefined();
      expect(r2.body).toMatchObject({ error: { type: 'server_error' } });
      const r3 = await postJson(`${up.url}/chat/completions`, userChat('x'));
      expect(r3.status).toBe(200);
      expect(up.requests).toHaveLength(3);
    });

    it('answers a scripted status with a custom body verbatim', async () => {
      up.script({
        kind: 'status',
        status: 400,
        body: { error: { message: 'context_length_exceeded', code: 'x' } },
      });
      const res = await postJson(`${up.url}/chat/completions`, userChat('x'));
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: { message: 'context_length_exceeded', code: 'x' } });
    });

    it('cut_stream on a non-stream request: half the JSON body arrives, then the socket closes', async () => {
      up.script({ kind: 'cut_stream', afterChunks: 0 });
      const res = await post(`${up.url}/chat/completions`, userChat('half'));
      expect(res.statusCode).toBe(200);
      let raw = '';
      await expect(
        (async () => {
          for await (const chunk of res.body) raw += (chunk as Buffer).toString('utf8');
        })(),
      ).rejects.toThrow();
      expect(raw.startsWith('{"id":"chatcmpl-')).toBe(true);
      expect(Number(res.headers['content-length'])).toBeGreaterThan(raw.length);
    });

    it('malformed_json on a non-stream request: a complete 200 whose body is half a JSON document', async () => {
      up.script({ kind: 'malformed_json' });
      const res = await post(`${up.url}/chat/completions`, userChat('broken'));
      expect(res.statusCode).toBe(200);
      const raw = await res.body.text(); // a clean end: no socket error
      expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(raw));
      expect(raw.startsWith('{"id":"chatcmpl-')).toBe(true);
      expect(() => JSON.parse(raw) as unknown).toThrow();
    });

    it('truncate_stream on a non-stream request: half the JSON body, chunked, then a clean end', async () => {
      up.script({ kind: 'truncate_stream', afterChunks: 0 });
      const res = await post(`${up.url}/chat/completions`, userChat('half and done'));
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-length']).toBeUndefined();
      const raw = await res.body.text();
      expect(raw.startsWith('{"id":"chatcmpl-')).toBe(true);
      expect(() => JSON.parse(raw) as unknown).toThrow();
    });

    it('waits latencyMs before answering', async () => {
      const slow = await startMockUpstream('openai', { latencyMs: 150 });
      try {
        const t0 = performance.now();
        const res = await postJson(`${slow.url}/chat/completions`, userChat('slow'));
        expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
        expect(res.body).toMatchObject({ choices: [{ message: { content: 'echo: slow' } }] });
      } finally {
        await slow.close();
      }
    });

    it('is accepted by the official OpenAI SDK (chat, stream with usage, tool call, embeddings, models)', async () => {
      const client = new OpenAI({ baseURL: up.url, apiKey: 'sk-sdk', maxRetries: 0 });
      const completion = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'from the sdk' }],
      });
      expect(completion.choices[0].message.content).toBe('echo: from the sdk');

      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'sdk stream' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let totalTokens = 0;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (chunk.usage) totalTokens = chunk.usage.total_tokens;
      }
      expect(text).toBe('echo: sdk stream');
      expect(totalTokens).toBeGreaterThan(0);

      up.script({ kind: 'tool_call', name: 'lookup', arguments: '{"q":"mock"}' });
      const runner = client.chat.completions.stream({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'use a tool' }],
        tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      });
      const final = await runner.finalChatCompletion();
      expect(final.choices[0].finish_reason).toBe('tool_calls');
      expect(final.choices[0].message.tool_calls?.[0]).toMatchObject({
        type: 'function',
        function: { name: 'lookup', arguments: '{"q":"mock"}' },
      });

      // The SDK asks for base64 by default and decodes it.
      const emb = await client.embeddings.create({ model: 'text-embedding-3-small', input: 'alpha' });
      expect(emb.data[0].embedding).toEqual(mockEmbedding('alpha'));

      const models = [];
      for await (const m of client.models.list()) models.push(m.id);
      expect(models).toContain('gpt-4o-mini');

      up.script({ kind: 'status', status: 429, retryAfter: 1 });
      await expect(
        client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
      ).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    });
  });

  describe('anthropic', () => {
    let up: MockUpstream;
    beforeAll(async () => {
      up = await startMockUpstream('anthropic');
    });
    afterAll(() => up.close());
    beforeEach(() => up.reset());
    const msg = (text: string, extra: Json = {}) => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 256,
      system: 'be brief',
      messages: [
        { role: 'user', content: 'earlier' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text }] },
      ],
      ...extra,
    });

    it('serves the origin as base URL', () => {
      expect(up.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    });

    it('answers a message with a text block and usage, and records headers', async () => {
      const res = await postJson(`${up.url}/v1/messages`, msg('bonjour'), {
        'x-api-key': 'sk-ant-upstream',
        'anthropic-version': '2023-06-01',
      });
      expect(res.status).toBe(200);
      expect(res.headers['request-id']).toMatch(/^req_mock_/);
      expect(res.body).toMatchObject({
        id: expect.stringMatching(/^msg_/),
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [{ type: 'text', text: 'echo: bonjour' }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: expect.any(Number), output_tokens: Math.ceil('echo: bonjour'.length / 4) },
      });
      expect(up.requests[0]).toMatchObject({
        method: 'POST',
        path: '/v1/messages',
        body: { max_tokens: 256 },
      });
      expect(up.requests[0].headers['x-api-key']).toBe('sk-ant-upstream');
      expect(up.requests[0].headers['anthropic-version']).toBe('2023-06-01');
    });

    it('streams the Anthropic event sequence with 3+ text deltas and usage', async () => {
      const res = await post(`${up.url}/v1/messages`, msg('stream this text', { stream: true }));
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      const { raw, events } = await readSse(res.body);
      expect(raw).toMatch(/^event: message_start\ndata: \{/);
      // Every event's name matches its data.type.
      for (const e of events) expect(json(e).type).toBe(e.event);
      const names = events.map((e) => e.event).filter((n) => n !== 'ping');
      const deltas = events.filter((e) => e.event === 'content_block_delta').map(json);
      expect(deltas.length).toBeGreaterThanOrEqual(3);
      expect(names).toEqual([
        'message_start',
        'content_block_start',
        ...deltas.map(() => 'content_block_delta'),
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
      const start = json(events[0]) as { message: { usage: { input_tokens: number } } };
      expect(start.message.usage.input_tokens).toBeGreaterThan(0);
      expect(deltas.every((d) => (d.delta as Json).type === 'text_delta')).toBe(true);
      expect(deltas.map((d) => (d.delta as { text: string }).text).join('')).toBe('echo: stream this text');
      const messageDelta = json(events.find((e) => e.event === 'message_delta')!);
      expect(messageDelta).toMatchObject({
        delta: { stop_reason: 'end_turn' },
        usage: { output_tokens: Math.ceil('echo: stream this text'.length / 4) },
      });
    });

    it('answers a tool call with a tool_use block (non-stream and stream)', async () => {
      up.script({ kind: 'tool_call', name: 'search', arguments: '{"query":"llm gateways","limit":3}' });
      const plain = await postJson(`${up.url}/v1/messages`, msg('find'));
      expect(plain.body).toMatchObject({
        stop_reason: 'tool_use',
        content: [
          {
            type: 'tool_use',
            id: expect.stringMatching(/^toolu_/),
            name: 'search',
            input: { query: 'llm gateways', limit: 3 },
          },
        ],
      });

      up.script({ kind: 'tool_call', name: 'search', arguments: '{"query":"llm gateways","limit":3}' });
      const res = await post(`${up.url}/v1/messages`, msg('find', { stream: true }));
      const { events } = await readSse(res.body);
      const blockStart = json(events.find((e) => e.event === 'content_block_start')!);
      expect(blockStart).toMatchObject({ content_block: { type: 'tool_use', name: 'search', input: {} } });
      const pieces = events
        .filter((e) => e.event === 'content_block_delta')
        .map((e) => json(e).delta as { type: string; partial_json: string });
      expect(pieces.length).toBeGreaterThanOrEqual(2);
      expect(pieces.every((p) => p.type === 'input_json_delta')).toBe(true);
      expect(JSON.parse(pieces.map((p) => p.partial_json).join(''))).toEqual({
        query: 'llm gateways',
        limit: 3,
      });
      expect(json(events.find((e) => e.event === 'message_delta')!)).toMatchObject({
        delta: { stop_reason: 'tool_use' },
      });
      expect(events[events.length - 1].event).toBe('message_stop');
    });

    it('counts tokens and lists models', async () => {
      const count = await postJson(`${up.url}/v1/messages/count_tokens`, msg('count me'));
      expect(count.body).toEqual({ input_tokens: expect.any(Number) });
      expect(count.body.input_tokens).toBeGreaterThan(0);
      const models = await get(`${up.url}/v1/models`);
      expect(models.body).toMatchObject({
        has_more: false,
        data: expect.arrayContaining([expect.objectContaining({ type: 'model' })]),
      });
    });

    it('answers scripted 429 and 529 in the Anthropic error shape', async () => {
      up.script({ kind: 'status', status: 429, retryAfter: 3 }, { kind: 'status', status: 529 });
      const r1 = await postJson(`${up.url}/v1/messages`, msg('x'));
      expect(r1.status).toBe(429);
      expect(r1.headers['retry-after']).toBe('3');
      expect(r1.body).toEqual({
        type: 'error',
        error: { type: 'rate_limit_error', message: expect.any(String) },
      });
      const r2 = await postJson(`${up.url}/v1/messages`, msg('x'));
      expect(r2.status).toBe(529);
      expect(r2.body).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    });
  });

  describe('gemini', () => {
    let up: MockUpstream;
    beforeAll(async () => {
      up = await startMockUpstream('gemini');
    });
    afterAll(() => up.close());
    beforeEach(() => up.reset());
    const gen = (text: string) => ({
      systemInstruction: { parts: [{ text: 'be brief' }] },
      contents: [
        { role: 'user', parts: [{ text: 'earlier' }] },
        { role: 'model', parts: [{ text: 'ok' }] },
        { role: 'user', parts: [{ text }] },
      ],
    });
    const model = (action: string) => `${up.url}/v1beta/models/gemini-2.0-flash:${action}`;

    it('answers generateContent with usageMetadata and records the key and path', async () => {
      const res = await postJson(model('generateContent'), gen('ciao'), {
        'x-goog-api-key': 'AIza-upstream',
      });
      expect(res.body).toMatchObject({
        candidates: [{ content: { role: 'model', parts: [{ text: 'echo: ciao' }] }, finishReason: 'STOP' }],
        usageMetadata: { promptTokenCount: expect.any(Number), candidatesTokenCount: 3 },
        modelVersion: 'gemini-2.0-flash',
      });
      const u = res.body.usageMetadata as Record<string, number>;
      expect(u.totalTokenCount).toBe(u.promptTokenCount + u.candidatesTokenCount);
      expect(up.requests[0]).toMatchObject({ path: '/v1beta/models/gemini-2.0-flash:generateContent' });
      expect(up.requests[0].headers['x-goog-api-key']).toBe('AIza-upstream');
    });

    it('streams streamGenerateContent?alt=sse as CRLF-separated data events, the last with STOP and usage', async () => {
      const res = await post(
        `${model('streamGenerateContent')}?alt=sse&key=AIza-q`,
        gen('stream from gemini'),
      );
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      const { raw, events } = await readSse(res.body);
      expect(raw).toContain('\r\n\r\n');
      expect(events.length).toBeGreaterThanOrEqual(3);
      type Chunk = {
        candidates: { content: { role: string; parts: { text: string }[] }; finishReason?: string }[];
        usageMetadata?: Record<string, number>;
      };
      const chunks = events.map((e) => JSON.parse(e.data) as Chunk);
      expect(chunks.every((c) => c.candidates[0].content.role === 'model')).toBe(true);
      expect(chunks.map((c) => c.candidates[0].content.parts[0].text).join('')).toBe(
        'echo: stream from gemini',
      );
      const last = chunks[chunks.length - 1];
      expect(last.candidates[0].finishReason).toBe('STOP');
      expect(last.usageMetadata).toMatchObject({
        candidatesTokenCount: Math.ceil('echo: stream from gemini'.length / 4),
      });
      expect(chunks.slice(0, -1).every((c) => c.candidates[0].finishReason === undefined)).toBe(true);
      expect(up.requests[0].query).toEqual({ alt: 'sse', key: 'AIza-q' });
    });

    it('streams a JSON array without alt=sse', async () => {
      const res = await post(model('streamGenerateContent'), gen('array'));
      const arr = (await res.body.json()) as { candidates: { content: { parts: { text: string }[] } }[] }[];
      expect(arr.map((c) => c.candidates[0].content.parts[0].text).join('')).toBe('echo: array');
    });

    it('answers a tool call with a functionCall part (non-stream and stream)', async () => {
      up.script(
        { kind: 'tool_call', name: 'get_time', arguments: '{"tz":"UTC"}' },
        { kind: 'tool_call', name: 'get_time', arguments: '{"tz":"UTC"}' },
      );
      const plain = await postJson(model('generateContent'), gen('time?'));
      expect(plain.body).toMatchObject({
        candidates: [
          {
            content: { parts: [{ functionCall: { name: 'get_time', args: { tz: 'UTC' } } }] },
            finishReason: 'STOP',
          },
        ],
      });
      const res = await post(`${model('streamGenerateContent')}?alt=sse`, gen('time?'));
      const { events } = await readSse(res.body);
      const last = JSON.parse(events[events.length - 1].data) as Json;
      expect(last).toMatchObject({
        candidates: [
          {
            content: { parts: [{ functionCall: { name: 'get_time', args: { tz: 'UTC' } } }] },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { totalTokenCount: expect.any(Number) },
      });
    });

    it('embeds content and lists models', async () => {
      const res = await postJson(`${up.url}/v1beta/models/text-embedding-004:embedContent`, {
        content: { parts: [{ text: 'alpha' }] },
      });
      expect(res.body).toEqual({ embedding: { values: mockEmbedding('alpha') } });
      expect((res.body.embedding as { values: number[] }).values).toHaveLength(8);
      const models = await get(`${up.url}/v1beta/models`);
      expect((models.body.models as { name: string }[]).map((m) => m.name)).toContain(
        'models/gemini-2.0-flash',
      );
    });

    it('answers a scripted 429 in the Gemini error shape with Retry-After', async () => {
      up.script({ kind: 'status', status: 429, retryAfter: 2 });
      const res = await postJson(model('generateContent'), gen('x'));
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBe('2');
      expect(res.body).toEqual({
        error: { code: 429, message: expect.any(String), status: 'RESOURCE_EXHAUSTED' },
      });
    });
  });

  describe.each<[UpstreamProtocol, string, Json, (up: MockUpstream) => string]>([
    ['openai', '/chat/completions', userChat('cut', { stream: true }), (up) => `${up.url}/chat/completions`],
    [
      'anthropic',
      '/v1/messages',
      {
        model: 'claude-sonnet-4-5',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: 'cut' }],
      },
      (up) => `${up.url}/v1/messages`,
    ],
    [
      'gemini',
      ':streamGenerateContent',
      { contents: [{ role: 'user', parts: [{ text: 'cut' }] }] },
      (up) => `${up.url}/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse`,
    ],
  ])('%s failures', (protocol, _label, streamBody, streamUrl) => {
    let up: MockUpstream;
    beforeAll(async () => {
      up = await startMockUpstream(protocol);
    });
    afterAll(() => up.close());
    beforeEach(() => up.reset());

    it('reset: the connection is dropped without a response, but the request is recorded', async () => {
      up.script({ kind: 'reset' });
      await expect(post(streamUrl(up), streamBody)).rejects.toMatchObject({
        code: expect.stringMatching(/^(UND_ERR_SOCKET|ECONNRESET)$/),
      });
      expect(up.requests).toHaveLength(1);
      // The next request is answered normally.
      const ok = await post(streamUrl(up), streamBody);
      expect(ok.statusCode).toBe(200);
      await ok.body.text();
    });

    it('cut_stream: exactly afterChunks events arrive, then the stream breaks', async () => {
      up.script({ kind: 'cut_stream', afterChunks: 2 });
      const res = await post(streamUrl(up), streamBody);
      expect(res.statusCode).toBe(200);
      const { events, error } = await readSseUntilError(res.body);
      expect(error).toBeDefined();
      expect(events).toHaveLength(2);
      for (const e of events) expect(() => JSON.parse(e.data) as unknown).not.toThrow();
    });

    it('cut_stream with fetch: the body stream errors after the first event', async () => {
      up.script({ kind: 'cut_stream', afterChunks: 1 });
      const res = await fetch(streamUrl(up), {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(streamBody),
      });
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
    });

    it('stall_stream: exactly afterChunks events arrive, then silence until the body timeout', async () => {
      up.script({ kind: 'stall_stream', afterChunks: 2 });
      const res = await request(streamUrl(up), {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(streamBody),
        bodyTimeout: 300,
      });
      expect(res.statusCode).toBe(200);
      const { events, error } = await readSseUntilError(res.body);
      expect(error).toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
      expect(events).toHaveLength(2);
      // The next request is answered normally.
      const ok = await post(streamUrl(up), streamBody);
      expect(ok.statusCode).toBe(200);
      await ok.body.text();
    });

    it('truncate_stream: exactly afterChunks events arrive, then the stream ends cleanly without its end', async () => {
      const full = await readSse((await post(streamUrl(up), streamBody)).body);
      up.script({ kind: 'truncate_stream', afterChunks: 2 });
      const res = await post(streamUrl(up), streamBody);
      expect(res.statusCode).toBe(200);
      const { events, error } = await readSseUntilError(res.body);
      expect(error).toBeUndefined();
      expect(events.map((e) => sameAnswer(e.data))).toEqual(
        full.events.slice(0, 2).map((e) => sameAnswer(e.data)),
      );
      expect(full.events.length).toBeGreaterThan(2);
    });

    it('truncate_stream with midEvent: half of the next event arrives before the clean end', async () => {
      up.script({ kind: 'truncate_stream', afterChunks: 1, midEvent: true });
      const { raw, events } = await readSse((await post(streamUrl(up), streamBody)).body);
      expect(events).toHaveLength(1); // the cut event is never complete
      const rest = raw.slice(raw.indexOf(events[0].data) + events[0].data.length).trim();
      expect(rest).toMatch(/^(event: \w+\s+)?data: \{/);
      expect(() => JSON.parse(rest.replace(/^(event: \w+\s+)?data: /, '')) as unknown).toThrow();
    });

    it('malformed_json: the event at atChunk carries half its JSON, the others are intact', async () => {
      const full = await readSse((await post(streamUrl(up), streamBody)).body);
      up.script({ kind: 'malformed_json', atChunk: 1 });
      const { events } = await readSse((await post(streamUrl(up), streamBody)).body);
      expect(events).toHaveLength(full.events.length);
      expect(() => JSON.parse(events[1].data) as unknown).toThrow();
      expect(sameAnswer(full.events[1].data).startsWith(sameAnswer(events[1].data))).toBe(true);
      for (const e of [events[0], ...events.slice(2)])
        if (e.data !== '[DONE]') expect(() => JSON.parse(e.data) as unknown).not.toThrow();
    });

    it("stream_error: afterChunks events, then the protocol's error event, then a clean end", async () => {
      up.script({ kind: 'stream_error', afterChunks: 2, status: 503 });
      const res = await post(streamUrl(up), streamBody);
      expect(res.statusCode).toBe(200);
      const { events, error } = await readSseUntilError(res.body);
      expect(error).toBeUndefined();
      expect(events).toHaveLength(3);
      const last = events[2];
      expect(last.event).toBe(protocol === 'anthropic' ? 'error' : undefined);
      expect(JSON.parse(last.data)).toEqual(
        protocol === 'anthropic'
          ? { type: 'error', error: { type: 'api_error', message: expect.stringContaining('503') } }
          : { error: expect.objectContaining({ message: expect.stringContaining('503') }) },
      );
    });

    it('slow_headers: nothing before delayMs; a shorter header timeout gives up, a longer one gets the answer', async () => {
      up.script({ kind: 'slow_headers', delayMs: 2000 });
      await expect(
        request(streamUrl(up), {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(streamBody),
          headersTimeout: 200,
        }),
      ).rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
      up.script({ kind: 'slow_headers', delayMs: 50 });
      const res = await post(streamUrl(up), streamBody);
      expect(res.statusCode).toBe(200);
      expect((await readSse(res.body)).events.length).toBeGreaterThan(2);
      expect(up.requests).toHaveLength(2);
    });

    it('hang: nothing comes back, an AbortSignal timeout ends the wait', async () => {
      up.script({ kind: 'hang' });
      const t0 = performance.now();
      await expect(
        fetch(streamUrl(up), {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(streamBody),
          signal: AbortSignal.timeout(300),
        }),
      ).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(performance.now() - t0).toBeGreaterThanOrEqual(250);
      expect(up.requests).toHaveLength(1);
    });

    it('hang with undici request and a signal', async () => {
      up.script({ kind: 'hang' });
      await expect(
        request(streamUrl(up), {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(streamBody),
          signal: AbortSignal.timeout(200),
        }),
      ).rejects.toThrow();
    });

    it('close() returns promptly even while a request hangs', async () => {
      const other = await startMockUpstream(protocol);
      other.script({ kind: 'hang' });
      const pending = post(streamUrl(other), streamBody).then(
        () => 'answered',
        () => 'failed',
      );
      while (other.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
      const t0 = performance.now();
      await other.close();
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(await pending).toBe('failed');
    });
  });
});
