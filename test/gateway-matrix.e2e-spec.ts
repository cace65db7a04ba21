import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI, Type } from '@google/genai';
import OpenAI from 'openai';
import { RoutingService } from '../src/routing/routing.service';
import { GatewayFixture } from './helpers/gateway-fixture';
import { MockUpstream, startMockUpstream } from './helpers/mock-upstreams';

/**
 * The front door × upstream matrix with the official SDKs: every client protocol reaches every
 * upstream format, non-stream, stream, and a tool-use round trip (call → tool result → answer).
 */
type Upstream = 'openai' | 'anthropic' | 'gemini' | 'mock';
const UPSTREAMS: Upstream[] = ['openai', 'anthropic', 'gemini', 'mock'];
const TOOL = 'get_weather';
const RESULT = 'sunny-42';
const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

interface Driver {
  chat(model: string, text: string): Promise<string>;
  stream(model: string, text: string): Promise<string>;
  /** Asks for the tool, answers with RESULT, returns the tool name, its arguments and the final text. */
  toolRoundTrip(model: string): Promise<{ name: string; args: Record<string, unknown>; final: string }>;
}

const g = new GatewayFixture();
const ups: Partial<Record<Upstream, MockUpstream>> = {};
let key = '';

function openAiDriver(): Driver {
  const c = () => g.client(key);
  const tools: OpenAI.ChatCompletionTool[] = [
    { type: 'function', function: { name: TOOL, parameters: schema } },
  ];
  return {
    async chat(model, text) {
      return (
        (await c().chat.completions.create({ model, messages: [{ role: 'user', content: text }] })).choices[0]
          .message.content ?? ''
      );
    },
    async stream(model, text) {
      let out = '';
      for await (const ch of await c().chat.completions.create({
        model,
        messages: [{ role: 'user', content: text }],
        stream: true,
      })) {
        out += ch.choices[0]?.delta?.content ?? '';
      }
      return out;
    },
    async toolRoundTrip(model) {
      const user: OpenAI.ChatCompletionMessageParam = {
        role: 'user',
        content: `weather in Paris? call ${TOOL}`,
      };
      const r1 = await c().chat.completions.create({ model, messages: [user], tools });
      const call = r1.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
      const r2 = await c().chat.completions.create({
        model,
        messages: [user, r1.choices[0].message, { role: 'tool', tool_call_id: call.id, content: RESULT }],
        tools,
      });
      return {
        name: call.function.name,
        args: JSON.parse(call.function.arguments),
        final: r2.choices[0].message.content ?? '',
      };
    },
  };
}

function anthropicDriver(): Driver {
  const c = () => new Anthropic({ apiKey: key, baseURL: `${g.baseURL}/anthropic`, maxRetries: 0 });
  const text = (m: Anthropic.Message) => m.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  const tools: Anthropic.Tool[] = [
    { name: TOOL, description: 'weather', input_schema: schema as Anthropic.Tool.InputSchema },
  ];
  return {
    async chat(model, t) {
      return text(
        await c().messages.create({ model, max_tokens: 200, messages: [{ role: 'user', content: t }] }),
      );
    },
    async stream(model, t) {
      let out = '';
      const s = c().messages.stream({ model, max_tokens: 200, messages: [{ role: 'user', content: t }] });
      for await (const ev of s)
        if (ev.type === 'content_block_delta' && ev.delta.type === 'text_delta') out += ev.delta.text;
      const final = await s.finalMessage();
      expect(final.usage.output_tokens).toBeGreaterThan(0);
      return out;
    },
    async toolRoundTrip(model) {
      const user: Anthropic.MessageParam = { role: 'user', content: `weather in Paris? call ${TOOL}` };
      const r1 = await c().messages.create({ model, max_tokens: 200, messages: [user], tools });
      const use = r1.content.find((b): b is Anthropic.ToolUseBlock => b.type === 'tool_use')!;
      expect(r1.stop_reason).toBe('tool_use');
      const r2 = await c().messages.create({
        model,
        max_tokens: 200,
        tools,
        messages: [
          user,
          { role: 'assistant', content: r1.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: RESULT }] },
        ],
      });
      return { name: use.name, args: use.input as Record<string, unknown>, final: text(r2) };
    },
  };
}

