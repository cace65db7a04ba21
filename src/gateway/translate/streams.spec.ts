import { fixture, parseSseText, toSseEvents, type SseFixture } from '../../../test/fixtures/fixture-io';
import { codecs, type CanonicalStreamEvent, type ProtocolName, type SseEvent } from './index';

/**
 * Streams: upstream SSE events → canonical events → client SSE text. Inputs are JSON arrays of SSE
 * events; expected outputs are the client's SSE frames (event name + parsed data), compared after
 * checking the framing of the raw text.
 */
const SOURCES: Record<ProtocolName, { input: string; canonical: string }> = {
  anthropic: {
    input: 'anthropic/stream-thinking-tools.json',
    canonical: 'anthropic/stream-thinking-tools.canonical.json',
  },
  openai: { input: 'openai/stream-tools.json', canonical: 'openai/stream-tools.canonical.json' },
  gemini: { input: 'gemini/stream-text-tools.json', canonical: 'gemini/stream-text-tools.canonical.json' },
};

const DIRECTIONS: {
  from: ProtocolName;
  to: ProtocolName;
  clientModel: string;
  includeUsage: boolean;
  expected: string;
}[] = [
  {
    from: 'anthropic',
    to: 'openai',
    clientModel: 'gpt-proxy',
    includeUsage: true,
    expected: 'openai/expected-stream-from-anthropic.json',
  },
  {
    from: 'anthropic',
    to: 'anthropic',
    clientModel: 'claude-sonnet-4-5',
    includeUsage: true,
    expected: 'anthropic/expected-stream-from-anthropic.json',
  },
  {
    from: 'anthropic',
    to: 'gemini',
    clientModel: 'gemini-proxy',
    includeUsage: true,
    expected: 'gemini/expected-stream-from-anthropic.json',
  },
  {
    from: 'openai',
    to: 'openai',
    clientModel: 'my-model',
    includeUsage: false,
    expected: 'openai/expected-stream-from-openai.json',
  },
  {
    from: 'openai',
    to: 'anthropic',
    clientModel: 'claude-proxy',
    includeUsage: true,
    expected: 'anthropic/expected-stream-from-openai.json',
  },
  {
    from: 'openai',
    to: 'gemini',
    clientModel: 'gemini-proxy',
    includeUsage: true,
    expected: 'gemini/expected-stream-from-openai.json',
  },
  {
    from: 'gemini',
    to: 'openai',
    clientModel: 'gpt-proxy',
    includeUsage: true,
    expected: 'openai/expected-stream-from-gemini.json',
  },
  {
    from: 'gemini',
    to: 'anthropic',
    clientModel: 'claude-proxy',
    includeUsage: true,
    expected: 'anthropic/expected-stream-from-gemini.json',
  },
  {
    from: 'gemini',
    to: 'gemini',
    clientModel: 'gemini-2.5-flash',
    includeUsage: true,
    expected: 'gemini/expected-stream-from-gemini.json',
  },
];

function upstreamEvents(from: ProtocolName): SseEvent[] {
  return toSseEvents(fixture<SseFixture[]>(SOURCES[from].input));
}

/** Decodes an upstream stream; like the gateway, adds `done` at the end of a Gemini stream. */
function decodeStream(from: ProtocolName): CanonicalStreamEvent[] {
  const decode = codecs[from].createStreamDecoder();
  const events = upstreamEvents(from).flatMap(decode);
  return from === 'gemini' ? [...events, { type: 'done' }] : events;
}

beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(1_750_000_000_000));
afterEach(() => jest.restoreAllMocks());

describe('stream decoding (upstream SSE → canonical events)', () => {
  it.each(Object.keys(SOURCES) as ProtocolName[])('%s stream → canonical golden', (from) => {
    const decode = codecs[from].createStreamDecoder();
    expect(upstreamEvents(from).flatMap(decode)).toEqual(fixture(SOURCES[from].canonical));
  });
});

describe('stream encoding (canonical events → client SSE)', () => {
  it.each(DIRECTIONS)('$from → $to', ({ from, to, clientModel, includeUsage, expected }) => {
    const encode = codecs[to].createStreamEncoder({ clientModel, includeUsage });
    const text = decodeStream(from).map(encode).join('');
    expect(parseSseText(text)).toEqual(fixture(expected));
  });

  it('every encoder call returns whole frames (or nothing)', () => {
    for (const d of DIRECTIONS) {
      const encode = codecs[d.to].createStreamEncoder({
        clientModel: d.clientModel,
        includeUsage: d.includeUsage,
      });
      for (const ev of decodeStream(d.from)) {
        const out = encode(ev);
        expect(() => parseSseText(out)).not.toThrow();
      }
    }
  });
});

