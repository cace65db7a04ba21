import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import ProxiesPage, { buildProxy, type ProxyDraft } from './ProxiesPage';
import { useAuth } from '../stores/auth';
import { json, mockFetch, path, renderWithApp } from '../test/utils';

const draft: ProxyDraft = {
  name: 'eu-1',
  url: 'http://proxy.internal:3128',
  username: '',
  password: '',
  clearPassword: false,
  weight: '1',
  tags: 'eu, fast',
  checkUrl: '',
  enabled: true,
};

describe('ProxiesPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    useAuth.getState().signOut();
  });

  it('validates URL scheme, weight, tags and check URL', () => {
    expect(buildProxy(draft, false)).toEqual({
      errors: {},
      body: {
        name: 'eu-1',
        url: 'http://proxy.internal:3128',
        weight: 1,
        tags: ['eu', 'fast'],
        enabled: true,
        checkUrl: null,
      },
    });
    expect(
      buildProxy({ ...draft, url: 'ftp://x:1', weight: '1001', tags: 'bad tag!', checkUrl: 'nope' }, false)
        .errors,
    ).toEqual({
      url: 'proxies.errUrl',
      weight: 'proxies.errWeight',
      tags: 'proxies.errTags',
      checkUrl: 'proxies.errCheckUrl',
    });
    expect(buildProxy({ ...draft, url: 'socks5://10.0.0.1:1080', password: 'pw' }, false).body.password).toBe(
      'pw',
    );
  });

  it('adds a proxy and checks it', async () => {
    useAuth.getState().signIn({
      accessToken: 'a',
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: 'r',
      refreshExpiresAt: '2030-01-01T00:00:00Z',
      user: { id: 'u', email: 'admin@example.com', role: 'admin', tenantId: 't' },
    });
    const view = {
      id: 'x1',
      name: 'eu-1',
      url: 'http://proxy.internal:3128',
      scheme: 'http',
      username: 'eg****',
      hasPassword: true,
      enabled: true,
      weight: 1,
      tags: ['eu'],
      checkUrl: null,
      status: 'unknown',
      latencyMs: null as number | null,
      lastError: null,
      lastCheckedAt: null,
      createdAt: '2026-11-25T00:00:00Z',
      updatedAt: '2026-11-25T00:00:00Z',
    };
    let proxies: (typeof view)[] = [];
    let body: Record<string, unknown> | null = null;
    let checked = false;
    mockFetch(async (req) => {
      const p = path(req);
      if (p === '/api/providers') return json([]);
      if (p === '/api/proxies' && req.method === 'GET') return json(proxies);
      if (p === '/api/proxies' && req.method === 'POST') {
        body = (await req.json()) as Record<string, unknown>;
        proxies = [view];
        return json(view, 201);
      }
      if (p === '/api/health/proxies/x1/check') {
        checked = true;
        proxies = [{ ...view, status: 'healthy', latencyMs: 35 }];
        return json({ ...proxies[0], availability: { '1h': 100, '24h': 100, '7d': 100 } });
      }
      return undefined;
    });
    renderWithApp(<ProxiesPage />);
    const user = userEvent.setup();
    await user.click((await screen.findAllByRole('button', { name: 'Add proxy' }))[0]);
    const dialog = await screen.findByRole('dialog', { name: 'Add proxy' });
    await user.type(within(dialog).getByLabelText('Name'), 'eu-1');
    await user.type(within(dialog).getByLabelText('URL'), 'http://proxy.internal:3128');
    await user.type(within(dialog).getByLabelText('Username'), 'egress');
    await user.type(within(dialog).getByLabelText('Password'), 's3cret');
    await user.type(within(dialog).getByLabelText('Tags'), 'eu');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(body).toMatchObject({ username: 'egress', password: 's3cret', tags: ['eu'] }));
    const row = await screen.findByTestId('proxy-eu-1');
    expect(row).toHaveTextContent('eg****@http://proxy.internal:3128');
    expect(row).not.toHaveTextContent('s3cret');
    await user.click(within(row).getByRole('button', { name: 'Check' }));
    await waitFor(() => expect(checked).toBe(true));
    await waitFor(() => expect(screen.getByTestId('proxy-eu-1')).toHaveTextContent('Healthy'));
  });
});
