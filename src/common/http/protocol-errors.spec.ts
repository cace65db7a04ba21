import { errorBody, protocolForPath } from './protocol-errors';

describe('protocolForPath', () => {
  it.each([
    ['/v1/chat/completions', 'openai'],
    ['/openai/v1/models', 'openai'],
    ['/v1/messages', 'anthropic'],
    ['/v1/messages/count_tokens', 'anthropic'],
    ['/anthropic/v1/messages', 'anthropic'],
    ['/gemini/v1beta/models/x:generateContent', 'gemini'],
    ['/v1beta/models/gemini-pro:streamGenerateContent', 'gemini'],
    ['/api/users', 'admin'],
    ['/health', 'admin'],
  ])('%s → %s', (path, protocol) => expect(protocolForPath(path)).toBe(protocol));
});

describe('errorBody', () => {
  const e = { status: 401, message: 'Invalid API key', code: 'invalid_api_key', requestId: 'r1' };
  it('OpenAI shape', () =>
    expect(errorBody('openai', e)).toEqual({
      error: {
        message: 'Invalid API key',
        type: 'authentication_error',
        param: null,
        code: 'invalid_api_key',
      },
    }));
  it('Anthropic shape', () =>
    expect(errorBody('anthropic', e)).toEqual({
      type: 'error',
      error: { type: 'authentication_error', message: 'Invalid API key' },
      request_id: 'r1',
    }));
  it('Gemini shape', () =>
    expect(errorBody('gemini', e)).toEqual({
      error: { code: 401, message: 'Invalid API key', status: 'UNAUTHENTICATED' },
    }));
  it('admin shape', () =>
    expect(errorBody('admin', { status: 503, message: 'Database unavailable' })).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'Database unavailable',
    }));
});
