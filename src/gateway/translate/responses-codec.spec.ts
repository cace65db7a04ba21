import OpenAI from 'openai';
import { fixture, toSseEvents, type SseFixture } from '../../../test/fixtures/fixture-io';
import {
  codecs,
  TranslationError,
  type CanonicalRequest,
  type CanonicalResponse,
  type CanonicalStreamEvent,
  type TranslationResult,
} from './index';

/**
 * The OpenAI Responses API codec (`POST /v1/responses`), mainly a front door: golden files under
 * test/fixtures/responses/, the real gateway paths (Responses → canonical → Chat Completions / Anthropic),
 * and the official `openai` SDK parsing what the codec writes (through a fake `fetch`, no network).
 */
const R = codecs.responses;

type Json = Record<string, unknown>;
interface Frame {
  event: string;
  data: Json;
}

/**
 * Splits Responses SSE text into frames, checking the framing on the way: every frame is
 * `event: <type>\ndata: <compact JSON>\n\n` and the event name equals `data.type`.
 */
function parseFrames(text: string): Frame[] {
  if (text === '') return [];
  if (!text.endsWith('\n\n'))
    throw new Error(`SSE text does not end with a blank line: ${JSON.stringify(text)}`);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const m = /^event: ([a-z_.]+)\ndata: ([^\n]*)$/.exec(frame);
      if (!m) throw new Error(`Malformed SSE frame: ${JSON.stringify(frame)}`);
      const data = JSON.parse(m[2]) as Json;
      if (JSON.stringify(data) !== m[2]) throw new Error(`SSE data is not compact JSON: ${m[2]}`);
      if (data.type !== m[1]) throw new Error(`event ${m[1]} carries type ${String(data.type)}`);
      return { event: m[1], data };
    });
}

function encodeStream(events: CanonicalStreamEvent[], clientModel = 'codex-proxy'): string {
  const encode = R.createStreamEncoder({ clientModel, includeUsage: false });
  return events.map(encode).join('');
}

function expectTranslationError(fn: () => unknown, param: string, message: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(TranslationError);
  expect(err).toMatchObject({ status: 400, param, message });
}

/** An SDK client whose fetch answers every request with `body` (JSON object or SSE text). */
function sdkClient(body: Json | string, seen: Json[] = []): OpenAI {
  return new OpenAI({
    apiKey: 'x',
    baseURL: 'http://127.0.0.1:1',
    maxRetries: 0,
    fetch: async (_url, init) => {
      seen.push(JSON.parse(String(init?.body)) as Json);
      if (typeof body !== 'string')
        return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
      // Odd-sized chunks: frames and even UTF-8 sequences are split across reads.
      const bytes = new TextEncoder().encode(body);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 37) controller.enqueue(bytes.slice(i, i + 37));
          controller.close();
        },
      });
      return new Response(stream, { headers: { 'content-type': 'text/event-stream' } });
    },
  });
}

beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(1_750_000_000_000));
afterEach(() => jest.restoreAllMocks());

// ================================================================ requests (front door)

