import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router-dom';
import { AppShell } from './AppShell';
import { useAuth } from '../stores/auth';
import { PAGES } from '../pages/registry';
import { mockFetch, renderWithApp } from '../test/utils';
import i18n from '../i18n';

const signIn = (role: 'admin' | 'member' | 'viewer') =>
  useAuth.getState().signIn({
    accessToken: 'a',
    tokenType: 'Bearer',
    expiresIn: 900,
    refreshToken: 'r',
    refreshExpiresAt: '2030-01-01T00:00:00Z',
    user: { id: 'u', email: 'x@example.com', role, tenantId: 't' },
  });

function renderShell() {
  return renderWithApp(
    <Routes>
      <Route element={<AppShell />}>
        <Route path="/" element={<p>home</p>} />
      </Route>
      <Route path="/login" element={<p>login page</p>} />
    </Routes>,
  );
}

describe('AppShell', () => {
  afterEach(async () => {
    vi.unstubAllGlobals();
    useAuth.getState().signOut();
    await i18n.changeLanguage('en');
  });

  it('shows every page to admins, and hides admin-only pages from others', () => {
    signIn('admin');
    const { unmount } = renderShell();
    const nav = screen.getAllByRole('navigation', { name: 'Main' })[0];
    expect(within(nav).getAllByRole('link')).toHaveLength(PAGES.length);
    expect(within(nav).getByRole('link', { name: 'Users' })).toBeInTheDocument();
    unmount();
    signIn('viewer');
    renderShell();
    const nav2 = screen.getAllByRole('navigation', { name: 'Main' })[0];
    expect(within(nav2).queryByRole('link', { name: 'Users' })).not.toBeInTheDocument();
    expect(within(nav2).getAllByRole('link')).toHaveLength(PAGES.filter((p) => !p.adminOnly).length);
  });

  it('switches the language to Chinese', async () => {
    signIn('admin');
    renderShell();
    await userEvent.setup().click(screen.getAllByTestId('language-toggle')[0]);
    expect(await screen.findAllByRole('link', { name: '概览' })).not.toHaveLength(0);
    expect(localStorage.getItem('lrp-lang')).toBe('zh');
  });

  it('signing out revokes the refresh token and goes to the login page', async () => {
    signIn('member');
    const { calls } = mockFetch(() => new Response(null, { status: 204 }));
    renderShell();
    await userEvent.setup().click(screen.getAllByRole('button', { name: 'Sign out' })[0]);
    expect(await screen.findByText('login page')).toBeInTheDocument();
    expect(calls[0].url).toMatch(/\/api\/auth\/logout$/);
    expect(await calls[0].json()).toEqual({ refreshToken: 'r' });
    expect(useAuth.getState().accessToken).toBeNull();
  });
});
