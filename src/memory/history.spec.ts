import { codecs } from '../gateway/translate';
import type { CanonicalMessage } from '../gateway/translate/canonical';
import {
  messageTokens,
  prependCanonical,
  ReplyCollector,
  spliceHistory,
  StoredTurn,
  summaryNote,
  transcriptText,
  trimHistory,
} from './history';

const user = (text: string): CanonicalMessage => ({ role: 'user', parts: [{ type: 'text', text }] });
const assistant = (text: string): CanonicalMessage => ({
  role: 'assistant',
  parts: [{ type: 'text', text }],
});
const stored = (m: CanonicalMessage, tokens: number): StoredTurn => ({ ...m, tokens });

describe('messageTokens', () => {
  it('counts text with the tokenizer plus the per-message overhead', () => {
    expect(messageTokens(user('hello world'))).toBe(2 + 3);
    const call: CanonicalMessage = {
      role: 'assistant',
      parts: [{ type: 'tool_call', id: 'c1', name: 'get_weather', arguments: '{"city":"Paris"}' }],
    };
    expect(messageTokens(call)).toBeGreaterThan(5);
  });
});

describe('trimHistory', () => {
  const history = [
    stored(user('u0'), 10),
    stored(assistant('a0'), 10),
    stored(user('u1'), 10),
    stored(assistant('a1'), 10),
    stored(user('u2'), 10),
    stored(assistant('a2'), 10),
  ];

  it('keeps everything that fits', () => {
    expect(trimHistory(history, 100, 20)).toEqual({ kept: history, trimmedMessages: 0, trimmedTokens: 0 });
  });

  it('keeps the newest messages that fit, starting at a user turn', () => {
    // room 30: a2, u2, a1 fit, but a1 cannot start the window, so only u2, a2 remain.
    const r = trimHistory(history, 50, 20);
    expect(r.kept.map((m) => (m.parts[0] as { text: string }).text)).toEqual(['u2', 'a2']);
    expect(r.trimmedMessages).toBe(4);
    expect(r.trimmedTokens).toBe(40);
  });

  it('keeps nothing when the new messages alone fill the budget', () => {
    expect(trimHistory(history, 50, 60).kept).toEqual([]);
    expect(trimHistory(history, 50, 60).trimmedMessages).toBe(6);
  });

  it('never starts with a tool result separated from its call', () => {
    const call: StoredTurn = {
      role: 'assistant',
      parts: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{}' }],
      tokens: 10,
    };
    const result: StoredTurn = {
      role: 'tool',
      parts: [{ type: 'tool_result', toolCallId: 'c', content: 'ok' }],
      tokens: 10,
    };
    const h = [stored(user('q'), 10), call, result, stored(assistant('done'), 10), stored(user('next'), 10)];
    // room 30 fits result, done, next — the window moves on to the next user turn.
    expect(trimHistory(h, 30, 0).kept.map((m) => m.role)).toEqual(['user']);
    expect(trimHistory(h, 50, 0).kept).toHaveLength(5);
  });

  it('keeps the last turn over budget when the new messages are its tool results', () => {
    const call: StoredTurn = {
      role: 'assistant',
      parts: [{ type: 'tool_call', id: 'c', name: 'f', arguments: '{}' }],
      tokens: 50,
    };
    const h = [stored(user('old'), 10), stored(assistant('a'), 10), stored(user('q'), 50), call];
    expect(trimHistory(h, 60, 20).kept).toEqual([]);
    const r = trimHistory(h, 60, 20, true);
    expect(r.kept.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(r.trimmedMessages).toBe(2);
  });
});

describe('spliceHistory', () => {
  const history = [user('before'), assistant('reply')];

  it('OpenAI: after the leading system messages, before the new ones', () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'now' },
      ],
    };
    expect(spliceHistory('openai', body, history, 'session system').messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'before' },
      { role: 'assistant', content: 'reply' },
      { role: 'user', content: 'now' },
    ]);
    // No system message in the body: the session's is used.
    const out = spliceHistory(
      'openai',
      { model: 'm', messages: [{ role: 'user', content: 'now' }] },
      [],
      'S',
    );
    expect(out.messages).toEqual([
      { role: 'system', content: 'S' },
      { role: 'user', content: 'now' },
    ]);
    expect(body.messages).toHaveLength(2); // the input is not mutated
  });

  it('Anthropic: messages, system only when absent, metadata.session_id removed', () => {
    const body = {
      model: 'm',
      max_tokens: 10,
      metadata: { session_id: 'x', user_id: 'u' },
      messages: [{ role: 'user', content: 'now' }],
    };
    const out = spliceHistory('anthropic', body, history, 'S');
    expect(out.messages).toEqual([
      { role: 'user', content: 'before' },
      { role: 'assistant', content: 'reply' },
      { role: 'user', content: 'now' },
    ]);
    expect(out.system).toBe('S');
    expect(out.metadata).toEqual({ user_id: 'u' });
    const own = spliceHistory(
      'anthropic',
      { ...body, system: 'mine', metadata: { session_id: 'x' } },
      [],
      'S',
    );
    expect(own.system).toBe('mine');
    expect(own).not.toHaveProperty('metadata');
  });

  it('Gemini: contents and systemInstruction', () => {
    const out = spliceHistory(
      'gemini',
      { contents: [{ role: 'user', parts: [{ text: 'now' }] }] },
      history,
      'S',
    );
    expect(out.contents).toEqual([
      { role: 'user', parts: [{ text: 'before' }] },
      { role: 'model', parts: [{ text: 'reply' }] },
      { role: 'user', parts: [{ text: 'now' }] },
    ]);
    expect(out.systemInstruction).toEqual({ parts: [{ text: 'S' }] });
  });

  it('every spliced body still decodes in its own protocol', () => {
    for (const p of ['openai', 'anthropic', 'gemini'] as const) {
      const body =
        p === 'gemini'
          ? { model: 'm', contents: [{ role: 'user', parts: [{ text: 'now' }] }] }
          : { model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'now' }] };
      const dec = codecs[p].decodeRequest(spliceHistory(p, body, history, null)).value;
      expect(dec.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user']);
    }
  });
});