describe('request decoding (Responses → canonical)', () => {
  it('string input', () => {
    expect(R.decodeRequest(fixture('responses/request-string.json'))).toEqual(
      fixture('responses/canonical-request-string.json'),
    );
  });

  it('multi-item input: instructions, developer message, images, reasoning, calls and outputs, tools, json_schema', () => {
    expect(R.decodeRequest(fixture('responses/request-full.json'))).toEqual(
      fixture('responses/canonical-request-full.json'),
    );
  });

  it('→ Chat Completions request (Responses front door, OpenAI upstream)', () => {
    const { value } = R.decodeRequest(fixture('responses/request-full.json'));
    expect(codecs.openai.encodeRequest(value, 'gpt-4.1')).toEqual(
      fixture('responses/expected-openai-from-responses-full.json'),
    );
  });

  it('→ Anthropic request (Responses front door, Anthropic upstream): signed reasoning comes back as thinking', () => {
    const { value } = R.decodeRequest(fixture('responses/request-full.json'));
    const out = codecs.anthropic.encodeRequest(value, 'claude-sonnet-4-5');
    expect(out).toEqual(fixture('responses/expected-anthropic-from-responses-full.json'));
    const assistant = (out.value.messages as { role: string; content: unknown }[])[1];
    expect(assistant.content).toContainEqual({
      type: 'thinking',
      thinking: 'Two cities.\n\nCall the tool twice.',
      signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds/+sig==',
    });
  });

  it('consecutive function_call_output items become one tool message; calls join the assistant turn', () => {
    const { value } = R.decodeRequest({
      model: 'm',
      input: [
        { role: 'user', content: 'hi' },
        { type: 'function_call', call_id: 'a', name: 'f', arguments: '{}' },
        { type: 'function_call', call_id: 'b', name: 'g', arguments: '{"x":1}' },
        { type: 'function_call_output', call_id: 'a', output: 'A' },
        { type: 'function_call_output', call_id: 'b', output: 'B' },
      ],
    });
    expect(value.messages.map((m) => [m.role, m.parts.length])).toEqual([
      ['user', 1],
      ['assistant', 2],
      ['tool', 2],
    ]);
    expect(value.messages[2].parts).toEqual([
      { type: 'tool_result', toolCallId: 'a', name: 'f', content: 'A' },
      { type: 'tool_result', toolCallId: 'b', name: 'g', content: 'B' },
    ]);
  });

  it('reasoning items: encrypted_content is the signature; redacted_thinking: marks redacted data; empty ones vanish', () => {
    const { value } = R.decodeRequest({
      model: 'm',
      input: [
        { role: 'user', content: 'hi' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'plain' }] },
        { type: 'reasoning', summary: [], encrypted_content: 'redacted_thinking:OPAQUE' },
        { type: 'reasoning', summary: [], encrypted_content: 'detached-sig' },
        { type: 'reasoning', summary: [], content: [{ type: 'reasoning_text', text: 'raw cot' }] },
        { type: 'reasoning', summary: [] },
        { role: 'assistant', content: [{ type: 'refusal', refusal: 'No.' }] },
      ],
    });
    expect(value.messages[1]).toEqual({
      role: 'assistant',
      parts: [
        { type: 'thinking', text: 'plain' },
        { type: 'thinking', text: '', redacted: 'OPAQUE' },
        { type: 'thinking', text: '', signature: 'detached-sig' },
        { type: 'thinking', text: 'raw cot' },
        { type: 'text', text: 'No.' },
      ],
    });
  });

  it('files and tool outputs with images', () => {
    const { value, dropped } = R.decodeRequest({
      model: 'm',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_file', filename: 'a.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
            { type: 'input_file', file_url: 'https://example.com/spec.pdf' },
            { type: 'input_file', file_id: 'file-123' },
            { type: 'input_image', file_id: 'file-456' },
          ],
        },
        { type: 'function_call', call_id: 'c', name: 'shot', arguments: '{}' },
        {
          type: 'function_call_output',
          call_id: 'c',
          output: [{ type: 'input_image', image_url: 'https://example.com/s.png' }],
        },
      ],
    });
    expect(value.messages[0].parts).toEqual([
      { type: 'image', mediaType: 'application/pdf', data: 'JVBERi0=' },
      { type: 'image', url: 'https://example.com/spec.pdf', mediaType: 'application/pdf' },
    ]);
    expect(value.messages[2].parts[0]).toEqual({
      type: 'tool_result',
      toolCallId: 'c',
      name: 'shot',
      content: [{ type: 'image', url: 'https://example.com/s.png' }],
    });
    expect(dropped).toEqual(['input_file.file_id', 'input_image.file_id']);
  });

  it('lists what it drops', () => {
    const { value, dropped } = R.decodeRequest({
      model: 'm',
      input: [
        { role: 'user', content: 'hi' },
        { type: 'web_search_call', id: 'ws_1', status: 'completed' },
        { type: 'custom_tool_call', call_id: 'x', name: 'apply_patch', input: '...' },
      ],
      tools: [
        { type: 'function', name: 'f', parameters: { type: 'object' }, strict: true },
        { type: 'web_search_preview' },
        { type: 'custom', name: 'apply_patch' },
      ],
      tool_choice: { type: 'allowed_tools', mode: 'auto', tools: [] },
      text: { verbosity: 'low', format: { type: 'json_schema', name: 'x', description: 'd', schema: {} } },
      reasoning: { effort: 'minimal', summary: 'detailed' },
      store: true,
      include: ['reasoning.encrypted_content', 'message.output_text.logprobs'],
      metadata: { a: 'b' },
      truncation: 'auto',
      service_tier: 'flex',
      safety_identifier: 's',
      prompt_cache_key: 'k',
      top_logprobs: 2,
      max_tool_calls: 3,
      background: false,
      previous_response_id: null,
    });
    expect(dropped).toEqual([
      'store',
      'include',
      'input.web_search_call',
      'input.custom_tool_call',
      'tools.strict',
      'tools.web_search_preview',
      'tools.custom',
      'text.verbosity',
      'metadata',
      'truncation',
      'service_tier',
      'safety_identifier',
      'prompt_cache_key',
      'top_logprobs',
      'max_tool_calls',
      'tool_choice',
      'text.format.description',
      'reasoning.summary',
    ]);
    expect(value.toolChoice).toBeUndefined();
    expect(value.reasoning).toEqual({ effort: 'low' });
    expect(value.responseFormat).toEqual({ type: 'json_schema', name: 'x', schema: {} });
    expect(value.tools).toEqual([{ name: 'f', parameters: { type: 'object' } }]);
  });

  it('store:false and include reasoning.encrypted_content are honoured, not dropped', () => {
    const { dropped } = R.decodeRequest({
      model: 'm',
      input: 'hi',
      store: false,
      include: ['reasoning.encrypted_content'],
      tool_choice: { type: 'function', name: 'f' },
    });
    expect(dropped).toEqual([]);
  });

  const body = (extra: Json): Json => ({ model: 'm', input: 'hi', ...extra });
  const item = (it: Json): Json => ({ model: 'm', input: [it] });
  it.each([
    ['not json', 'body', 'body: must be an object'],
    [{ input: 'hi' }, 'model', 'model: is required'],
    [{ model: 'm' }, 'input', 'input: is required'],
    [{ model: 'm', input: 5 }, 'input', 'input: must be a string or an array of input items'],
    [{ model: 'm', input: [] }, 'input', 'input: must contain at least one item'],
    [
      body({ previous_response_id: 'resp_1' }),
      'previous_response_id',
      'previous_response_id: is not supported: this gateway is stateless and stores no responses; send the whole conversation in `input`',
    ],
    [
      body({ conversation: 'conv_1' }),
      'conversation',
      'conversation: is not supported: this gateway is stateless and stores no responses; send the whole conversation in `input`',
    ],
    [
      body({ background: true }),
      'background',
      'background: is not supported: this gateway is stateless and stores no responses; send the whole conversation in `input`',
    ],
    [
      item({ type: 'item_reference', id: 'msg_1' }),
      'input[0]',
      'input[0]: item_reference is not supported: this gateway is stateless and stores no responses; send the whole conversation in `input`',
    ],
    [{ model: 'm', input: ['hi'] }, 'input[0]', 'input[0]: must be an object'],
    [item({ content: 'x' }), 'input[0].type', 'input[0].type: is required'],
    [item({ role: 'wizard', content: 'x' }), 'input[0].role', "input[0].role: unsupported role 'wizard'"],
    [
      item({ role: 'user', content: 7 }),
      'input[0].content',
      'input[0].content: must be a string or an array of content parts',
    ],
    [
      item({ role: 'user', content: [{ type: 'video' }] }),
      'input[0].content[0].type',
      "input[0].content[0].type: unsupported content part type 'video'",
    ],
    [
      item({ role: 'user', content: [{ type: 'input_image', detail: 'high' }] }),
      'input[0].content[0].image_url',
      'input[0].content[0].image_url: is required',
    ],
    [
      item({ role: 'developer', content: [{ type: 'input_image', image_url: 'https://x/y.png' }] }),
      'input[0].content[0].type',
      "input[0].content[0].type: unsupported content part type 'input_image' (text only)",
    ],
    [
      item({ role: 'user', content: [{ type: 'input_text', text: 3 }] }),
      'input[0].content[0].text',
      'input[0].content[0].text: must be a string',
    ],
    [
      item({ type: 'function_call', name: 'f', arguments: '{}' }),
      'input[0].call_id',
      'input[0].call_id: is required',
    ],
    [
      item({ type: 'function_call', call_id: 'c', name: 'f', arguments: { a: 1 } }),
      'input[0].arguments',
      'input[0].arguments: must be a string',
    ],
    [
      item({ type: 'function_call_output', call_id: 'c', output: 5 }),
      'input[0].output',
      'input[0].output: must be a string or an array of content parts',
    ],
    [
      item({ type: 'reasoning', summary: [{ type: 'summary_text' }] }),
      'input[0].summary[0].text',
      'input[0].summary[0].text: must be a string',
    ],
    [body({ instructions: 5 }), 'instructions', 'instructions: must be a string'],
    [body({ tools: [{ type: 'function' }] }), 'tools[0].name', 'tools[0].name: is required'],
    [
      body({ tools: [{ type: 'function', name: 'f', parameters: 'x' }] }),
      'tools[0].parameters',
      'tools[0].parameters: must be an object',
    ],
    [body({ tool_choice: 'sometimes' }), 'tool_choice', "tool_choice: unsupported value 'sometimes'"],
    [body({ tool_choice: { type: 'function' } }), 'tool_choice.name', 'tool_choice.name: is required'],
    [body({ max_output_tokens: 0 }), 'max_output_tokens', 'max_output_tokens: must be a positive integer'],
    [body({ temperature: 'hot' }), 'temperature', 'temperature: must be a number'],
    [body({ stream: 'yes' }), 'stream', 'stream: must be a boolean'],
    [
      body({ text: { format: { type: 'xml' } } }),
      'text.format.type',
      "text.format.type: unsupported value 'xml'",
    ],
    [
      body({ text: { format: { type: 'json_schema', name: 'x' } } }),
      'text.format.schema',
      'text.format.schema: is required',
    ],
    [
      body({ reasoning: { effort: 'extreme' } }),
      'reasoning.effort',
      "reasoning.effort: unsupported value 'extreme'",
    ],
    [body({ include: [5] }), 'include[0]', 'include[0]: must be a string'],
  ] as [unknown, string, string][])('%j → 400 naming %s', (input, param, message) => {
    expectTranslationError(() => R.decodeRequest(input), param, message);
  });
});

