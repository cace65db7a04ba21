export function formatNumber(n: number, lang = 'en'): string {
  if (Math.abs(n) >= 1_000_000) return `${(n / 1_000_000).toFixed(n >= 10_000_000 ? 0 : 1)}M`;
  if (Math.abs(n) >= 10_000) return `${(n / 1000).toFixed(n >= 100_000 ? 0 : 1)}k`;
  return n.toLocaleString(lang);
}

export function formatPercent(x: number): string {
  const p = x * 100;
  return `${p >= 99.95 || p === 0 ? p.toFixed(0) : p.toFixed(1)}%`;
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function formatDateTime(iso: string | Date | null | undefined, lang = 'en'): string {
  if (!iso) return '—';
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  return d.toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function formatRelative(iso: string | null | undefined, lang = 'en'): string {
  if (!iso) return '—';
  const diff = (new Date(iso).getTime() - Date.now()) / 1000;
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  const abs = Math.abs(diff);
  if (abs < 60) return rtf.format(Math.round(diff), 'second');
  if (abs < 3600) return rtf.format(Math.round(diff / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(diff / 3600), 'hour');
  return rtf.format(Math.round(diff / 86400), 'day');
}

export function statusTone(status: number): 'success' | 'warning' | 'danger' {
  if (status < 400) return 'success';
  if (status === 429 || status === 499) return 'warning';
  return 'danger';
}

export function cx(...parts: (string | false | null | undefined)[]): string {
  return parts.filter(Boolean).join(' ');
}

/** Health from an error rate: under 5 % healthy, under 25 % degraded, else failing. */
export function errorTone(requests: number, errors: number): 'success' | 'warning' | 'danger' {
  if (!requests) return 'success';
  const rate = errors / requests;
  return rate < 0.05 ? 'success' : rate < 0.25 ? 'warning' : 'danger';
}
