import OpenAI from 'openai';
import { RoutingService } from '../src/routing/routing.service';
import { GatewayFixture } from './helpers/gateway-fixture';
import { MockUpstream, startMockUpstream } from './helpers/mock-upstreams';

interface AnthropicBody {
  model: string;
  system?: unknown;
  max_tokens: number;
  messages: { role: string; content: unknown }[];
  tools?: { name: string; input_schema: unknown }[];
}
interface GeminiBody {
  contents: { role: string; parts: unknown[] }[];
  systemInstruction?: { parts: { text: string }[] };
  tools?: { functionDeclarations: { name: string }[] }[];
}

/** The OpenAI front door reaching Anthropic- and Gemini-format upstreams through the translators. */
describe('gateway: OpenAI clients on Anthropic and Gemini upstreams (e2e)', () => {
  const g = new GatewayFixture();
  let anthropic: MockUpstream;
  let gemini: MockUpstream;
  let client: OpenAI;
  const weather = {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    },
  };

  beforeAll(async () => {
    await g.start();
    anthropic = await startMockUpstream('anthropic');
    gemini = await startMockUpstream('gemini');
    const pa = await g.provider({
      name: 'claude',
      type: 'anthropic',
      baseUrl: anthropic.url,
      credentials: [{ key: 'sk-ant-upstream-0001' }],
    });
    const pg = await g.provider({
      name: 'gem',
      type: 'gemini',
      baseUrl: gemini.url,
      credentials: [{ key: 'AIza-upstream-00001' }],
    });
    await g.model({ name: 'claude-sonnet', routes: [{ providerId: pa, upstreamModel: 'claude-sonnet-4' }] });
    await g.model({ name: 'gemini-flash', routes: [{ providerId: pg, upstreamModel: 'gemini-2.0-flash' }] });
    await g.model({
      name: 'gemini-embed',
      type: 'embedding',
      routes: [{ providerId: pg, upstreamModel: 'text-embedding-004' }],
    });
    client = g.client(await g.key());
  });
  beforeEach(() => {
    anthropic.reset();
    gemini.reset();
    g.t.app.get(RoutingService).clearCooldowns();
  });
  afterAll(async () => {
    await anthropic?.close();
    await gemini?.close();
    await g.close();
  });

  it('Anthropic upstream, non-stream: system prompt, history and max_tokens translated; answer back in OpenAI shape', async () => {
    const res = await client.chat.completions.create({
      model: 'claude-sonnet',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'first' },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: 'hello claude' },
      ],
      max_tokens: 50,
      stop: ['END'],
    });
    expect(res.choices[0].message.content).toBe('echo: hello claude');
    expect(res.choices[0].finish_reason).toBe('stop');
    expect(res.model).toBe('claude-sonnet');
    expect(res.usage!.prompt_tokens).toBeGreaterThan(0);
    const sent = anthropic.requests[0];
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe('sk-ant-upstream-0001');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    const body = sent.body as AnthropicBody & { stop_sequences?: string[] };
    expect(body.model).toBe('claude-sonnet-4');
    expect(body.max_tokens).toBe(50);
    expect(body.stop_sequences).toEqual(['END']);
    expect(JSON.stringify(body.system)).toContain('Be brief.');
    expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('Anthropic upstream, stream: text deltas and usage come back as OpenAI chunks', async () => {
    const stream = await client.chat.completions.create({
      model: 'claude-sonnet',
      messages: [{ role: 'user', content: 'stream from claude' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('echo: stream from claude');
    expect(finish).toBe('stop');
    expect(usage!.prompt_tokens).toBeGreaterThan(0);
    expect(usage!.completion_tokens).toBeGreaterThan(0);
    const row = (await g.logs()).at(-1)!;
    expect(row).toMatchObject({ providerName: 'claude', status: 200, stream: true, usageEstimated: false });
    expect(row.inputTokens).toBe(usage!.prompt_tokens);
  });

  it('Anthropic upstream: tools and a streamed tool call with argument deltas', async () => {
    anthropic.script({ kind: 'tool_call', name: 'get_weather', arguments: '{"city":"Paris"}' });
    const stream = await client.chat.completions.create({
      model: 'claude-sonnet',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [weather],
      stream: true,
    });
    let args = '';
    let deltas = 0;
    let name = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) {
        if (tc.function?.name) name = tc.function.name;
        if (tc.function?.arguments) {
          args += tc.function.arguments;
          deltas++;
        }
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(deltas).toBeGreaterThanOrEqual(2); // streamed as they arrived, not buffered
    expect(finish).toBe('tool_calls');
    const body = anthropic.requests[0].body as AnthropicBody;
    expect(body.tools).toEqual([
      expect.objectContaining({ name: 'get_weather', input_schema: weather.function.parameters }),
    ]);
  });

  it('Gemini upstream, non-stream and stream', async () => {
    const res = await client.chat.completions.create({
      model: 'gemini-flash',
      messages: [
        { role: 'system', content: 'You are Gemini.' },
        { role: 'user', content: 'hello gemini' },
      ],
    });
    expect(res.choices[0].message.content).toBe('echo: hello gemini');
    expect(res.model).toBe('gemini-flash');
    const sent = gemini.requests[0];
    expect(sent.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe('AIza-upstream-00001');
    const body = sent.body as GeminiBody;
    expect(body.systemInstruction?.parts[0].text).toBe('You are Gemini.');
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'hello gemini' }] }]);

    const stream = await client.chat.completions.create({
      model: 'gemini-flash',
      messages: [{ role: 'user', content: 'stream gemini' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('echo: stream gemini');
    expect(gemini.requests[1].path).toBe('/v1beta/models/gemini-2.0-flash:streamGenerateContent');
    expect(gemini.requests[1].query.alt).toBe('sse');
  });

  it('Gemini upstream: tool call comes back as an OpenAI tool call', async () => {
    gemini.script({ kind: 'tool_call', name: 'get_weather', arguments: '{"city":"Rome"}' });
    const res = await client.chat.completions.create({
      model: 'gemini-flash',
      messages: [{ role: 'user', content: 'weather in Rome?' }],
      tools: [weather],
    });
    const call = res.choices[0].message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ city: 'Rome' });
    expect(res.choices[0].finish_reason).toBe('tool_calls');
    const body = gemini.requests[0].body as GeminiBody;
    expect(body.tools?.[0].functionDeclarations[0].name).toBe('get_weather');
  });

  it('upstream errors come back in the OpenAI shape; unmappable fields are named in x-gateway-dropped-fields', async () => {
    anthropic.script({
      kind: 'status',
      status: 400,
      body: { type: 'error', error: { type: 'invalid_request_error', message: 'messages: bad' } },
    });
    const err = await client.chat.completions
      .create({ model: 'claude-sonnet', messages: [{ role: 'user', content: 'x' }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toContain('messages: bad');

    const raw = await client.chat.completions
      .create({
        model: 'claude-sonnet',
        messages: [{ role: 'user', content: 'json please' }],
        response_format: { type: 'json_object' },
        logprobs: true,
      })
      .withResponse();
    expect(raw.response.headers.get('x-gateway-dropped-fields')).toMatch(/response_format/);
    expect(raw.data.choices[0].message.content).toBe('echo: json please');
  });

  it('Gemini upstream: embeddings through batchEmbedContents, floats and base64 (the SDK default)', async () => {
    const emb = await client.embeddings.create({ model: 'gemini-embed', input: ['alpha', 'beta'] });
    expect(emb.data).toHaveLength(2);
    expect(emb.data[0].embedding).toHaveLength(8);
    expect(emb.model).toBe('gemini-embed');
    const floats = await client.embeddings.create({
      model: 'gemini-embed',
      input: 'alpha',
      encoding_format: 'float',
    });
    expect(floats.data[0].embedding.map((x) => Math.round(x * 1e4))).toEqual(
      emb.data[0].embedding.map((x) => Math.round(x * 1e4)),
    );
    expect(gemini.requests[0].path).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
    expect(gemini.requests[0].body).toEqual({
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'alpha' }] } },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'beta' }] } },
      ],
    });
  });
});
