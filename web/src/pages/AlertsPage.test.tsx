import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import AlertsPage, { validateRule } from './AlertsPage';
import { useAuth } from '../stores/auth';
import { json, mockFetch, path, renderWithApp } from '../test/utils';

const rule = {
  name: 'slow',
  eventType: 'model.latency_p95' as const,
  channelIds: ['c1'],
  cooldown: '300',
  model: '',
  threshold: '2000',
  window: '300',
  minRequests: '20',
  severity: '' as const,
  enabled: true,
};

describe('AlertsPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    useAuth.getState().signOut();
  });

  it('validates rules, requiring threshold and window only for metric events', () => {
    expect(validateRule(rule)).toEqual({});
    expect(validateRule({ ...rule, threshold: '', window: '5', channelIds: [] })).toEqual({
      channelIds: 'alerts.errChannels',
      threshold: 'alerts.errThreshold',
      window: 'alerts.errWindow',
    });
    expect(validateRule({ ...rule, eventType: 'model.error_rate', threshold: '150' })).toEqual({
      threshold: 'alerts.errThreshold',
    });
    expect(validateRule({ ...rule, eventType: 'proxy.down', threshold: '' })).toEqual({});
  });

  it('creates a Slack channel with a masked secret, sends a test, and shows the result', async () => {
    useAuth.getState().signIn({
      accessToken: 'a',
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: 'r',
      refreshExpiresAt: '2030-01-01T00:00:00Z',
      user: { id: 'u', email: 'admin@example.com', role: 'admin', tenantId: 't' },
    });
    const channel = {
      id: 'c1',
      name: 'ops',
      type: 'slack',
      config: { host: 'hooks.slack.com' },
      secrets: { webhookUrl: 'http…abcd' },
      enabled: true,
      createdAt: '2026-11-25T00:00:00Z',
      updatedAt: '2026-11-25T00:00:00Z',
    };
    let channels: (typeof channel)[] = [];
    let body: unknown = null;
    mockFetch(async (req) => {
      const p = path(req);
      if (p === '/api/alerts/channels' && req.method === 'GET') return json(channels);
      if (p === '/api/alerts/channels' && req.method === 'POST') {
        body = await req.json();
        channels = [channel];
        return json(channel, 201);
      }
      if (p === '/api/alerts/channels/c1/test')
        return json({ ok: false, statusCode: 404, error: 'no_service', durationMs: 12 });
      return undefined;
    });
    renderWithApp(<AlertsPage />);
    const user = userEvent.setup();
    await user.click((await screen.findAllByRole('button', { name: 'New channel' }))[0]);
    const dialog = await screen.findByRole('dialog', { name: 'New channel' });
    await user.type(within(dialog).getByLabelText('Name'), 'ops');
    await user.selectOptions(within(dialog).getByLabelText('Type'), 'slack');
    expect(within(dialog).queryByLabelText('Sign secret')).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByText('Enter an http(s) URL.')).toBeInTheDocument();
    await user.type(
      within(dialog).getByLabelText('Bot webhook URL'),
      'https://hooks.slack.com/services/T/B/x',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() =>
      expect(body).toEqual({
        name: 'ops',
        type: 'slack',
        enabled: true,
        config: {},
        secrets: { webhookUrl: 'https://hooks.slack.com/services/T/B/x' },
      }),
    );
    const row = await screen.findByTestId('channel-ops');
    expect(row).toHaveTextContent('hooks.slack.com');
    await user.click(within(row).getByRole('button', { name: 'Send test' }));
    const result = await screen.findByTestId('test-result');
    expect(result).toHaveTextContent('Failed');
    expect(result).toHaveTextContent('HTTP 404');
    expect(result).toHaveTextContent('no_service');
  });
});
