import { useEffect, useSyncExternalStore } from 'react';
import { resolveDark, usePrefs } from '../stores/prefs';

function subscribe(cb: () => void) {
  if (typeof matchMedia !== 'function') return () => {};
  const mq = matchMedia('(prefers-color-scheme: dark)');
  mq.addEventListener('change', cb);
  return () => mq.removeEventListener('change', cb);
}
const snapshot = () => typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;

/** Whether the app is dark now (preference, or the system's when set to follow it). */
export function useIsDark(): boolean {
  const theme = usePrefs((s) => s.theme);
  const systemDark = useSyncExternalStore(subscribe, snapshot, () => false);
  return resolveDark(theme, systemDark);
}

/** Applies the theme to <html> and follows system changes. */
export function useApplyTheme(): void {
  const dark = useIsDark();
  useEffect(() => {
    document.documentElement.classList.toggle('dark', dark);
  }, [dark]);
}
