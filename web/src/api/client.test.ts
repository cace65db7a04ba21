import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, errorMessage, unwrap } from './client';
import { useAuth } from '../stores/auth';
import { json, mockFetch, path } from '../test/utils';

const pair = (access: string, refresh: string) => ({
  accessToken: access,
  tokenType: 'Bearer',
  expiresIn: 900,
  refreshToken: refresh,
  refreshExpiresAt: '2030-01-01T00:00:00Z',
  user: { id: 'u1', email: 'a@example.com', role: 'admin' as const, tenantId: 't1' },
});

describe('api client', () => {
  beforeEach(() => useAuth.getState().signIn(pair('old-access', 'refresh-1')));
  afterEach(() => {
    vi.unstubAllGlobals();
    useAuth.getState().signOut();
  });

  it('sends the access token', async () => {
    const { calls } = mockFetch((req) => (path(req) === '/api/users' ? json([]) : undefined));
    await unwrap(api.GET('/api/users'));
    expect(calls[0].headers.get('authorization')).toBe('Bearer old-access');
  });

  it('on a 401 refreshes once, stores the new pair and retries the request', async () => {
    const { calls } = mockFetch(
      async (req) => {
        if (path(req) !== '/api/auth/refresh') return undefined;
        expect(await req.json()).toEqual({ refreshToken: 'refresh-1' });
        return json(pair('new-access', 'refresh-2'));
      },
      (req) => {
        if (path(req) !== '/api/api-keys') return undefined;
        return req.headers.get('authorization') === 'Bearer new-access'
          ? json({ id: 'k1', key: 'sk-x' }, 201)
          : json({ message: 'Unauthorized' }, 401);
      },
    );
    const created = await unwrap(api.POST('/api/api-keys', { body: { name: 'x' } }));
    expect(created).toMatchObject({ id: 'k1' });
    expect(calls.map((c) => path(c))).toEqual(['/api/api-keys', '/api/auth/refresh', '/api/api-keys']);
    expect(await calls[2].json()).toEqual({ name: 'x' }); // the retried request keeps its body
    expect(useAuth.getState()).toMatchObject({ accessToken: 'new-access', refreshToken: 'refresh-2' });
  });

  it('concurrent 401s share one refresh', async () => {
    let refreshes = 0;
    mockFetch(
      (req) => {
        if (path(req) !== '/api/auth/refresh') return undefined;
        refreshes++;
        return json(pair('new-access', 'refresh-2'));
      },
      (req) =>
        req.headers.get('authorization') === 'Bearer new-access'
          ? json([])
          : json({ message: 'Unauthorized' }, 401),
    );
    await Promise.all([
      unwrap(api.GET('/api/users')),
      unwrap(api.GET('/api/providers')),
      unwrap(api.GET('/api/models')),
    ]);
    expect(refreshes).toBe(1);
  });

  it('signs out when the refresh token is rejected', async () => {
    mockFetch((req) =>
      path(req) === '/api/auth/refresh'
        ? json({ message: 'Invalid refresh token' }, 401)
        : json({ message: 'Unauthorized' }, 401),
    );
    await expect(unwrap(api.GET('/api/users'))).rejects.toMatchObject({ status: 401 });
    expect(useAuth.getState().accessToken).toBeNull();
  });

  it('unwrap throws an ApiError with the server message', async () => {
    mockFetch(() => json({ statusCode: 409, error: 'Conflict', message: 'name "x" is already used' }, 409));
    const err = await unwrap(api.POST('/api/models', { body: { name: 'x' } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, message: 'name "x" is already used' });
  });

  it('errorMessage reads admin, gateway and validation error shapes', () => {
    expect(errorMessage({ message: ['a must be set', 'b too'] })).toBe('a must be set; b too');
    expect(errorMessage({ error: { message: 'Invalid API key' } })).toBe('Invalid API key');
    expect(errorMessage(undefined, new Response(null, { status: 502, statusText: 'Bad Gateway' }))).toBe(
      '502 Bad Gateway',
    );
  });
});