// ================================================================ responses (front door)

describe('response encoding (canonical → Responses object)', () => {
  it('from Anthropic: signed and redacted thinking, text, tool call, cache usage', () => {
    const canonical = fixture<CanonicalResponse>('responses/canonical-response-anthropic.json');
    expect(R.encodeResponse(canonical, 'codex-claude')).toEqual(
      fixture('responses/expected-response-from-anthropic.json'),
    );
  });

  it('from OpenAI: reasoning, parallel tool calls, cached and reasoning tokens', () => {
    const canonical = fixture<CanonicalResponse>('responses/canonical-response-openai.json');
    expect(R.encodeResponse(canonical, 'codex-gpt')).toEqual(
      fixture('responses/expected-response-from-openai.json'),
    );
  });

  const text = (over: Partial<CanonicalResponse>): CanonicalResponse => ({
    id: 'resp_x',
    model: 'm',
    parts: [{ type: 'text', text: 'partial' }],
    stopReason: 'stop',
    ...over,
  });

  it('length → status incomplete with incomplete_details max_output_tokens', () => {
    const out = R.encodeResponse(text({ stopReason: 'length' }), 'm');
    expect(out).toMatchObject({
      id: 'resp_x',
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      error: null,
      usage: null,
      output: [{ id: 'msg_x_0', type: 'message', status: 'incomplete' }],
    });
  });

  it.each([
    ['stop', 'completed', null, null],
    ['tool_calls', 'completed', null, null],
    ['content_filter', 'incomplete', { reason: 'content_filter' }, null],
    ['error', 'failed', null, { code: 'server_error', message: 'The upstream model stopped with an error.' }],
  ] as const)('%s → status %s', (stopReason, status, incomplete, error) => {
    const out = R.encodeResponse(text({ stopReason }), 'm');
    expect(out).toMatchObject({ status, incomplete_details: incomplete, error });
  });

  it('an upstream without an id gets a resp_ id; consecutive text parts share one message item', () => {
    const out = R.encodeResponse(
      text({
        id: '',
        parts: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'b' },
        ],
      }),
      'm',
    );
    expect(out.id).toMatch(/^resp_[0-9a-f]{32}$/);
    const output = out.output as { content: unknown[] }[];
    expect(output).toHaveLength(1);
    expect(output[0].content).toEqual([
      { type: 'output_text', text: 'a', annotations: [] },
      { type: 'output_text', text: 'b', annotations: [] },
    ]);
  });

  it('the openai SDK parses it and computes output_text', async () => {
    const encoded = R.encodeResponse(
      fixture<CanonicalResponse>('responses/canonical-response-anthropic.json'),
      'codex-claude',
    );
    const sent: Json[] = [];
    const client = sdkClient(encoded, sent);
    const res = await client.responses.create({ model: 'codex-claude', input: 'Weather in SF?' });
    expect(res.output_text).toBe('Let me look that up.');
    expect(res.status).toBe('completed');
    expect(res.usage?.input_tokens_details.cached_tokens).toBe(1000);
    expect(res.output.map((o) => o.type)).toEqual(['reasoning', 'reasoning', 'message', 'function_call']);
    const call = res.output.find((o) => o.type === 'function_call');
    expect(call).toMatchObject({ call_id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather' });
    // What the SDK sends is what the front door decodes.
    expect(R.decodeRequest(sent[0]).value.messages).toEqual([
      { role: 'user', parts: [{ type: 'text', text: 'Weather in SF?' }] },
    ]);
  });
});

