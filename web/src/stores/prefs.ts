import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';

export type ThemePref = 'system' | 'light' | 'dark';

interface PrefsState {
  theme: ThemePref;
  /** The gateway API key the "try it" box uses (kept in this browser only). */
  playgroundKey: string;
  setTheme(t: ThemePref): void;
  setPlaygroundKey(k: string): void;
}

export const usePrefs = create<PrefsState>()(
  persist(
    (set) => ({
      theme: 'system',
      playgroundKey: '',
      setTheme: (theme) => set({ theme }),
      setPlaygroundKey: (playgroundKey) => set({ playgroundKey }),
    }),
    { name: 'lrp-prefs', storage: createJSONStorage(() => localStorage) },
  ),
);

export function systemPrefersDark(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
}

export function resolveDark(theme: ThemePref, systemDark: boolean): boolean {
  return theme === 'dark' || (theme === 'system' && systemDark);
}
