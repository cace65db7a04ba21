import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import HealthPage from './HealthPage';
import { ToastHost } from '../components/overlays';
import { useAuth } from '../stores/auth';
import { json, mockFetch, path, renderWithApp } from '../test/utils';

const cred = {
  credentialId: 'c1',
  label: 'primary',
  hint: 'sk-…abcd',
  enabled: true,
  status: 'unhealthy',
  latencyMs: null,
  lastError: 'connect ECONNREFUSED',
  consecutiveFailures: 3,
  lastCheckedAt: '2026-11-25T21:00:00.000Z',
  source: 'active',
  inRotation: false,
  balance: { amount: 3.5, currency: 'USD', threshold: 5, low: true, checkedAt: '2026-11-25T21:00:00.000Z' },
  availability: { '1h': 0, '24h': 50, '7d': null },
};
const provider = {
  id: 'p1',
  name: 'mock-a',
  type: 'mock',
  enabled: true,
  status: 'unhealthy',
  availability: { '1h': 0, '24h': 50, '7d': null },
  credentials: [cred],
};

describe('HealthPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    useAuth.getState().signOut();
  });

  it('shows status, last error, balance and availability, and "Check now" updates the card', async () => {
    useAuth.getState().signIn({
      accessToken: 'a',
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: 'r',
      refreshExpiresAt: '2030-01-01T00:00:00Z',
      user: { id: 'u', email: 'admin@example.com', role: 'admin', tenantId: 't' },
    });
    let checked = false;
    mockFetch((req) => {
      const p = path(req);
      if (p === '/api/health/providers') return json([provider]);
      if (p === '/api/health/proxies') return json([]);
      if (p === '/api/health/history') return json({ items: [], total: 0, page: 1, pageSize: 500 });
      if (p === '/api/health/providers/p1/check' && req.method === 'POST') {
        checked = true;
        return json({
          ...provider,
          status: 'healthy',
          credentials: [{ ...cred, status: 'healthy', lastError: null, latencyMs: 42, inRotation: true }],
        });
      }
      return undefined;
    });
    renderWithApp(
      <>
        <HealthPage />
        <ToastHost />
      </>,
    );
    const card = await screen.findByTestId('health-provider-mock-a');
    expect(card).toHaveTextContent('Unhealthy');
    expect(card).toHaveTextContent('connect ECONNREFUSED');
    expect(card).toHaveTextContent('Balance 3.50 USD');
    expect(card).toHaveTextContent('50%');
    expect(screen.getByText('No proxies configured.')).toBeInTheDocument();
    await userEvent.click(within(card).getByRole('button', { name: 'Check now' }));
    await waitFor(() => expect(checked).toBe(true));
    await waitFor(() => expect(within(card).queryByText('connect ECONNREFUSED')).not.toBeInTheDocument());
    expect(card).toHaveTextContent('42 ms');
    expect(await screen.findByText('mock-a: Healthy')).toBeInTheDocument();
  });
});