// ================================================================ streams (front door)

describe('stream encoding (canonical events → Responses SSE)', () => {
  it('text stream golden', () => {
    const text = encodeStream(fixture('responses/stream-text.canonical.json'), 'codex-mini');
    expect(parseFrames(text)).toEqual(fixture('responses/expected-stream-text.json'));
  });

  it('thinking + parallel tool calls (from Anthropic) golden', () => {
    const text = encodeStream(fixture('responses/stream-thinking-tools.canonical.json'), 'codex-claude');
    expect(parseFrames(text)).toEqual(fixture('responses/expected-stream-from-anthropic.json'));
  });

  const SOURCES = [
    'responses/stream-text.canonical.json',
    'responses/stream-thinking-tools.canonical.json',
    'responses/stream-tools.canonical.json',
    'responses/stream-gemini.canonical.json',
  ];

  /** Gemini streams end without `done`; the gateway adds it. */
  const eventsOf = (src: string): CanonicalStreamEvent[] => {
    const events = fixture<CanonicalStreamEvent[]>(src);
    return events.some((e) => e.type === 'done') ? events : [...events, { type: 'done' }];
  };

  it.each(SOURCES)('%s: valid sequence (numbers, indexes, item lifecycle, final response)', (src) => {
    const frames = parseFrames(encodeStream(eventsOf(src)));
    // sequence_number: 0, 1, 2, … strictly increasing
    expect(frames.map((f) => f.data.sequence_number)).toEqual(frames.map((_, i) => i));
    expect(frames.slice(0, 2).map((f) => f.event)).toEqual(['response.created', 'response.in_progress']);
    expect(frames[0].data.response).toMatchObject({ status: 'in_progress', output: [], usage: null });
    const last = frames[frames.length - 1];
    expect(last.event).toBe('response.completed');

    // every item is added once, at the next output index, and done once with the same id and index
    const added = frames.filter((f) => f.event === 'response.output_item.added');
    const done = frames.filter((f) => f.event === 'response.output_item.done');
    expect(added.map((f) => f.data.output_index)).toEqual(added.map((_, i) => i));
    const idOf = (f: Frame): unknown => (f.data.item as Json).id;
    expect(done.map((f) => [f.data.output_index, idOf(f)]).sort()).toEqual(
      added.map((f) => [f.data.output_index, idOf(f)]).sort(),
    );
    // deltas only between their item's added and done, with the item's own output index
    const open = new Map<unknown, unknown>();
    for (const f of frames) {
      if (f.event === 'response.output_item.added') open.set(idOf(f), f.data.output_index);
      else if (f.event === 'response.output_item.done') open.delete(idOf(f));
      else if (f.data.item_id !== undefined) expect(open.get(f.data.item_id)).toBe(f.data.output_index);
    }
    expect(open.size).toBe(0);

    // the final response lists exactly the done items, in output order, and carries usage
    const response = last.data.response as Json;
    const byIndex = [...done].sort((a, b) => Number(a.data.output_index) - Number(b.data.output_index));
    expect(response.output).toEqual(byIndex.map((f) => f.data.item));
    expect((response.output as Json[]).map((o) => o.id)).toEqual(added.map(idOf));
    expect(response.usage).toMatchObject({
      input_tokens: expect.any(Number),
      total_tokens: expect.any(Number),
    });
  });

  it('tool-call argument deltas are written one-for-one, as they arrive', () => {
    const events = fixture<CanonicalStreamEvent[]>('responses/stream-tools.canonical.json');
    const encode = R.createStreamEncoder({ clientModel: 'm', includeUsage: false });
    const written: string[] = [];
    for (const ev of events) {
      const frames = parseFrames(encode(ev));
      if (ev.type === 'tool_call_delta') {
        // the delta is on the wire before the next canonical event is even read
        const deltas = frames.filter((f) => f.event === 'response.function_call_arguments.delta');
        expect(deltas.map((f) => f.data.delta)).toEqual([ev.argumentsDelta]);
      }
      written.push(...frames.map((f) => f.event));
    }
    const canonicalDeltas = events.filter((e) => e.type === 'tool_call_delta').length;
    expect(written.filter((e) => e === 'response.function_call_arguments.delta')).toHaveLength(
      canonicalDeltas,
    );
    expect(canonicalDeltas).toBeGreaterThanOrEqual(4);
  });

  it('function_call items: added with empty arguments, done with the full arguments and name', () => {
    const frames = parseFrames(encodeStream(fixture('responses/stream-tools.canonical.json')));
    const forCall = (id: string): Frame[] =>
      frames.filter((f) => f.data.item_id === id || (f.data.item as Json | undefined)?.id === id);
    const calls = frames
      .filter(
        (f) => f.event === 'response.output_item.added' && (f.data.item as Json).type === 'function_call',
      )
      .map((f) => f.data.item as Json);
    expect(calls.map((c) => [c.call_id, c.name, c.arguments, c.status])).toEqual([
      ['call_aaa', 'get_weather', '', 'in_progress'],
      ['call_bbb', 'get_weather', '', 'in_progress'],
    ]);
    expect(forCall(calls[1].id as string).map((f) => f.event)).toEqual([
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
    ]);
    const argsDone = frames.filter((f) => f.event === 'response.function_call_arguments.done');
    expect(argsDone.map((f) => [f.data.name, f.data.arguments])).toEqual([
      ['get_weather', '{"city":"Paris"}'],
      ['get_weather', '{"city":"Rome"}'],
    ]);
  });

  it('the final response carries usage with cached and reasoning tokens', () => {
    const frames = parseFrames(encodeStream(fixture('responses/stream-tools.canonical.json')));
    const completed = frames[frames.length - 1];
    expect(completed.event).toBe('response.completed');
    expect((completed.data.response as Json).usage).toEqual({
      input_tokens: 300,
      input_tokens_details: { cached_tokens: 256, cache_write_tokens: 0 },
      output_tokens: 50,
      output_tokens_details: { reasoning_tokens: 20 },
      total_tokens: 350,
    });
  });

  it('length → response.incomplete; an error event → response.failed; nothing after the end', () => {
    const length = parseFrames(
      encodeStream([
        { type: 'start', id: 'r1', model: 'm' },
        { type: 'text_delta', text: 'abc' },
        { type: 'finish', stopReason: 'length' },
        { type: 'done' },
      ]),
    );
    const last = length[length.length - 1];
    expect(last.event).toBe('response.incomplete');
    expect(last.data.response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [{ type: 'message', status: 'incomplete' }],
    });

    const encode = R.createStreamEncoder({ clientModel: 'm', includeUsage: true });
    const failed = parseFrames(
      [
        encode({ type: 'text_delta', text: 'abc' }),
        encode({ type: 'error', message: 'upstream overloaded', status: 529 }),
      ].join(''),
    );
    expect(failed.map((f) => f.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.failed',
    ]);
    expect(failed[5].data.response).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'upstream overloaded' },
    });
    expect(encode({ type: 'done' })).toBe('');
  });

  it('a bare done still produces a complete, empty response', () => {
    const frames = parseFrames(encodeStream([{ type: 'done' }]));
    expect(frames.map((f) => f.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.completed',
    ]);
    expect(frames[2].data.response).toMatchObject({ status: 'completed', output: [], usage: null });
  });

  it('a detached signature (Gemini) becomes its own reasoning item carrying encrypted_content', () => {
    const frames = parseFrames(
      encodeStream([
        { type: 'start', id: 'g1', model: 'gemini' },
        { type: 'thinking_signature', signature: 'SIG' },
        { type: 'tool_call_start', index: 0, id: 'call_0', name: 'f' },
        { type: 'tool_call_delta', index: 0, argumentsDelta: '{}' },
        { type: 'finish', stopReason: 'tool_calls' },
        { type: 'done' },
      ]),
    );
    const output = (frames[frames.length - 1].data.response as Json).output;
    expect(output).toEqual([
      { id: 'rs_g1_0', type: 'reasoning', summary: [], encrypted_content: 'SIG' },
      {
        id: 'fc_g1_1',
        type: 'function_call',
        status: 'completed',
        arguments: '{}',
        call_id: 'call_0',
        name: 'f',
      },
    ]);
  });

  it('every encoder call returns whole frames (or nothing)', () => {
    for (const src of SOURCES) {
      const encode = R.createStreamEncoder({ clientModel: 'm', includeUsage: true });
      for (const ev of eventsOf(src)) expect(() => parseFrames(encode(ev))).not.toThrow();
    }
  });

  it('the openai SDK streams it: typed events in order, text deltas, response.completed', async () => {
    const sse = encodeStream(fixture('responses/stream-thinking-tools.canonical.json'), 'codex-claude');
    const expected = parseFrames(sse);
    const stream = await sdkClient(sse).responses.create({
      model: 'codex-claude',
      input: 'hi',
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    let args = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === 'response.output_text.delta') text += ev.delta;
      if (ev.type === 'response.function_call_arguments.delta') args += ev.delta;
      if (ev.type === 'response.completed') completed = ev.response;
    }
    expect(types).toEqual(expected.map((f) => f.event));
    expect(text).toBe('Checking both.');
    expect(args).toBe('{"city": "Paris", "unit": "c"}{"city": "Oslo"}');
    expect(completed?.usage).toMatchObject({ input_tokens: 2520, output_tokens: 89, total_tokens: 2609 });
    expect(completed?.output.map((o) => o.type)).toEqual([
      'reasoning',
      'message',
      'function_call',
      'function_call',
    ]);
  });

  it("the openai SDK's stream helper accumulates the same final response", async () => {
    const sse = encodeStream(fixture('responses/stream-text.canonical.json'), 'codex-mini');
    const stream = sdkClient(sse).responses.stream({ model: 'codex-mini', input: 'hi' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Hello, gateway!');
    expect(final.usage?.total_tokens).toBe(16);
  });
});

