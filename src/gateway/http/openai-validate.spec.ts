import { validateOpenAiRequest } from './openai-validate';

const chat = (extra: Record<string, unknown>) => ({
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  ...extra,
});

describe('validateOpenAiRequest', () => {
  it('accepts valid chat, completions and embeddings requests (unknown fields pass)', () => {
    expect(
      validateOpenAiRequest('chat', chat({ stream: true, temperature: 0.2, x_vendor: { a: 1 } })),
    ).toBeUndefined();
    expect(
      validateOpenAiRequest('chat', {
        model: 'm',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: [{ type: 'text', text: 'hi' }] },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
          },
          { role: 'tool', tool_call_id: 'c', content: 'ok' },
        ],
        tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
        tool_choice: 'auto',
        stop: ['END'],
      }),
    ).toBeUndefined();
    expect(validateOpenAiRequest('completions', { model: 'm', prompt: ['a', 'b'] })).toBeUndefined();
    expect(validateOpenAiRequest('completions', { model: 'm', prompt: [1, 2, 3] })).toBeUndefined();
    expect(
      validateOpenAiRequest('embeddings', { model: 'm', input: [[1, 2]], encoding_format: 'base64' }),
    ).toBeUndefined();
  });

  it.each([
    ['messages', chat({ messages: 'hi' })],
    ['messages', chat({ messages: [] })],
    ['messages[0]', chat({ messages: [1] })],
    ['messages[0].role', chat({ messages: [{ role: 'wizard', content: 'x' }] })],
    ['messages[0].content', chat({ messages: [{ role: 'user' }] })],
    ['messages[0].content', chat({ messages: [{ role: 'user', content: 5 }] })],
    ['messages[0].content[0]', chat({ messages: [{ role: 'user', content: ['x'] }] })],
    ['stream', chat({ stream: 'yes' })],
    ['max_tokens', chat({ max_tokens: '10' })],
    ['max_tokens', chat({ max_tokens: 0 })],
    ['temperature', chat({ temperature: 3 })],
    ['n', chat({ n: 0 })],
    ['tools', chat({ tools: 'x' })],
    ['tools[0]', chat({ tools: [{ type: 'function' }] })],
    ['stop', chat({ stop: [1] })],
    ['tool_choice', chat({ tool_choice: 5 })],
  ])('names %s in a bad chat request', (param, body) => {
    expect(validateOpenAiRequest('chat', body)).toMatchObject({ param });
  });

  it('checks prompts and embedding inputs', () => {
    expect(validateOpenAiRequest('completions', { model: 'm' })).toMatchObject({ param: 'prompt' });
    expect(validateOpenAiRequest('completions', { model: 'm', prompt: { x: 1 } })).toMatchObject({
      param: 'prompt',
    });
    expect(validateOpenAiRequest('embeddings', { model: 'm', input: [] })).toMatchObject({ param: 'input' });
    expect(validateOpenAiRequest('embeddings', { model: 'm', input: [{}] })).toMatchObject({
      param: 'input',
    });
    expect(
      validateOpenAiRequest('embeddings', { model: 'm', input: 'x', encoding_format: 'hex' }),
    ).toMatchObject({
      param: 'encoding_format',
    });
  });
});
