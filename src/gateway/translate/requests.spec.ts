import { fixture } from '../../../test/fixtures/fixture-io';
import { codecs, type CanonicalRequest, type ProtocolName, type TranslationResult } from './index';

/**
 * Requests: client protocol → canonical → upstream protocol, against hand-written golden files.
 * Each source request carries a system prompt, multi-turn history, images (URL and base64), tools,
 * parallel tool calls with their results, and sampling parameters.
 */
const SOURCES: Record<ProtocolName, { input: string; canonical: string }> = {
  openai: { input: 'openai/request-full.json', canonical: 'openai/canonical-request-full.json' },
  anthropic: { input: 'anthropic/request-full.json', canonical: 'anthropic/canonical-request-full.json' },
  gemini: { input: 'gemini/request-full.json', canonical: 'gemini/canonical-request-full.json' },
};

const DIRECTIONS: { from: ProtocolName; to: ProtocolName; upstreamModel: string; expected: string }[] = [
  {
    from: 'openai',
    to: 'openai',
    upstreamModel: 'gpt-4o-2024-08-06',
    expected: 'openai/expected-from-openai-full.json',
  },
  {
    from: 'openai',
    to: 'anthropic',
    upstreamModel: 'claude-sonnet-4-5',
    expected: 'anthropic/expected-from-openai-full.json',
  },
  {
    from: 'openai',
    to: 'gemini',
    upstreamModel: 'gemini-2.5-pro',
    expected: 'gemini/expected-from-openai-full.json',
  },
  {
    from: 'anthropic',
    to: 'anthropic',
    upstreamModel: 'claude-sonnet-4-5-20250929',
    expected: 'anthropic/expected-from-anthropic-full.json',
  },
  {
    from: 'anthropic',
    to: 'openai',
    upstreamModel: 'gpt-4.1',
    expected: 'openai/expected-from-anthropic-full.json',
  },
  {
    from: 'anthropic',
    to: 'gemini',
    upstreamModel: 'gemini-2.5-pro',
    expected: 'gemini/expected-from-anthropic-full.json',
  },
  {
    from: 'gemini',
    to: 'gemini',
    upstreamModel: 'gemini-2.5-flash',
    expected: 'gemini/expected-from-gemini-full.json',
  },
  {
    from: 'gemini',
    to: 'openai',
    upstreamModel: 'gpt-4o',
    expected: 'openai/expected-from-gemini-full.json',
  },
  {
    from: 'gemini',
    to: 'anthropic',
    upstreamModel: 'claude-sonnet-4-5',
    expected: 'anthropic/expected-from-gemini-full.json',
  },
];

function decodeSource(from: ProtocolName): TranslationResult<CanonicalRequest> {
  return codecs[from].decodeRequest(fixture(SOURCES[from].input));
}

describe('request decoding (client → canonical)', () => {
  it.each(Object.keys(SOURCES) as ProtocolName[])('%s request → canonical golden', (from) => {
    expect(decodeSource(from)).toEqual(fixture(SOURCES[from].canonical));
  });
});

describe('request encoding (canonical → upstream)', () => {
  it.each(DIRECTIONS)('$from → $to', ({ from, to, upstreamModel, expected }) => {
    const canonical = decodeSource(from).value;
    expect(codecs[to].encodeRequest(canonical, upstreamModel)).toEqual(fixture(expected));
  });

  it.each(DIRECTIONS.filter((d) => d.from === d.to))(
    '$from → $to → canonical again gives the same canonical request',
    ({ from, upstreamModel }) => {
      const canonical = decodeSource(from).value;
      const encoded = codecs[from].encodeRequest(canonical, upstreamModel).value;
      const again = codecs[from].decodeRequest(encoded);
      const model = from === 'gemini' ? '' : upstreamModel; // Gemini carries the model in the URL
      // Anthropic's default (parallel tool use allowed) is not re-sent, so it decodes as absent.
      const parallelToolCalls = from === 'anthropic' ? undefined : canonical.parallelToolCalls;
      expect(again).toEqual({ value: { ...canonical, model, parallelToolCalls }, dropped: [] });
    },
  );

  it('does not mutate the canonical request while encoding', () => {
    for (const from of Object.keys(SOURCES) as ProtocolName[]) {
      const canonical = decodeSource(from).value;
      const snapshot = JSON.stringify(canonical);
      for (const to of Object.keys(codecs) as ProtocolName[]) codecs[to].encodeRequest(canonical, 'm');
      expect(JSON.stringify(canonical)).toBe(snapshot);
    }
  });
});

