import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import ApiKeysPage from './ApiKeysPage';
import { ConfirmHost } from '../components/overlays';
import { useAuth } from '../stores/auth';
import { json, mockFetch, path, renderWithApp } from '../test/utils';

const view = {
  id: 'k1',
  name: 'ci-bot',
  prefix: 'sk-abc',
  userId: 'u',
  allowedModels: ['gpt-4o'],
  expiresAt: null,
  enabled: true,
  lastUsedAt: null,
  createdAt: '2026-11-25T00:00:00Z',
};

describe('ApiKeysPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    useAuth.getState().signOut();
  });

  it('creates a key restricted to a model, shows the secret once, and deletes after confirming', async () => {
    useAuth.getState().signIn({
      accessToken: 'a',
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: 'r',
      refreshExpiresAt: '2030-01-01T00:00:00Z',
      user: { id: 'u', email: 'member@example.com', role: 'member', tenantId: 't' },
    });
    let keys: (typeof view)[] = [];
    let body: unknown = null;
    let deleted = false;
    mockFetch(
      (req) =>
        path(req) === '/api/models'
          ? json([{ id: 'm1', name: 'gpt-4o', type: 'chat', routes: [] }])
          : undefined,
      async (req) => {
        if (path(req) === '/api/api-keys' && req.method === 'GET') return json(keys);
        if (path(req) === '/api/api-keys' && req.method === 'POST') {
          body = await req.json();
          keys = [view];
          return json({ ...view, key: 'sk-abc-the-secret' }, 201);
        }
        if (path(req) === '/api/api-keys/k1' && req.method === 'DELETE') {
          deleted = true;
          keys = [];
          return new Response(null, { status: 204 });
        }
        return undefined;
      },
    );
    renderWithApp(
      <>
        <ApiKeysPage />
        <ConfirmHost />
      </>,
    );
    const user = userEvent.setup();
    await screen.findByText('No API keys yet');
    await user.click(screen.getAllByRole('button', { name: 'Create key' })[0]);
    const dialog = await screen.findByRole('dialog', { name: 'Create key' });
    expect(within(dialog).queryByLabelText('Owner')).not.toBeInTheDocument(); // members create keys for themselves
    await user.type(within(dialog).getByLabelText('Name'), 'ci-bot');
    await user.click(within(dialog).getByLabelText('Only allow some models'));
    await user.click(await within(dialog).findByLabelText('gpt-4o'));
    await user.click(within(dialog).getByLabelText('Chat'));
    expect(within(dialog).queryByLabelText('Requests / minute')).not.toBeInTheDocument(); // limits: admins only
    await user.type(within(dialog).getByLabelText('Allowed IPs'), 'not-an-ip');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));
    expect(await within(dialog).findByText(/Use IP addresses or CIDR ranges/)).toBeInTheDocument();
    expect(body).toBeNull();
    await user.clear(within(dialog).getByLabelText('Allowed IPs'));
    await user.type(within(dialog).getByLabelText('Allowed IPs'), '10.0.0.0/8');
    await user.click(within(dialog).getByRole('button', { name: 'Create key' }));

    const secret = await screen.findByRole('dialog', { name: 'Your new API key' });
    expect(within(secret).getByTestId('new-key-secret')).toHaveTextContent('sk-abc-the-secret');
    expect(body).toEqual({
      name: 'ci-bot',
      allowedModels: ['gpt-4o'],
      scopes: ['chat'],
      allowedIps: ['10.0.0.0/8'],
      memoryEnabled: false,
    });
    await user.click(within(secret).getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByText('sk-abc-the-secret')).not.toBeInTheDocument());

    const row = await screen.findByTestId('key-ci-bot');
    expect(row).toHaveTextContent('sk-abc…');
    await user.click(within(row).getByRole('button', { name: 'Delete' }));
    const confirm = await screen.findByRole('dialog', { name: 'Delete API key?' });
    await user.click(within(confirm).getByRole('button', { name: 'Delete' }));
    await waitFor(() => expect(deleted).toBe(true));
    expect(await screen.findByText('No API keys yet')).toBeInTheDocument();
  });

  it('lets an admin set rate limits and rotate a key after confirming', async () => {
    useAuth.getState().signIn({
      accessToken: 'a',
      tokenType: 'Bearer',
      expiresIn: 900,
      refreshToken: 'r',
      refreshExpiresAt: '2030-01-01T00:00:00Z',
      user: { id: 'u', email: 'admin@example.com', role: 'admin', tenantId: 't' },
    });
    const key = {
      ...view,
      scopes: [],
      rpmLimit: null,
      tpmLimit: null,
      modelLimits: [],
      allowedIps: [],
      memoryEnabled: false,
    };
    let patch: unknown = null;
    let rotated = false;
    mockFetch(
      (req) => (path(req) === '/api/models' || path(req) === '/api/users' ? json([]) : undefined),
      async (req) => {
        if (path(req) === '/api/api-keys' && req.method === 'GET') return json([key]);
        if (path(req) === '/api/api-keys/k1' && req.method === 'PATCH') {
          patch = await req.json();
          return json({ ...key, rpmLimit: 60 });
        }
        if (path(req) === '/api/api-keys/k1/rotate' && req.method === 'POST') {
          rotated = true;
          return json({ ...key, key: 'sk-new-secret' }, 201);
        }
        return undefined;
      },
    );
    renderWithApp(
      <>
        <ApiKeysPage />
        <ConfirmHost />
      </>,
    );
    const user = userEvent.setup();
    const row = await screen.findByTestId('key-ci-bot');
    await user.click(within(row).getByRole('button', { name: 'Edit' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit key' });
    await user.type(within(dialog).getByLabelText('Requests / minute'), '60');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(patch).toMatchObject({ rpmLimit: 60, tpmLimit: null, modelLimits: [] }));

    await user.click(within(row).getByRole('button', { name: 'Rotate' }));
    const confirm = await screen.findByRole('dialog', { name: 'Rotate this key?' });
    expect(rotated).toBe(false);
    await user.click(within(confirm).getByRole('button', { name: 'Rotate' }));
    const secret = await screen.findByRole('dialog', { name: 'Your new API key' });
    expect(within(secret).getByTestId('new-key-secret')).toHaveTextContent('sk-new-secret');
    expect(rotated).toBe(true);
  });
});
