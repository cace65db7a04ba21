import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import { LoginPage } from './LoginPage';
import { useAuth } from '../stores/auth';
import { json, mockFetch, path, renderWithApp } from '../test/utils';

const pair = {
  accessToken: 'acc',
  tokenType: 'Bearer',
  expiresIn: 900,
  refreshToken: 'ref',
  refreshExpiresAt: '2030-01-01T00:00:00Z',
  user: { id: 'u1', email: 'admin@example.com', role: 'admin', tenantId: 't1' },
};

function renderLogin(at = '/login') {
  return renderWithApp(
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route path="*" element={<p>landed</p>} />
    </Routes>,
    at,
  );
}

describe('LoginPage', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    useAuth.getState().signOut();
  });

  it('on first run, creates the admin and signs in', async () => {
    const { calls } = mockFetch(
      (req) =>
        path(req) === '/api/auth/setup' && req.method === 'GET' ? json({ setupRequired: true }) : undefined,
      (req) => (path(req) === '/api/auth/setup' && req.method === 'POST' ? json(pair, 201) : undefined),
    );
    renderLogin();
    expect(await screen.findByRole('heading', { name: 'Welcome' })).toBeInTheDocument();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'admin@example.com');
    await user.type(screen.getByLabelText('Password'), 'secret-password');
    await user.type(screen.getByLabelText('Confirm password'), 'secret-password');
    await user.click(screen.getByRole('button', { name: 'Create admin account' }));
    expect(await screen.findByText('landed')).toBeInTheDocument();
    const post = calls.find((c) => c.method === 'POST')!;
    expect(await post.json()).toEqual({ email: 'admin@example.com', password: 'secret-password' });
    expect(useAuth.getState()).toMatchObject({
      accessToken: 'acc',
      refreshToken: 'ref',
      user: { email: 'admin@example.com' },
    });
  });

  it('refuses mismatched passwords without calling the server', async () => {
    const { calls } = mockFetch((req) =>
      path(req) === '/api/auth/setup' ? json({ setupRequired: true }) : undefined,
    );
    renderLogin();
    await screen.findByRole('heading', { name: 'Welcome' });
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'a@example.com');
    await user.type(screen.getByLabelText('Password'), 'one-password');
    await user.type(screen.getByLabelText('Confirm password'), 'another-password');
    await user.click(screen.getByRole('button', { name: 'Create admin account' }));
    expect(screen.getByRole('alert')).toHaveTextContent('The passwords do not match.');
    expect(calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('signs in, shows a clear message for wrong credentials, then follows ?next=', async () => {
    let attempt = 0;
    mockFetch(
      (req) => (path(req) === '/api/auth/setup' ? json({ setupRequired: false }) : undefined),
      (req) =>
        path(req) === '/api/auth/login'
          ? attempt++ === 0
            ? json({ message: 'Invalid credentials' }, 401)
            : json(pair)
          : undefined,
    );
    renderLogin('/login?next=%2Flogs');
    await screen.findByLabelText('Email');
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Email'), 'admin@example.com');
    await user.type(screen.getByLabelText('Password'), 'bad');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByText('landed')).toBeInTheDocument());
    expect(useAuth.getState().accessToken).toBe('acc');
  });
});