function geminiDriver(): Driver {
  const c = () => new GoogleGenAI({ apiKey: key, httpOptions: { baseUrl: `${g.baseURL}/gemini` } });
  const config = {
    tools: [
      {
        functionDeclarations: [
          {
            name: TOOL,
            description: 'weather',
            parameters: {
              type: Type.OBJECT,
              properties: { city: { type: Type.STRING } },
              required: ['city'],
            },
          },
        ],
      },
    ],
  };
  return {
    async chat(model, t) {
      return (await c().models.generateContent({ model, contents: t })).text ?? '';
    },
    async stream(model, t) {
      let out = '';
      for await (const ch of await c().models.generateContentStream({ model, contents: t }))
        out += ch.text ?? '';
      return out;
    },
    async toolRoundTrip(model) {
      const user = { role: 'user', parts: [{ text: `weather in Paris? call ${TOOL}` }] };
      const r1 = await c().models.generateContent({ model, contents: [user], config });
      const fc = r1.functionCalls![0];
      const r2 = await c().models.generateContent({
        model,
        config,
        contents: [
          user,
          { role: 'model', parts: [{ functionCall: fc }] },
          { role: 'user', parts: [{ functionResponse: { name: fc.name, response: { output: RESULT } } }] },
        ],
      });
      return { name: fc.name!, args: fc.args ?? {}, final: r2.text ?? '' };
    },
  };
}

function responsesDriver(): Driver {
  const c = () => g.client(key);
  const tools: OpenAI.Responses.Tool[] = [
    { type: 'function', name: TOOL, parameters: schema, strict: false },
  ];
  return {
    async chat(model, t) {
      return (await c().responses.create({ model, input: t })).output_text;
    },
    async stream(model, t) {
      let out = '';
      let completed = false;
      for await (const ev of await c().responses.create({ model, input: t, stream: true })) {
        if (ev.type === 'response.output_text.delta') out += ev.delta;
        if (ev.type === 'response.completed') completed = true;
      }
      expect(completed).toBe(true);
      return out;
    },
    async toolRoundTrip(model) {
      const input: OpenAI.Responses.ResponseInput = [
        { role: 'user', content: `weather in Paris? call ${TOOL}` },
      ];
      const r1 = await c().responses.create({ model, input, tools });
      const fc = r1.output.find(
        (o): o is OpenAI.Responses.ResponseFunctionToolCall => o.type === 'function_call',
      )!;
      const r2 = await c().responses.create({
        model,
        tools,
        input: [...input, fc, { type: 'function_call_output', call_id: fc.call_id, output: RESULT }],
      });
      return { name: fc.name, args: JSON.parse(fc.arguments), final: r2.output_text };
    },
  };
}

const FRONTS: [string, () => Driver][] = [
  ['openai chat', openAiDriver],
  ['anthropic messages', anthropicDriver],
  ['gemini generateContent', geminiDriver],
  ['openai responses', responsesDriver],
];

beforeAll(async () => {
  await g.start();
  const providers: Record<Upstream, string> = {
    openai: await g.provider({
      name: 'p-openai',
      type: 'openai-compatible',
      baseUrl: (ups.openai = await startMockUpstream('openai')).url,
      credentials: [{ key: 'sk-o-0000000001' }],
    }),
    anthropic: await g.provider({
      name: 'p-anthropic',
      type: 'anthropic',
      baseUrl: (ups.anthropic = await startMockUpstream('anthropic')).url,
      credentials: [{ key: 'sk-a-0000000001' }],
    }),
    gemini: await g.provider({
      name: 'p-gemini',
      type: 'gemini',
      baseUrl: (ups.gemini = await startMockUpstream('gemini')).url,
      credentials: [{ key: 'gk-0000000000001' }],
    }),
    mock: await g.provider({ name: 'p-mock', type: 'mock' }),
  };
  for (const u of UPSTREAMS)
    await g.model({ name: `m-${u}`, routes: [{ providerId: providers[u], upstreamModel: `up-${u}` }] });
  key = await g.key();
});
beforeEach(() => {
  for (const u of Object.values(ups)) u!.reset();
  g.t.app.get(RoutingService).clearCooldowns();
});
afterAll(async () => {
  for (const u of Object.values(ups)) await u!.close();
  await g.close();
});

