import { Agent, request } from 'undici';
import type { UpstreamResponse } from './types';

/**
 * One keep-alive connection pool per upstream origin (undici keeps a pool per origin inside the
 * agent). Pipelining stays off: LLM calls are long and must not queue behind each other.
 */
export const upstreamAgent = new Agent({
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 600_000,
  connections: 256,
  connect: { timeout: 10_000 },
});

export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<UpstreamResponse> {
  const res = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
    dispatcher: upstreamAgent,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return { status: res.statusCode, headers: res.headers, body: res.body };
}

export async function getJson(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<{ status: number; json: unknown }> {
  const res = await request(url, {
    method: 'GET',
    headers,
    signal,
    dispatcher: upstreamAgent,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const text = await res.body.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: res.statusCode, json };
}

/** GETs an upstream's model list and maps it to ids; throws with the upstream's answer on an error status. */
export async function fetchModelIds(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
  ids: (json: unknown) => unknown[],
): Promise<string[]> {
  const res = await getJson(url, headers, timeoutMs, signal);
  if (res.status >= 400)
    throw new Error(`upstream answered ${res.status}: ${JSON.stringify(res.json).slice(0, 300)}`);
  return ids(res.json)
    .map((id) => String(id ?? ''))
    .filter(Boolean);
}

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}