describe('tool-call argument deltas are streamed as they arrive', () => {
  const partials = (events: SseEvent[]): string[] =>
    events.flatMap((e) => {
      const d = JSON.parse(e.data) as { delta?: { type?: string; partial_json?: string } };
      return d.delta?.type === 'input_json_delta' && d.delta.partial_json ? [d.delta.partial_json] : [];
    });

  it('Anthropic input_json_delta → one OpenAI tool_calls chunk per delta, written immediately', () => {
    const decode = codecs.anthropic.createStreamDecoder();
    const encode = codecs.openai.createStreamEncoder({ clientModel: 'gpt', includeUsage: false });
    const written: string[] = [];
    for (const ev of upstreamEvents('anthropic')) {
      const d = JSON.parse(ev.data) as { delta?: { type?: string; partial_json?: string }; index?: number };
      const out = parseSseText(decode(ev).map(encode).join(''));
      if (d.delta?.type === 'input_json_delta' && d.delta.partial_json) {
        // This very upstream event produced exactly one client chunk carrying exactly this fragment.
        expect(out).toHaveLength(1);
        const chunk = out[0].data as {
          choices: { delta: { tool_calls: { function: { arguments: string } }[] } }[];
        };
        expect(chunk.choices[0].delta.tool_calls).toHaveLength(1);
        expect(chunk.choices[0].delta.tool_calls[0].function.arguments).toBe(d.delta.partial_json);
        written.push(d.delta.partial_json);
      }
    }
    expect(written).toEqual(partials(upstreamEvents('anthropic')));
    expect(written).toHaveLength(5);
  });

  it('Anthropic input_json_delta → Anthropic client, one frame per delta', () => {
    const decode = codecs.anthropic.createStreamDecoder();
    const encode = codecs.anthropic.createStreamEncoder({ clientModel: 'c', includeUsage: true });
    for (const ev of upstreamEvents('anthropic')) {
      const d = JSON.parse(ev.data) as { delta?: { type?: string; partial_json?: string } };
      const out = parseSseText(decode(ev).map(encode).join(''));
      if (d.delta?.type === 'input_json_delta' && d.delta.partial_json) {
        expect(out).toEqual([
          { event: 'content_block_delta', data: expect.objectContaining({ delta: d.delta }) as unknown },
        ]);
      }
    }
  });

  it('OpenAI tool_calls argument chunks → one Anthropic input_json_delta each', () => {
    const decode = codecs.openai.createStreamDecoder();
    const encode = codecs.anthropic.createStreamEncoder({ clientModel: 'c', includeUsage: true });
    const deltas: string[] = [];
    for (const ev of upstreamEvents('openai')) {
      for (const frame of parseSseText(decode(ev).map(encode).join(''))) {
        const d = frame.data as { delta?: { type?: string; partial_json?: string } };
        if (d.delta?.type === 'input_json_delta') deltas.push(d.delta.partial_json ?? '');
      }
    }
    expect(deltas).toEqual(['{"city":', '"Paris"}', '{"ci', 'ty":"Rome"}']);
  });

  it('the streamed OpenAI arguments reassemble into the tool inputs', () => {
    const encode = codecs.openai.createStreamEncoder({ clientModel: 'gpt', includeUsage: false });
    const args = new Map<number, string>();
    for (const frame of parseSseText(decodeStream('anthropic').map(encode).join(''))) {
      if (frame.data === '[DONE]') continue;
      const chunk = frame.data as {
        choices: { delta: { tool_calls?: { index: number; function: { arguments: string } }[] } }[];
      };
      for (const tc of chunk.choices[0]?.delta.tool_calls ?? [])
        args.set(tc.index, (args.get(tc.index) ?? '') + tc.function.arguments);
    }
    expect([...args.values()].map((a) => JSON.parse(a) as unknown)).toEqual([
      { city: 'Paris', unit: 'c' },
      { city: 'Oslo' },
    ]);
  });
});

