import { RoutingService } from '../src/routing/routing.service';
import { GatewayFixture } from './helpers/gateway-fixture';
import { MockUpstream, startMockUpstream } from './helpers/mock-upstreams';
import { countTokens } from '../src/gateway/pipeline/usage';

/** Front-door details: error shapes per protocol, token counting, header and byte-exact pass-through. */
describe('gateway front doors: errors, count_tokens, pass-through (e2e)', () => {
  const g = new GatewayFixture();
  let anthropic: MockUpstream;
  let key: string;
  const post = (path: string, body: unknown, headers: Record<string, string> = { 'x-api-key': key }) =>
    fetch(`${g.baseURL}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    await g.start();
    anthropic = await startMockUpstream('anthropic');
    const pa = await g.provider({
      name: 'claude',
      type: 'anthropic',
      baseUrl: anthropic.url,
      credentials: [{ key: 'sk-ant-0000000001' }],
    });
    const mock = await g.provider({ name: 'mock', type: 'mock' });
    await g.model({ name: 'claude', routes: [{ providerId: pa, upstreamModel: 'claude-up' }] });
    await g.model({ name: 'chat', routes: [{ providerId: mock, upstreamModel: 'm' }] });
    await g.model({ name: 'embed', type: 'embedding', routes: [{ providerId: mock, upstreamModel: 'e' }] });
    key = await g.key();
  });
  beforeEach(() => {
    anthropic.reset();
    g.t.app.get(RoutingService).clearCooldowns();
  });
  afterAll(async () => {
    await anthropic?.close();
    await g.close();
  });

  it('bad input on the Anthropic front door gets the Anthropic error shape', async () => {
    const noKey = await post('/v1/messages', { model: 'claude' }, {});
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    const bad = await post('/v1/messages', { model: 'claude', max_tokens: 10 });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(body.error.message).toMatch(/messages/);
    const unknown = await post('/anthropic/v1/messages', {
      model: 'nope',
      max_tokens: 10,
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    const badJson = await post('/v1/messages', '{oops');
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  });

  it('bad input on the Gemini front door gets the Gemini error shape', async () => {
    const h = { 'x-goog-api-key': key };
    const noKey = await post('/gemini/v1beta/models/chat:generateContent', { contents: [] }, {});
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
    const bad = await post('/gemini/v1beta/models/chat:generateContent', { contents: 'nope' }, h);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    const unknown = await post(
      '/gemini/v1beta/models/nope:generateContent',
      { contents: [{ role: 'user', parts: [{ text: 'x' }] }] },
      h,
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
    const viaQuery = await fetch(`${g.baseURL}/gemini/v1beta/models/chat:generateContent?key=${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'by query key' }] }] }),
    });
    expect(viaQuery.status).toBe(200);
  });

  it('Gemini default streaming (no alt=sse) is a JSON array that grows', async () => {
    const res = await post(
      '/gemini/v1beta/models/chat:streamGenerateContent',
      { contents: [{ role: 'user', parts: [{ text: 'array please' }] }] },
      { 'x-goog-api-key': key },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const items = JSON.parse(await res.text()) as {
      candidates?: { content?: { parts?: { text?: string }[] } }[];
    }[];
    expect(items.length).toBeGreaterThan(1);
    expect(
      items.map((i) => i.candidates?.[0]?.content?.parts?.map((p) => p.text ?? '').join('') ?? '').join(''),
    ).toBe('echo: array please');
  });

  it('count_tokens / countTokens agree with the tokenizer within the documented tolerance', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(20);
    const expected = countTokens(text);
    const a = await post('/v1/messages/count_tokens', {
      model: 'claude',
      messages: [{ role: 'user', content: text }],
    });
    expect(a.status).toBe(200);
    const { input_tokens } = (await a.json()) as { input_tokens: number };
    const gm = await post(
      '/gemini/v1beta/models/chat:countTokens',
      { contents: [{ role: 'user', parts: [{ text }] }] },
      { 'x-goog-api-key': key },
    );
    const { totalTokens } = (await gm.json()) as { totalTokens: number };
    for (const n of [input_tokens, totalTokens]) {
      expect(Math.abs(n - expected) / expected).toBeLessThan(0.05); // message framing adds a few tokens
    }
  });

  it('Anthropic → Anthropic passes anthropic-version/beta through and keeps thinking signatures byte for byte', async () => {
    const signature = 'EqQBCkYIBxgCKkBz+/=="odd\\u00e9 bytes"';
    const res = await post(
      '/v1/messages',
      {
        model: 'claude',
        max_tokens: 100,
        messages: [
          { role: 'user', content: 'think' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'hmm', signature },
              { type: 'text', text: 'ok' },
            ],
          },
          { role: 'user', content: [{ type: 'text', text: 'again', cache_control: { type: 'ephemeral' } }] },
        ],
      },
      {
        'x-api-key': key,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'interleaved-thinking-2025-05-14',
      },
    );
    expect(res.status).toBe(200);
    const sent = anthropic.requests[0];
    expect(sent.headers['anthropic-beta']).toBe('interleaved-thinking-2025-05-14');
    expect(sent.headers['x-api-key']).toBe('sk-ant-0000000001');
    const body = sent.body as {
      model: string;
      messages: { content: { signature?: string; cache_control?: unknown }[] }[];
    };
    expect(body.model).toBe('claude-up');
    expect(body.messages[1].content[0].signature).toBe(signature);
    expect(body.messages[2].content[0].cache_control).toEqual({ type: 'ephemeral' });
  });

  it('lists models in each protocol’s shape', async () => {
    const a = (await (
      await fetch(`${g.baseURL}/anthropic/v1/models`, { headers: { 'x-api-key': key } })
    ).json()) as { data: { id: string }[] };
    expect(a.data.map((m) => m.id).sort()).toEqual(['chat', 'claude', 'embed']);
    const gm = (await (
      await fetch(`${g.baseURL}/gemini/v1beta/models`, { headers: { 'x-goog-api-key': key } })
    ).json()) as { models: { name: string }[] };
    expect(gm.models.map((m) => m.name).sort()).toEqual(['models/chat', 'models/claude', 'models/embed']);
  });

  it('bad input on the Responses front door gets the OpenAI error shape; previous_response_id is refused clearly', async () => {
    const h = { authorization: `Bearer ${key}` };
    const bad = await post('/v1/responses', { model: 'chat', input: 42 }, h);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'input' } });
    const prev = await post(
      '/v1/responses',
      { model: 'chat', input: 'hi', previous_response_id: 'resp_1' },
      h,
    );
    expect(prev.status).toBe(400);
    expect(((await prev.json()) as { error: { message: string } }).error.message).toMatch(/stateless/);
    const ok = await post('/openai/v1/responses', { model: 'chat', input: 'alias' }, h);
    expect(ok.status).toBe(200);
  });

  it('Gemini embedContent on an embedding model', async () => {
    const res = await post(
      '/gemini/v1beta/models/embed:embedContent',
      { content: { parts: [{ text: 'vector me' }] } },
      { 'x-goog-api-key': key },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { embedding: { values: number[] } };
    expect(body.embedding.values).toHaveLength(8);
    const wrong = await post(
      '/gemini/v1beta/models/chat:embedContent',
      { content: { parts: [{ text: 'x' }] } },
      { 'x-goog-api-key': key },
    );
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
  });
});
