import type { IncomingHttpHeaders } from 'node:http';

/**
 * Extracts a gateway API key the way the three client families send it:
 * `Authorization: Bearer sk-…` (OpenAI), `x-api-key` (Anthropic), `x-goog-api-key` or `?key=` (Gemini).
 * Pure: used by the Nest guard and by the raw `/v1` listener alike.
 */
export function extractApiKey(headers: IncomingHttpHeaders, url: string | undefined): string | undefined {
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  for (const h of ['x-api-key', 'x-goog-api-key'] as const) {
    const v = headers[h];
    if (typeof v === 'string' && v.trim()) return v.trim();
  }
  if (url) {
    const q = url.indexOf('?');
    if (q >= 0) {
      const key = new URLSearchParams(url.slice(q + 1)).get('key');
      if (key) return key;
    }
  }
  return undefined;
}
