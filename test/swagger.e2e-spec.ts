import { bootApp, TestApp } from './helpers/test-app';

describe('Swagger (e2e)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves the UI at /docs', async () => {
    const res = await t.http.get('/docs/').expect(200);
    expect(res.text).toContain('swagger-ui');
  });

  it('documents every endpoint with a summary, auth schemes and DTO schemas with examples', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body;
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'api-key',
      'jwt',
      'x-api-key',
      'x-goog-api-key',
    ]);
    for (const path of [
      '/api/auth/setup',
      '/api/auth/login',
      '/api/auth/refresh',
      '/api/auth/logout',
      '/api/users',
      '/api/api-keys',
      '/api/api-keys/{id}',
      '/v1/key',
      '/v1/chat/completions',
      '/v1/completions',
      '/v1/embeddings',
      '/v1/models',
      '/v1/responses',
      '/v1/messages',
      '/v1/messages/count_tokens',
      '/anthropic/v1/models',
      '/gemini/v1beta/models',
      '/gemini/v1beta/models/{model}:generateContent',
      '/gemini/v1beta/models/{model}:streamGenerateContent',
      '/api/providers',
      '/api/models',
      '/api/model-routes',
      '/api/logs',
      '/api/dashboard/stats',
      '/health',
      '/health/ready',
    ]) {
      expect(doc.paths).toHaveProperty([path]);
    }
    for (const [path, ops] of Object.entries<Record<string, { summary?: string; security?: unknown[] }>>(
      doc.paths,
    )) {
      for (const [method, op] of Object.entries(ops)) {
        expect({ path, method, summary: op.summary }).toEqual({ path, method, summary: expect.any(String) });
        if (path.startsWith('/api/') && !path.startsWith('/api/auth/')) {
          expect({ path, method, security: op.security }).toEqual({ path, method, security: [{ jwt: [] }] });
        }
      }
    }
    expect(doc.paths['/v1/chat/completions'].post.responses['200'].content).toHaveProperty([
      'text/event-stream',
    ]);
    expect(doc.paths['/v1/key'].get.security).toEqual(
      expect.arrayContaining([{ 'api-key': [] }, { 'x-api-key': [] }, { 'x-goog-api-key': [] }]),
    );
    expect(doc.components.schemas.LoginDto.properties.email.example).toBe('admin@example.com');
    expect(doc.components.schemas.CreateApiKeyDto.required).toEqual(['name']);
  });
});
