import { describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { resolveDark, usePrefs } from '../stores/prefs';
import { useApplyTheme } from './theme';
import { ThemeSwitcher } from '../layout/AppShell';
import '../i18n';

function Harness() {
  useApplyTheme();
  return <ThemeSwitcher />;
}

function mockSystem(dark: boolean) {
  const listeners = new Set<() => void>();
  const mq = {
    matches: dark,
    addEventListener: (_: string, l: () => void) => listeners.add(l),
    removeEventListener: (_: string, l: () => void) => listeners.delete(l),
  };
  vi.stubGlobal('matchMedia', () => mq);
  return {
    set(v: boolean) {
      mq.matches = v;
      listeners.forEach((l) => l());
    },
  };
}

describe('theme', () => {
  it('resolveDark follows the preference, or the system when set to system', () => {
    expect(resolveDark('dark', false)).toBe(true);
    expect(resolveDark('light', true)).toBe(false);
    expect(resolveDark('system', true)).toBe(true);
    expect(resolveDark('system', false)).toBe(false);
  });

  it('follows system changes, and the toggle overrides and persists', async () => {
    const system = mockSystem(false);
    act(() => usePrefs.getState().setTheme('system'));
    render(<Harness />);
    expect(document.documentElement.classList.contains('dark')).toBe(false);
    act(() => system.set(true));
    expect(document.documentElement.classList.contains('dark')).toBe(true);
    await userEvent.setup().click(screen.getByRole('radio', { name: 'Light' }));
    expect(document.documentElement.classList.contains('dark')).toBe(false);
    expect(screen.getByRole('radio', { name: 'Light' })).toHaveAttribute('aria-checked', 'true');
    expect(JSON.parse(localStorage.getItem('lrp-prefs')!).state.theme).toBe('light');
    vi.unstubAllGlobals();
  });
});
