import createClient from 'openapi-fetch';
import type { components, paths } from './schema';
import { useAuth } from '../stores/auth';

export type Schemas = components['schemas'];

/** An admin-API error with the server's message (the `{ statusCode, error, message }` body). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function origin(): string {
  return typeof window !== 'undefined' ? window.location.origin : 'http://localhost';
}

let refreshing: Promise<boolean> | null = null;

/** Exchanges the refresh token for a new pair; one request at a time however many calls got a 401. */
export function refreshSession(): Promise<boolean> {
  refreshing ??= (async () => {
    const refreshToken = useAuth.getState().refreshToken;
    if (!refreshToken) return false;
    try {
      const res = await fetch(`${origin()}/api/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refreshToken }),
      });
      if (!res.ok) return false;
      useAuth.getState().setTokens((await res.json()) as Schemas['TokenPairView']);
      return true;
    } catch {
      return false;
    }
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function withToken(req: Request): Request {
  const token = useAuth.getState().accessToken;
  if (token) req.headers.set('authorization', `Bearer ${token}`);
  return req;
}

/** fetch with the access token; on a 401 it refreshes the session once and retries, else signs out. */
export async function authFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const res = await fetch(withToken(input));
  const path = new URL(input.url).pathname;
  if (res.status !== 401 || path.startsWith('/api/auth/')) return res;
  if (await refreshSession()) return fetch(withToken(retry));
  useAuth.getState().signOut();
  return res;
}

export const api = createClient<paths>({ baseUrl: origin(), fetch: authFetch });

interface Result<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Returns the data of an openapi-fetch result or throws an ApiError with the server's message. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw new ApiError(response.status, errorMessage(error, response));
  return data as T;
}

export function errorMessage(error: unknown, response?: Response): string {
  if (error && typeof error === 'object') {
    const e = error as { message?: unknown; error?: unknown };
    if (typeof e.message === 'string') return e.message;
    if (Array.isArray(e.message)) return e.message.join('; ');
    if (e.error && typeof e.error === 'object' && 'message' in e.error) return String(e.error.message);
    if (typeof e.error === 'string') return e.error;
  }
  if (typeof error === 'string' && error) return error;
  return response ? `${response.status} ${response.statusText}` : 'Request failed';
}

/** Downloads an authenticated GET as a file (used for CSV and JSON exports). */
export async function download(path: string, fallbackName: string): Promise<void> {
  const res = await authFetch(new Request(`${origin()}${path}`));
  if (!res.ok) throw new ApiError(res.status, errorMessage(await res.json().catch(() => null), res));
  const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
