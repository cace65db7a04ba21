import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { RuntimeProxyRoute } from '../../routing/runtime.types';
import { onAbort, type UpstreamSignal } from './signal';
import { BodyChunks } from './upstream-io';
import { upstreamAgent } from './upstream-pool';
import { UpstreamBodyError, type UpstreamResponse } from './types';

/** No proxy was usable for a provider that must go through one (calls never fall back to direct). */
export class NoProxyAvailableError extends Error {
  readonly code = 'PROXY_UNAVAILABLE';
  constructor(what: string) {
    super(`no usable proxy (${what})`);
  }
}

/** An upstream answered an error status (thrown where only a value is returned, e.g. model lists). */
export class UpstreamStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'PROXY_CONNECT_FAILED',
]);

/**
 * Whether a failed call through a proxy failed while connecting (to the proxy, or the proxy's tunnel
 * to the upstream): nothing reached the upstream, so the next proxy can safely be tried.
 */
export function isProxyConnectError(e: unknown): boolean {
  const err = e as { code?: string; message?: string; cause?: unknown } | null;
  if (!err) return false;
  if (err.code && CONNECT_CODES.has(err.code)) return true;
  if (typeof err.message === 'string' && /^Proxy response \(\d+\)/.test(err.message)) return true;
  return err.cause !== undefined && err.cause !== e && isProxyConnectError(err.cause);
}

type RequestOptions = Omit<Dispatcher.RequestOptions, 'origin' | 'path' | 'signal'> & {
  signal: UpstreamSignal;
};

/** An upstream's answer: its body as it arrives, or (`whole`) read whole as text. */
export interface UpstreamAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable | string;
}

/**
 * Reads an answer whole through undici's `dispatch`: the chunks go straight into a list, with no
 * body Readable and no per-request async resource, which `request()` adds (interleaved bench, small
 * JSON answers: −3 to −4.5 % of the gateway's CPU per request). The call is cancelled when `signal`
 * fires, and fails when the body outgrows `MAX_WHOLE_BODY`; a failure after the headers is an
 * `UpstreamBodyError`.
 */
function dispatchWhole(
  dispatcher: Dispatcher,
  opts: Dispatcher.DispatchOptions,
  signal: UpstreamSignal,
): Promise<UpstreamAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason ?? new Error('aborted'));
    let controller: Dispatcher.DispatchController | undefined;
    let reason: unknown;
    let status = 0;
    let headers: IncomingHttpHeaders = {};
    const chunks = new BodyChunks();
    const off = onAbort(signal, () => {
      reason = signal.reason ?? new Error('aborted');
      controller?.abort(reason as Error);
    });
    dispatcher.dispatch(opts, {
      onRequestStart(c) {
        controller = c;
        if (reason !== undefined) c.abort(reason as Error);
      },
      onResponseStart(_c, statusCode, h) {
        if (statusCode < 200) return; // 1xx: the final answer follows
        status = statusCode;
        headers = h;
      },
      onResponseData(c, chunk) {
        const tooLarge = chunks.add(chunk);
        if (tooLarge) c.abort(tooLarge);
      },
      onResponseEnd() {
        off();
        resolve({ status, headers, body: chunks.text() });
      },
      onResponseError(_c, err) {
        off();
        reject(status ? new UpstreamBodyError(status, err) : err);
      },
    });
  });
}

/**
 * One upstream call: through the shared agent, or through the provider's proxies in order — a proxy
 * that fails to connect is reported and skipped for the next one (the body is a string or bytes, so
 * it can be sent again); other errors and any answer end the loop. `whole` reads the body whole
 * (non-stream calls); otherwise it is handed on as it arrives.
 */