describe('prependCanonical', () => {
  it('puts the history first and the session system prompt only when the request has none', () => {
    const req = { model: 'm', stream: false, messages: [user('now')] };
    const out = prependCanonical(req, [user('a')], 'S');
    expect(out.messages.map((m) => (m.parts[0] as { text: string }).text)).toEqual(['a', 'now']);
    expect(out.system).toEqual([{ type: 'text', text: 'S' }]);
    expect(prependCanonical({ ...req, system: [{ type: 'text', text: 'own' }] }, [], 'S').system).toEqual([
      { type: 'text', text: 'own' },
    ]);
  });
});

describe('ReplyCollector', () => {
  it('rebuilds text, thinking with its signature and tool calls from stream events', () => {
    const c = new ReplyCollector();
    c.push({ type: 'start', id: 'r', model: 'm' });
    c.push({ type: 'thinking_delta', text: 'hmm ' });
    c.push({ type: 'thinking_delta', text: 'ok' });
    c.push({ type: 'thinking_signature', signature: 'sig' });
    c.push({ type: 'text_delta', text: 'Hel' });
    c.push({ type: 'text_delta', text: 'lo' });
    c.push({ type: 'tool_call_start', index: 0, id: 'c1', name: 'f' });
    c.push({ type: 'tool_call_start', index: 1, id: 'c2', name: 'g' });
    c.push({ type: 'tool_call_delta', index: 0, argumentsDelta: '{"a":' });
    c.push({ type: 'tool_call_delta', index: 1, argumentsDelta: '{}' });
    c.push({ type: 'tool_call_delta', index: 0, argumentsDelta: '1}' });
    c.push({ type: 'finish', stopReason: 'tool_calls' });
    c.push({ type: 'done' });
    expect(c.result()).toEqual([
      { type: 'thinking', text: 'hmm ok', signature: 'sig' },
      { type: 'text', text: 'Hello' },
      { type: 'tool_call', id: 'c1', name: 'f', arguments: '{"a":1}' },
      { type: 'tool_call', id: 'c2', name: 'g', arguments: '{}' },
    ]);
  });
});

describe('the summary note', () => {
  const note = summaryNote('They planned Lisbon.', 3);

  it('goes after the system prompt in every protocol', () => {
    const o = spliceHistory('openai', { messages: [{ role: 'user', content: 'now' }] }, [], 'S', note);
    expect(o.messages).toEqual([
      { role: 'system', content: 'S' },
      { role: 'system', content: note },
      { role: 'user', content: 'now' },
    ]);
    expect(spliceHistory('anthropic', { system: 'own', messages: [] }, [], 'S', note).system).toBe(
      `own\n\n${note}`,
    );
    expect(
      spliceHistory('anthropic', { system: [{ type: 'text', text: 'own' }], messages: [] }, [], null, note)
        .system,
    ).toEqual([
      { type: 'text', text: 'own' },
      { type: 'text', text: note },
    ]);
    expect(spliceHistory('anthropic', { messages: [] }, [], null, note).system).toBe(note);
    expect(spliceHistory('gemini', { contents: [] }, [], 'S', note).systemInstruction).toEqual({
      parts: [{ text: 'S' }, { text: note }],
    });
    const req = { model: 'm', stream: false, messages: [user('now')] };
    expect(prependCanonical(req, [], null, note).system).toEqual([{ type: 'text', text: note }]);
    expect(note).toContain('messages 0-3');
  });

  it('the summariser reads a plain transcript', () => {
    expect(
      transcriptText([
        user('weather?'),
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'c', name: 'get_weather', arguments: '{}' }] },
        { role: 'tool', parts: [{ type: 'tool_result', toolCallId: 'c', content: 'sunny' }] },
      ]),
    ).toBe('User: weather?\n\nAssistant: [called get_weather({})]\n\nTool: [tool result: sunny]');
  });
});