// ================================================================ upstream side

describe('upstream side (canonical → Responses request; Responses response/stream → canonical)', () => {
  const full = (): TranslationResult<CanonicalRequest> =>
    R.decodeRequest(fixture('responses/request-full.json'));

  it('encodeRequest golden: stateless (store false), strict off, reasoning replayed by encrypted_content', () => {
    expect(R.encodeRequest(full().value, 'gpt-5')).toEqual(
      fixture('responses/expected-request-from-responses-full.json'),
    );
  });

  it('encodeRequest from an Anthropic client request lists what it drops', () => {
    const canonical = fixture<TranslationResult<CanonicalRequest>>(
      'responses/canonical-request-anthropic.json',
    ).value;
    expect(R.encodeRequest(canonical, 'gpt-5')).toEqual(
      fixture('responses/expected-request-from-anthropic-full.json'),
    );
  });

  it('request round trip: canonical → Responses request → canonical is lossless', () => {
    const canonical = full().value;
    const again = R.decodeRequest(R.encodeRequest(canonical, 'gpt-5').value);
    expect(again).toEqual({ value: { ...canonical, model: 'gpt-5' }, dropped: [] });
  });

  it('decodeResponse golden (reasoning with encrypted_content, message, calls; hosted calls ignored)', () => {
    expect(R.decodeResponse(fixture('responses/response-full.json'))).toEqual(
      fixture('responses/canonical-response-full.json'),
    );
  });

  it.each([
    [{ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } }, 'length'],
    [{ status: 'incomplete', incomplete_details: { reason: 'content_filter' } }, 'content_filter'],
    [{ status: 'failed', error: { code: 'server_error', message: 'x' } }, 'error'],
    [{ status: 'completed' }, 'stop'],
  ])('decodeResponse %j → %s', (body, stopReason) => {
    expect(R.decodeResponse({ output: [], ...body }).stopReason).toBe(stopReason);
  });

  it('response round trip: canonical → Responses object → canonical keeps parts, stop reason and usage', () => {
    for (const src of [
      'responses/canonical-response-anthropic.json',
      'responses/canonical-response-openai.json',
    ]) {
      const canonical = fixture<CanonicalResponse>(src);
      const back = R.decodeResponse(R.encodeResponse(canonical, 'client'));
      expect(back.parts).toEqual(canonical.parts);
      expect(back.stopReason).toBe(canonical.stopReason);
      expect(back.usage).toEqual(canonical.usage);
      expect(back.model).toBe('client');
    }
  });

  it('stream decoder golden', () => {
    const decode = R.createStreamDecoder();
    const events = toSseEvents(fixture<SseFixture[]>('responses/stream-full.json')).flatMap(decode);
    expect(events).toEqual(fixture('responses/stream-full.canonical.json'));
  });

  it('stream round trip: canonical → Responses SSE → canonical', () => {
    const original = fixture<CanonicalStreamEvent[]>('responses/stream-tools.canonical.json');
    const frames = parseFrames(encodeStream(original, 'my-model'));
    const decode = R.createStreamDecoder();
    const back = frames.flatMap((f) => decode({ event: f.event, data: JSON.stringify(f.data) }));
    expect(back).toEqual([
      { type: 'start', id: 'resp_chatcmpl-123', model: 'my-model' },
      ...original.slice(1),
    ]);
  });

  it('stream decoder: failures and error events', () => {
    const decode = R.createStreamDecoder();
    expect(
      decode({
        event: 'response.failed',
        data: JSON.stringify({
          type: 'response.failed',
          response: {
            id: 'r',
            model: 'm',
            status: 'failed',
            error: { code: 'server_error', message: 'boom' },
          },
        }),
      }),
    ).toEqual([
      { type: 'start', id: 'r', model: 'm' },
      { type: 'error', message: 'boom' },
    ]);
    expect(
      R.createStreamDecoder()({
        event: 'error',
        data: JSON.stringify({
          type: 'error',
          code: 'rate_limit_exceeded',
          message: 'slow down',
          param: null,
        }),
      }),
    ).toEqual([{ type: 'error', message: 'slow down' }]);
  });

  it('the other codecs’ canonical requests encode without throwing', () => {
    for (const p of ['openai', 'anthropic', 'gemini']) {
      const canonical = fixture<TranslationResult<CanonicalRequest>>(
        `${p}/canonical-request-full.json`,
      ).value;
      expect(() => R.encodeRequest(canonical, 'gpt-5')).not.toThrow();
    }
  });
});