describe.each(FRONTS)('%s front door', (_front, make) => {
  describe.each(UPSTREAMS)('→ %s upstream', (up) => {
    const model = `m-${up}`;

    it('non-stream', async () => {
      expect(await make().chat(model, `hello ${up}`)).toBe(`echo: hello ${up}`);
    });

    it('stream', async () => {
      expect(await make().stream(model, `stream ${up}`)).toBe(`echo: stream ${up}`);
    });

    it('tool-use round trip', async () => {
      ups[up as Exclude<Upstream, 'mock'>]?.script({
        kind: 'tool_call',
        name: TOOL,
        arguments: '{"city":"Paris"}',
      });
      const r = await make().toolRoundTrip(model);
      expect(r.name).toBe(TOOL);
      expect(r.args).toEqual({ city: up === 'mock' ? 'mock' : 'Paris' });
      if (up === 'mock') expect(r.final).toBe(`tool said: ${RESULT}`);
      else {
        const second = ups[up]!.requests.at(-1)!;
        expect(JSON.stringify(second.body)).toContain(RESULT);
        expect(typeof r.final).toBe('string');
      }
    });
  });
});

describe('log rows record the front door', () => {
  it('each protocol appears in the log', async () => {
    const protocols = new Set((await g.logs()).map((r) => r.protocol));
    expect([...protocols].sort()).toEqual(['anthropic', 'gemini', 'openai', 'responses']);
  });
});

describe('provider test call and upstream model import, per provider type', () => {
  it.each(['p-openai', 'p-anthropic', 'p-gemini', 'p-mock'])('%s', async (name) => {
    const auth = { Authorization: `Bearer ${g.admin}` };
    const list = (await g.t.http.get('/api/providers').set(auth).expect(200)).body as {
      id: string;
      name: string;
    }[];
    const id = list.find((p) => p.name === name)!.id;
    const test = await g.t.http
      .post(`/api/providers/${id}/test`)
      .set(auth)
      .send({ model: 'probe-model' })
      .expect(200);
    expect(test.body).toHaveLength(1);
    expect(test.body[0]).toMatchObject({ ok: true, status: 200 });
    expect(test.body[0].latencyMs).toEqual(expect.any(Number));
    const models = await g.t.http.get(`/api/providers/${id}/upstream-models`).set(auth).expect(200);
    expect(models.body.models.length).toBeGreaterThan(0);
    expect(
      models.body.models.every((m: unknown) => typeof m === 'string' && !String(m).startsWith('models/')),
    ).toBe(true);
  });

  it('a failing upstream shows its error in the test result, and an unreachable one is a 502 on import', async () => {
    const auth = { Authorization: `Bearer ${g.admin}` };
    ups.openai!.script({
      kind: 'status',
      status: 401,
      body: { error: { message: 'Incorrect API key provided' } },
    });
    const list = (await g.t.http.get('/api/providers').set(auth)).body as { id: string; name: string }[];
    const id = list.find((p) => p.name === 'p-openai')!.id;
    const test = await g.t.http.post(`/api/providers/${id}/test`).set(auth).send({ model: 'x' }).expect(200);
    expect(test.body[0]).toMatchObject({ ok: false, status: 401, error: '401: Incorrect API key provided' });
    const dead = await g.provider({
      name: 'dead',
      type: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:9/v1',
      timeoutMs: 1000,
    });
    const res = await g.t.http.get(`/api/providers/${dead}/upstream-models`).set(auth).expect(502);
    expect(res.body.message).toMatch(/Could not list the upstream's models/);
  });
});
