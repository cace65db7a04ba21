import { fixture } from '../../../test/fixtures/fixture-io';
import { codecs, type CanonicalResponse, type CanonicalStopReason, type ProtocolName } from './index';

/** Non-stream responses: upstream protocol → canonical → client protocol. */
const SOURCES: Record<ProtocolName, { input: string; canonical: string }> = {
  openai: { input: 'openai/response-tools.json', canonical: 'openai/canonical-response-tools.json' },
  anthropic: { input: 'anthropic/response-full.json', canonical: 'anthropic/canonical-response-full.json' },
  gemini: { input: 'gemini/response-full.json', canonical: 'gemini/canonical-response-full.json' },
};

const DIRECTIONS: { from: ProtocolName; to: ProtocolName; clientModel: string; expected: string }[] = [
  {
    from: 'openai',
    to: 'openai',
    clientModel: 'my-gpt',
    expected: 'openai/expected-response-from-openai.json',
  },
  {
    from: 'openai',
    to: 'anthropic',
    clientModel: 'claude-sonnet-4-5',
    expected: 'anthropic/expected-response-from-openai.json',
  },
  {
    from: 'openai',
    to: 'gemini',
    clientModel: 'gemini-2.5-pro',
    expected: 'gemini/expected-response-from-openai.json',
  },
  {
    from: 'anthropic',
    to: 'anthropic',
    clientModel: 'claude-sonnet-4-5',
    expected: 'anthropic/expected-response-from-anthropic.json',
  },
  {
    from: 'anthropic',
    to: 'openai',
    clientModel: 'claude-via-openai',
    expected: 'openai/expected-response-from-anthropic.json',
  },
  {
    from: 'anthropic',
    to: 'gemini',
    clientModel: 'gemini-proxy',
    expected: 'gemini/expected-response-from-anthropic.json',
  },
  {
    from: 'gemini',
    to: 'gemini',
    clientModel: 'gemini-2.5-flash',
    expected: 'gemini/expected-response-from-gemini.json',
  },
  {
    from: 'gemini',
    to: 'openai',
    clientModel: 'gpt-proxy',
    expected: 'openai/expected-response-from-gemini.json',
  },
  {
    from: 'gemini',
    to: 'anthropic',
    clientModel: 'claude-proxy',
    expected: 'anthropic/expected-response-from-gemini.json',
  },
];

beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(1_750_000_000_000));
afterEach(() => jest.restoreAllMocks());

describe('response decoding (upstream → canonical)', () => {
  it.each(Object.keys(SOURCES) as ProtocolName[])('%s response → canonical golden', (from) => {
    expect(codecs[from].decodeResponse(fixture(SOURCES[from].input))).toEqual(
      fixture(SOURCES[from].canonical),
    );
  });
});

describe('response encoding (canonical → client)', () => {
  it.each(DIRECTIONS)('$from → $to', ({ from, to, clientModel, expected }) => {
    const canonical = codecs[from].decodeResponse(fixture(SOURCES[from].input));
    expect(codecs[to].encodeResponse(canonical, clientModel)).toEqual(fixture(expected));
  });

  it('Anthropic thinking signatures and redacted data survive byte-for-byte', () => {
    const original = fixture<{ content: unknown[] }>('anthropic/response-full.json');
    const back = codecs.anthropic.encodeResponse(
      codecs.anthropic.decodeResponse(original),
      'claude-sonnet-4-5',
    ) as { content: unknown[] };
    expect(JSON.stringify(back.content)).toBe(JSON.stringify(original.content));
  });

  it('usage: cached tokens are inside OpenAI/Gemini prompt counts and outside Anthropic input_tokens', () => {
    const fromOpenAI = codecs.openai.decodeResponse({
      id: 'x',
      choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1000, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 600 } },
    });
    const anthropic = codecs.anthropic.encodeResponse(fromOpenAI, 'c');
    expect(anthropic.usage).toEqual({ input_tokens: 400, output_tokens: 10, cache_read_input_tokens: 600 });
    const back = codecs.anthropic.decodeResponse(anthropic);
    expect(back.usage).toEqual({ inputTokens: 1000, outputTokens: 10, cachedInputTokens: 600 });
    expect(codecs.gemini.encodeResponse(back, 'g').usageMetadata).toEqual({
      promptTokenCount: 1000,
      candidatesTokenCount: 10,
      totalTokenCount: 1010,
      cachedContentTokenCount: 600,
    });
  });
});

describe('stop reasons', () => {
  const text = (stopReason: CanonicalStopReason): CanonicalResponse => ({
    id: 'r',
    model: 'm',
    parts: [{ type: 'text', text: 'x' }],
    stopReason,
  });
  const finishOf = (protocol: ProtocolName, stopReason: CanonicalStopReason): unknown => {
    const body = codecs[protocol].encodeResponse(text(stopReason), 'm');
    if (protocol === 'anthropic') return body.stop_reason;
    if (protocol === 'openai') return (body.choices as { finish_reason: string }[])[0].finish_reason;
    return (body.candidates as { finishReason: string }[])[0].finishReason;
  };

  it.each([
    ['stop', 'stop', 'end_turn', 'STOP'],
    ['length', 'length', 'max_tokens', 'MAX_TOKENS'],
    ['tool_calls', 'tool_calls', 'tool_use', 'STOP'],
    ['content_filter', 'content_filter', 'refusal', 'SAFETY'],
  ] as const)('canonical %s → openai %s, anthropic %s, gemini %s', (canonical, openai, anthropic, gemini) => {
    expect(finishOf('openai', canonical)).toBe(openai);
    expect(finishOf('anthropic', canonical)).toBe(anthropic);
    expect(finishOf('gemini', canonical)).toBe(gemini);
  });

  it.each([
    ['anthropic', { stop_reason: 'end_turn' }, 'stop'],
    ['anthropic', { stop_reason: 'stop_sequence' }, 'stop'],
    ['anthropic', { stop_reason: 'max_tokens' }, 'length'],
    ['anthropic', { stop_reason: 'tool_use' }, 'tool_calls'],
    ['anthropic', { stop_reason: 'refusal' }, 'content_filter'],
    ['openai', { choices: [{ index: 0, message: {}, finish_reason: 'length' }] }, 'length'],
    ['openai', { choices: [{ index: 0, message: {}, finish_reason: 'content_filter' }] }, 'content_filter'],
    [
      'gemini',
      { candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: 'MAX_TOKENS' }] },
      'length',
    ],
    [
      'gemini',
      { candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: 'SAFETY' }] },
      'content_filter',
    ],
    [
      'gemini',
      { candidates: [{ content: { parts: [{ text: 'x' }] }, finishReason: 'RECITATION' }] },
      'content_filter',
    ],
    ['gemini', { promptFeedback: { blockReason: 'SAFETY' } }, 'content_filter'],
    [
      'gemini',
      {
        candidates: [
          { content: { parts: [{ functionCall: { name: 'f', args: {} } }] }, finishReason: 'STOP' },
        ],
      },
      'tool_calls',
    ],
  ] as const)('%s %j → %s', (protocol, body, expected) => {
    expect(codecs[protocol].decodeResponse(body).stopReason).toBe(expected);
  });
});