describe('request details', () => {
  const base = (extra: Record<string, unknown> = {}): CanonicalRequest => ({
    model: 'x',
    messages: [{ role: 'user', parts: [{ type: 'text', text: 'hi' }] }],
    stream: false,
    ...extra,
  });

  it('Anthropic: max_tokens defaults to 4096 and grows to fit a thinking budget', () => {
    expect(codecs.anthropic.encodeRequest(base(), 'claude').value.max_tokens).toBe(4096);
    const high = codecs.anthropic.encodeRequest(base({ reasoning: { effort: 'high' } }), 'claude').value;
    expect(high).toMatchObject({
      max_tokens: 24576 + 4096,
      thinking: { type: 'enabled', budget_tokens: 24576 },
    });
    const capped = codecs.anthropic.encodeRequest(
      base({ maxTokens: 4000, reasoning: { budgetTokens: 8000 } }),
      'c',
    );
    expect(capped.value).toMatchObject({
      max_tokens: 4000,
      thinking: { type: 'enabled', budget_tokens: 2000 },
    });
    const tooSmall = codecs.anthropic.encodeRequest(
      base({ maxTokens: 1000, reasoning: { effort: 'low' } }),
      'c',
    );
    expect(tooSmall.value.thinking).toBeUndefined();
    expect(tooSmall.dropped).toEqual(['reasoning']);
  });

  it('Anthropic: OpenAI tool messages and the following user turn become one user message', () => {
    const { value } = codecs.openai.decodeRequest({
      model: 'gpt',
      messages: [
        { role: 'user', content: 'weather in A and B?' },
        {
          role: 'assistant',
          content: '',
          tool_calls: [
            { id: 'c1', type: 'function', function: { name: 'w', arguments: '{"city":"A"}' } },
            { id: 'c2', type: 'function', function: { name: 'w', arguments: '{"city":"B"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'c1', content: 'sun' },
        { role: 'tool', tool_call_id: 'c2', content: 'rain' },
        { role: 'user', content: 'thanks, and tomorrow?' },
      ],
    });
    const messages = codecs.anthropic.encodeRequest(value, 'claude').value.messages;
    expect(messages).toEqual([
      { role: 'user', content: 'weather in A and B?' },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'c1', name: 'w', input: { city: 'A' } },
          { type: 'tool_use', id: 'c2', name: 'w', input: { city: 'B' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'c1', content: 'sun' },
          { type: 'tool_result', tool_use_id: 'c2', content: 'rain' },
          { type: 'text', text: 'thanks, and tomorrow?' },
        ],
      },
    ]);
  });

  it('Anthropic: response_format has no equivalent and is listed as dropped', () => {
    const res = codecs.anthropic.encodeRequest(base({ responseFormat: { type: 'json_object' } }), 'claude');
    expect(res.value.response_format).toBeUndefined();
    expect(res.dropped).toEqual(['response_format']);
  });

  it('OpenAI ⇄ Gemini: JSON mode and structured output', () => {
    const jsonMode = codecs.openai.decodeRequest({
      model: 'gpt',
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_object' },
    }).value;
    expect(codecs.gemini.encodeRequest(jsonMode, 'g').value.generationConfig).toEqual({
      responseMimeType: 'application/json',
    });
    const schema = codecs.openai.decodeRequest({
      model: 'gpt',
      messages: [{ role: 'user', content: 'x' }],
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'answer',
          strict: true,
          schema: {
            type: 'object',
            properties: { kind: { const: 'a' }, item: { $ref: '#/$defs/item' } },
            $defs: { item: { type: 'object', properties: { n: { type: 'integer' } } } },
            additionalProperties: false,
          },
        },
      },
    }).value;
    expect(codecs.gemini.encodeRequest(schema, 'g')).toEqual({
      value: {
        contents: [{ role: 'user', parts: [{ text: 'x' }] }],
        generationConfig: {
          responseMimeType: 'application/json',
          responseSchema: {
            type: 'object',
            properties: {
              kind: { enum: ['a'] },
              item: { type: 'object', properties: { n: { type: 'integer' } } },
            },
          },
        },
      },
      dropped: [
        'response_format.schema.additionalProperties',
        'response_format.json_schema.name',
        'response_format.json_schema.strict',
      ],
    });
  });

  it('Gemini: accepts snake_case field names and an absent model', () => {
    const { value, dropped } = codecs.gemini.decodeRequest({
      system_instruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'hi' }, { inline_data: { mime_type: 'image/png', data: 'AAAA' } }] },
        { role: 'model', parts: [{ function_call: { name: 'f', args: { a: 1 } } }] },
        { role: 'user', parts: [{ function_response: { name: 'f', response: { error: 'boom' } } }] },
      ],
      generation_config: { max_output_tokens: 64, stop_sequences: ['x'] },
    });
    expect(dropped).toEqual([]);
    expect(value).toEqual({
      model: '',
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [
        {
          role: 'user',
          parts: [
            { type: 'text', text: 'hi' },
            { type: 'image', mediaType: 'image/png', data: 'AAAA' },
          ],
        },
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_0', name: 'f', arguments: '{"a":1}' }] },
        {
          role: 'tool',
          parts: [{ type: 'tool_result', toolCallId: 'call_0', name: 'f', content: 'boom', isError: true }],
        },
      ],
      maxTokens: 64,
      stop: ['x'],
      stream: false,
    });
  });

  it('OpenAI: reasoning_content in history is listed as dropped, image detail survives', () => {
    const { value } = codecs.openai.decodeRequest({
      model: 'deepseek-reasoner',
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a', reasoning_content: 'thought' },
        { role: 'user', content: 'q2' },
      ],
    });
    expect(value.messages[1]).toEqual({
      role: 'assistant',
      parts: [
        { type: 'thinking', text: 'thought' },
        { type: 'text', text: 'a' },
      ],
    });
    const out = codecs.openai.encodeRequest(value, 'deepseek-reasoner');
    expect(out.value.messages).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
      { role: 'user', content: 'q2' },
    ]);
    expect(out.dropped).toEqual(['reasoning_content']);
  });

  it('Anthropic: unsigned thinking (from another protocol) is not replayed, signed thinking is', () => {
    const req = base({
      messages: [
        { role: 'user', parts: [{ type: 'text', text: 'q' }] },
        {
          role: 'assistant',
          parts: [
            { type: 'thinking', text: 'from deepseek' },
            { type: 'thinking', text: 'signed', signature: 'sig/+==' },
            { type: 'text', text: 'a' },
          ],
        },
      ],
    });
    const out = codecs.anthropic.encodeRequest(req, 'claude');
    expect(out.value.messages).toEqual([
      { role: 'user', content: 'q' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'signed', signature: 'sig/+==' },
          { type: 'text', text: 'a' },
        ],
      },
    ]);
    expect(out.dropped).toEqual(['thinking']);
  });
});
