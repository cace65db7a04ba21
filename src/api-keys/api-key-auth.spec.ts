import { extractApiKey } from './api-key-auth';

describe('extractApiKey', () => {
  it('reads Authorization: Bearer', () => {
    expect(extractApiKey({ authorization: 'Bearer sk-abc' }, '/v1/models')).toBe('sk-abc');
    expect(extractApiKey({ authorization: 'bearer sk-abc ' }, '/v1/models')).toBe('sk-abc');
  });
  it('reads x-api-key and x-goog-api-key', () => {
    expect(extractApiKey({ 'x-api-key': 'sk-a' }, '/v1/messages')).toBe('sk-a');
    expect(extractApiKey({ 'x-goog-api-key': 'sk-g' }, '/gemini/v1beta/models')).toBe('sk-g');
  });
  it('reads ?key=', () => {
    expect(extractApiKey({}, '/gemini/v1beta/models/x:generateContent?alt=sse&key=sk-q')).toBe('sk-q');
  });
  it('prefers the Authorization header and ignores other schemes', () => {
    expect(extractApiKey({ authorization: 'Bearer sk-1', 'x-api-key': 'sk-2' }, '/?key=sk-3')).toBe('sk-1');
    expect(extractApiKey({ authorization: 'Basic Zm9vOmJhcg==' }, '/v1/models')).toBeUndefined();
    expect(extractApiKey({}, '/v1/models')).toBeUndefined();
  });
});
