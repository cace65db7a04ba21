import { matchRoute, modelList, streamErrorFrame } from './front-doors';

describe('matchRoute', () => {
  it.each([
    ['POST', '/v1/chat/completions', { front: 'openai', op: 'chat' }],
    ['POST', '/openai/v1/chat/completions', { front: 'openai', op: 'chat' }],
    ['POST', '/v1/completions', { front: 'openai', op: 'completions' }],
    ['POST', '/v1/embeddings', { front: 'openai', op: 'embeddings' }],
    ['GET', '/v1/models', { front: 'openai', op: 'models' }],
    ['POST', '/v1/responses', { front: 'responses', op: 'chat' }],
    ['POST', '/openai/v1/responses', { front: 'responses', op: 'chat' }],
    ['POST', '/v1/messages', { front: 'anthropic', op: 'chat' }],
    ['POST', '/anthropic/v1/messages?beta=true', { front: 'anthropic', op: 'chat' }],
    ['POST', '/anthropic/v1/messages/count_tokens', { front: 'anthropic', op: 'count_tokens' }],
    ['GET', '/anthropic/v1/models', { front: 'anthropic', op: 'models' }],
    ['GET', '/gemini/v1beta/models', { front: 'gemini', op: 'models' }],
    [
      'POST',
      '/gemini/v1beta/models/gemini-pro:generateContent',
      { front: 'gemini', op: 'chat', model: 'gemini-pro', stream: false, sse: false },
    ],
    [
      'POST',
      '/gemini/v1beta/models/g%2Fx:streamGenerateContent?alt=sse&key=k',
      { front: 'gemini', op: 'chat', model: 'g/x', stream: true, sse: true },
    ],
    [
      'POST',
      '/gemini/v1beta/models/g:countTokens',
      { front: 'gemini', op: 'count_tokens', model: 'g', sse: false },
    ],
    [
      'POST',
      '/gemini/v1beta/models/e:embedContent',
      { front: 'gemini', op: 'embeddings', model: 'e', sse: false },
    ],
  ])('%s %s', (method, url, route) => expect(matchRoute(method, url)).toEqual(route));

  it.each([
    ['GET', '/v1/chat/completions'],
    ['POST', '/v1/key'],
    ['GET', '/v1/key'],
    ['POST', '/anthropic/v1/chat/completions'],
    ['POST', '/openai/v1/messages'],
    ['POST', '/gemini/v1beta/models/x:unknownAction'],
    ['GET', '/api/users'],
  ])('%s %s is not a gateway route', (method, url) => expect(matchRoute(method, url)).toBeUndefined());
});

describe('modelList / streamErrorFrame', () => {
  const models = [
    { name: 'a', type: 'chat' },
    { name: 'e', type: 'embedding' },
  ] as never[];
  it('lists models in each shape', () => {
    expect(modelList('openai', models)).toMatchObject({ object: 'list', data: [{ id: 'a' }, { id: 'e' }] });
    expect(modelList('anthropic', models)).toMatchObject({
      data: [{ type: 'model', id: 'a' }, { id: 'e' }],
      has_more: false,
      first_id: 'a',
      last_id: 'e',
    });
    expect(modelList('gemini', models)).toMatchObject({
      models: [{ name: 'models/a' }, { name: 'models/e', supportedGenerationMethods: ['embedContent'] }],
    });
  });
  it('frames stream errors per protocol', () => {
    expect(streamErrorFrame('anthropic', { type: 'error' }, 502)).toBe(
      'event: error\ndata: {"type":"error"}\n\n',
    );
    expect(streamErrorFrame('openai', { error: {} }, 502)).toBe('data: {"error":{}}\n\n');
  });
});