// ================================================================ errors

describe('errors', () => {
  it('encodeError has the OpenAI shape', () => {
    expect(R.encodeError(400, 'input: is required', 'invalid_request')).toEqual({
      error: {
        message: 'input: is required',
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_request',
      },
    });
    expect(R.encodeError(502, 'All upstreams failed')).toEqual({
      error: { message: 'All upstreams failed', type: 'server_error', param: null, code: null },
    });
  });

  it('decodeError reads OpenAI error bodies and plain text', () => {
    expect(
      R.decodeError(400, {
        error: {
          message: "Item with id 'rs_1' not found.",
          type: 'invalid_request_error',
          param: 'input',
          code: null,
        },
      }),
    ).toEqual({ message: "Item with id 'rs_1' not found.", code: 'invalid_request_error' });
    expect(R.decodeError(502, 'bad gateway')).toEqual({ message: 'bad gateway' });
  });

  it('the SDK raises a typed error from encodeError bodies', async () => {
    const client = new OpenAI({
      apiKey: 'x',
      baseURL: 'http://127.0.0.1:1',
      maxRetries: 0,
      fetch: async () =>
        new Response(JSON.stringify(R.encodeError(400, 'previous_response_id: is not supported')), {
          status: 400,
          headers: { 'content-type': 'application/json' },
        }),
    });
    await expect(client.responses.create({ model: 'm', input: 'x' })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('previous_response_id'),
    });
  });
});
