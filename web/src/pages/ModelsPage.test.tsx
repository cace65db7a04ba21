import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import ModelsPage from './ModelsPage';
import { ToastHost } from '../components/overlays';
import { useAuth } from '../stores/auth';
import { json, mockFetch, path, renderWithApp } from '../test/utils';

const provider = (id: string, name: string) => ({
  id,
  name,
  type: 'mock',
  baseUrl: '',
  headers: {},
  timeoutMs: 60000,
  enabled: true,
  notes: null,
  consoleUrl: null,
  config: {},
  credentials: [],
  createdAt: '2026-11-25T00:00:00Z',
  updatedAt: '2026-11-25T00:00:00Z',
});

describe('ModelsPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    useAuth.getState().signOut();
  });

  it('creates a model with two routes through the mapping editor', async () => {
    useAuth.getState().signIn({
      accessToken: 'a',
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: 'r',
      refreshExpiresAt: '2030-01-01T00:00:00Z',
      user: { id: 'u', email: 'admin@example.com', role: 'admin', tenantId: 't' },
    });
    let created: Record<string, unknown> | null = null;
    mockFetch(
      (req) =>
        path(req) === '/api/providers'
          ? json([provider('p1', 'primary'), provider('p2', 'backup')])
          : undefined,
      async (req) => {
        if (path(req) !== '/api/models') return undefined;
        if (req.method === 'GET') return json([]);
        created = (await req.json()) as Record<string, unknown>;
        return json({ id: 'm1', routes: [], ...created }, 201);
      },
    );
    renderWithApp(
      <>
        <ModelsPage />
        <ToastHost />
      </>,
    );
    const user = userEvent.setup();
    await screen.findByText('No models yet');
    await user.click(screen.getAllByRole('button', { name: 'Add model' })[0]);
    const dialog = await screen.findByRole('dialog', { name: 'Add model' });
    await user.type(within(dialog).getByLabelText('Public name'), 'gpt-4o');
    await user.selectOptions(within(dialog).getByLabelText('Routing strategy'), 'priority');
    const first = within(dialog).getByTestId('route-draft-0');
    await user.type(within(first).getByLabelText('Upstream model'), 'gpt-4o-2024-08-06');
    await user.clear(within(first).getByLabelText('Priority'));
    await user.type(within(first).getByLabelText('Priority'), '10');
    await user.click(within(dialog).getByRole('button', { name: 'Add route' }));
    const second = within(dialog).getByTestId('route-draft-1');
    await user.selectOptions(within(second).getByLabelText('Provider'), 'p2');
    await user.type(within(second).getByLabelText('Upstream model'), 'gpt-4o');
    await user.click(within(second).getByLabelText('Vision'));
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));

    expect(await screen.findByText('Model gpt-4o created')).toBeInTheDocument();
    await waitFor(() => expect(created).not.toBeNull());
    expect(created).toMatchObject({
      name: 'gpt-4o',
      type: 'chat',
      strategy: 'priority',
      routes: [
        {
          providerId: 'p1',
          upstreamModel: 'gpt-4o-2024-08-06',
          priority: 10,
          weight: 1,
          supportsVision: false,
        },
        { providerId: 'p2', upstreamModel: 'gpt-4o', priority: 0, weight: 1, supportsVision: true },
      ],
    });
  });
});