export async function upstreamRequest(
  url: string,
  opts: RequestOptions,
  proxy?: RuntimeProxyRoute | null,
  whole = false,
): Promise<UpstreamAnswer> {
  // The upstream URL split once (memoised): no copy of the options, no URL parsing per call.
  const { origin, path } = splitUrl(url);
  const o = opts as Dispatcher.RequestOptions;
  o.origin = origin;
  o.path = path;
  const call = async (dispatcher: Dispatcher): Promise<UpstreamAnswer> => {
    if (whole) return dispatchWhole(dispatcher, o, opts.signal);
    const res = await dispatcher.request(o);
    return { status: res.statusCode, headers: res.headers, body: res.body };
  };
  if (!proxy) return call(upstreamAgent());
  const hops = proxy.hops();
  if (!hops.length)
    throw new NoProxyAvailableError(proxy.mode === 'single' ? 'the configured proxy' : 'the proxy pool');
  let last: unknown;
  for (const hop of hops) {
    try {
      const res = await call(hop.dispatcher);
      if (res.status === 407) {
        // The proxy refused our credentials (forwarded plain-http request): that proxy, not the upstream.
        if (typeof res.body !== 'string') res.body.destroy(); // not read: no error can surface unheard
        proxy.report(hop.id, false, '407: proxy authentication required');
        last = Object.assign(new Error(`proxy ${hop.name} refused the credentials (407)`), {
          code: 'PROXY_AUTH_FAILED',
        });
        continue;
      }
      proxy.report(hop.id, true);
      return res;
    } catch (e) {
      if (opts.signal.aborted || !isProxyConnectError(e)) throw e;
      const err = e as { code?: string; message?: string };
      proxy.report(hop.id, false, `${err.code ?? 'error'}: ${err.message ?? String(e)}`.slice(0, 300));
      last = e;
    }
  }
  throw last;
}

/**
 * POSTs a JSON body: an object to serialise, or (a string or bytes) a body already serialised.
 * `whole` (non-stream calls) reads the answer whole; otherwise its body is handed on as it arrives
 * (SSE).
 */
export function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
  signal: UpstreamSignal,
  proxy: RuntimeProxyRoute | null | undefined,
  whole: boolean,
): Promise<UpstreamResponse> {
  return upstreamRequest(
    url,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    },
    proxy,
    whole,
  );
}

export async function getJson(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
  proxy?: RuntimeProxyRoute | null,
): Promise<{ status: number; json: unknown }> {
  const res = await upstreamRequest(
    url,
    { method: 'GET', headers, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs },
    proxy,
    true,
  );
  const text = res.body as string;
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* keep the text */
  }
  return { status: res.status, json };
}

/** GETs an upstream's model list and maps it to ids; throws with the upstream's answer on an error status. */
export async function fetchModelIds(
  url: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal: AbortSignal,
  ids: (json: unknown) => unknown[],
  proxy?: RuntimeProxyRoute | null,
): Promise<string[]> {
  const res = await getJson(url, headers, timeoutMs, signal, proxy);
  if (res.status >= 400)
    throw new UpstreamStatusError(
      res.status,
      `upstream answered ${res.status}: ${JSON.stringify(res.json).slice(0, 300)}`,
    );
  return ids(res.json)
    .map((id) => String(id ?? ''))
    .filter(Boolean);
}

/**
 * Memoises a string → value function (the same few upstream URLs come back on every request); the
 * cache is emptied when it reaches `max` entries, so odd inputs cannot grow it without bound.
 */
function memo<T>(fn: (key: string) => T, max = 2000): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    let v = cache.get(key);
    if (v === undefined) {
      if (cache.size >= max) cache.clear();
      v = fn(key);
      cache.set(key, v);
    }
    return v;
  };
}

const joined = memo((key) => {
  const [base, path] = key.split('\n');
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
});

/** `base` + `/` + `path` without doubled slashes (memoised). */
export function joinUrl(base: string, path: string): string {
  return joined(`${base}\n${path}`);
}

/** The origin and the path with query of an absolute URL, as undici's dispatchers take them (memoised). */
export const splitUrl = memo((url): { origin: string; path: string } => {
  const u = new URL(url);
  return { origin: u.origin, path: `${u.pathname}${u.search}` };
});
