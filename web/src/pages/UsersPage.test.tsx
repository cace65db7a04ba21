import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import UsersPage from './UsersPage';
import { ConfirmHost, ToastHost } from '../components/overlays';
import { json, mockFetch, path, renderWithApp } from '../test/utils';

describe('UsersPage tenants', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('creates a tenant, offers it when adding a user, and explains a 409 on delete', async () => {
    let tenants = [{ id: 't0', name: 'Default', users: 1, createdAt: '2026-11-25T00:00:00Z' }];
    let userBody: unknown = null;
    mockFetch(async (req) => {
      const p = path(req);
      if (p === '/api/users' && req.method === 'GET') return json([]);
      if (p === '/api/users' && req.method === 'POST') {
        userBody = await req.json();
        return json({ id: 'u2', email: 'a@b.co', role: 'member', tenantId: 't1' }, 201);
      }
      if (p === '/api/tenants' && req.method === 'GET') return json(tenants);
      if (p === '/api/tenants' && req.method === 'POST') {
        const { name } = (await req.json()) as { name: string };
        tenants = [...tenants, { id: 't1', name, users: 0, createdAt: '2026-11-25T00:00:00Z' }];
        return json(tenants[1], 201);
      }
      if (p === '/api/tenants/t0' && req.method === 'DELETE')
        return json({ statusCode: 409, message: 'Tenant has users' }, 409);
      return undefined;
    });
    renderWithApp(
      <>
        <UsersPage />
        <ConfirmHost />
        <ToastHost />
      </>,
    );
    const user = userEvent.setup();
    await user.click(screen.getByRole('tab', { name: 'Tenants' }));
    await screen.findByTestId('tenant-Default');
    await user.click(screen.getByRole('button', { name: 'New tenant' }));
    const dialog = await screen.findByRole('dialog', { name: 'New tenant' });
    await user.type(within(dialog).getByLabelText('Name'), 'Acme');
    await user.click(within(dialog).getByRole('button', { name: 'Create' }));
    await screen.findByTestId('tenant-Acme');

    await user.click(within(screen.getByTestId('tenant-Default')).getByRole('button', { name: 'Delete' }));
    await user.click(
      within(await screen.findByRole('dialog', { name: 'Delete tenant?' })).getByRole('button', {
        name: 'Delete',
      }),
    );
    expect(await screen.findByText(/Default still has users/)).toBeInTheDocument();

    await user.click(screen.getByRole('tab', { name: 'Users' }));
    await user.click(await screen.findByRole('button', { name: 'Add user' }));
    const form = await screen.findByRole('dialog', { name: 'Add user' });
    await user.type(within(form).getByLabelText('Email'), 'a@b.co');
    await user.type(within(form).getByLabelText('Password'), 'password123');
    await within(form).findByRole('option', { name: 'Acme' });
    await user.selectOptions(within(form).getByLabelText('Tenant'), 't1');
    await user.click(within(form).getByRole('button', { name: 'Create' }));
    await waitFor(() =>
      expect(userBody).toEqual({ email: 'a@b.co', password: 'password123', role: 'member', tenantId: 't1' }),
    );
  });
});