describe('stream details', () => {
  it('thinking signature passes Anthropic → canonical → Anthropic byte-for-byte', () => {
    const sig = 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds/+sig==';
    const encode = codecs.anthropic.createStreamEncoder({ clientModel: 'c', includeUsage: true });
    const text = decodeStream('anthropic').map(encode).join('');
    expect(text).toContain(`"signature":"${sig}"`);
  });

  it('message_start carries the upstream input tokens (cache reads excluded, as Anthropic counts)', () => {
    const encode = codecs.anthropic.createStreamEncoder({ clientModel: 'c', includeUsage: true });
    const first = parseSseText(encode(decodeStream('anthropic')[0]));
    expect(first).toEqual([
      {
        event: 'message_start',
        data: expect.objectContaining({
          message: expect.objectContaining({
            usage: {
              input_tokens: 472,
              output_tokens: 2,
              cache_creation_input_tokens: 0,
              cache_read_input_tokens: 2048,
            },
          }) as unknown,
        }) as unknown,
      },
    ]);
  });

  it('OpenAI decoder: a new id at a reused index starts a new call', () => {
    const decode = codecs.openai.createStreamDecoder();
    const chunk = (delta: unknown, finish: string | null = null): SseEvent => ({
      data: JSON.stringify({ id: 'x', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] }),
    });
    const events = [
      chunk({ tool_calls: [{ index: 0, id: 'a', function: { name: 'f', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 0, id: 'b', function: { name: 'g', arguments: '{"x":1}' } }] }),
      chunk({}, 'stop'),
      { data: '[DONE]' },
    ].flatMap(decode);
    expect(events).toEqual([
      { type: 'start', id: 'x', model: 'm' },
      { type: 'tool_call_start', index: 0, id: 'a', name: 'f' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{}' },
      { type: 'tool_call_start', index: 1, id: 'b', name: 'g' },
      { type: 'tool_call_delta', index: 1, argumentsDelta: '{"x":1}' },
      { type: 'finish', stopReason: 'tool_calls' },
      { type: 'done' },
    ]);
  });

  it.each(['openai', 'anthropic', 'gemini'] as const)(
    '%s decoder: an event whose data is not JSON is a malformed-stream error, an empty or non-object one is skipped',
    (protocol) => {
      const decode = codecs[protocol].createStreamDecoder();
      const broken = {
        event: protocol === 'anthropic' ? 'content_block_delta' : undefined,
        data: '{"type":"con',
      };
      expect(decode(broken)).toEqual([
        {
          type: 'error',
          message: 'upstream sent a stream event that is not valid JSON',
          status: 502,
          malformed: true,
        },
      ]);
      expect(decode({ data: '' })).toEqual([]);
      expect(decode({ data: '  ' })).toEqual([]);
      expect(decode({ data: '42' })).toEqual([]);
    },
  );

  it('an upstream error event decodes as an error that is not marked malformed', () => {
    expect(
      codecs.anthropic.createStreamDecoder()({
        event: 'error',
        data: JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'busy' } }),
      }),
    ).toEqual([{ type: 'error', message: 'busy', status: 529 }]);
    expect(
      codecs.openai.createStreamDecoder()({
        data: JSON.stringify({ error: { message: 'boom', code: 500 } }),
      }),
    ).toEqual([{ type: 'error', message: 'boom', status: 500 }]);
  });

  it('OpenAI encoder without includeUsage writes no usage chunk; with it, usage comes after finish', () => {
    const events: CanonicalStreamEvent[] = [
      { type: 'start', id: 'r', model: 'm' },
      { type: 'text_delta', text: 'hi' },
      { type: 'finish', stopReason: 'length' },
      { type: 'usage', usage: { inputTokens: 5, outputTokens: 1 } },
      { type: 'done' },
    ];
    const run = (includeUsage: boolean): SseFixture[] => {
      const encode = codecs.openai.createStreamEncoder({ clientModel: 'm', includeUsage });
      return parseSseText(events.map(encode).join(''));
    };
    expect(run(false).map((f) => f.data === '[DONE]' || (f.data as { usage?: unknown }).usage)).toEqual([
      undefined,
      undefined,
      undefined,
      true,
    ]);
    const withUsage = run(true);
    expect(withUsage).toHaveLength(5);
    expect(withUsage[3].data).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
    });
    expect(withUsage[2].data).toMatchObject({ choices: [{ finish_reason: 'length' }] });
  });
});
