import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import type { ProxyHop, RuntimeProxyRoute } from '../../routing/runtime.types';
import { isProxyConnectError, joinUrl, NoProxyAvailableError, splitUrl, upstreamRequest } from './http';

describe('isProxyConnectError', () => {
  it('recognises connection-phase failures only', () => {
    expect(isProxyConnectError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isProxyConnectError(Object.assign(new Error('x'), { code: 'PROXY_CONNECT_FAILED' }))).toBe(true);
    expect(isProxyConnectError(new Error('Proxy response (502) !== 200 when HTTP Tunneling'))).toBe(true);
    expect(isProxyConnectError(Object.assign(new Error('x'), { cause: { code: 'ENOTFOUND' } }))).toBe(true);
    expect(isProxyConnectError(Object.assign(new Error('x'), { code: 'UND_ERR_HEADERS_TIMEOUT' }))).toBe(
      false,
    );
    expect(isProxyConnectError(null)).toBe(false);
  });
});

describe('upstreamRequest through proxy hops', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const route = (hops: ProxyHop[], reports: unknown[]): RuntimeProxyRoute => ({
    mode: 'pool',
    proxyId: null,
    tag: null,
    strategy: 'round-robin',
    hops: () => hops,
    report: (id, ok, error) => reports.push([id, ok, typeof error]),
  });

  it('skips a hop that fails to connect, reports it, and answers through the next', async () => {
    const failing: ProxyHop = {
      id: 'refuses',
      name: 'refuses',
      dispatcher: new Agent({
        connect: (_o, cb) =>
          cb(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), null),
      }),
    };
    const good: ProxyHop = { id: 'good', name: 'good', dispatcher: new Agent() };
    const reports: unknown[] = [];
    const res = await upstreamRequest(
      url,
      { method: 'GET', signal: new AbortController().signal },
      route([failing, good], reports),
    );
    expect(await res.body.text()).toBe('ok');
    expect(reports).toEqual([
      ['refuses', false, 'string'],
      ['good', true, 'undefined'],
    ]);
  });

  it('fails closed when no proxy is usable', async () => {
    await expect(
      upstreamRequest(url, { method: 'GET', signal: new AbortController().signal }, route([], [])),
    ).rejects.toBeInstanceOf(NoProxyAvailableError);
  });
});

describe('joinUrl / splitUrl', () => {
  it('joins a base and a path with one slash, whatever either has', () => {
    expect(joinUrl('https://api.example.com/v1/', '/chat/completions')).toBe(
      'https://api.example.com/v1/chat/completions',
    );
    expect(joinUrl('https://api.example.com/v1', 'models')).toBe('https://api.example.com/v1/models');
    // memoised: the same answer again
    expect(joinUrl('https://api.example.com/v1', 'models')).toBe('https://api.example.com/v1/models');
  });

  it('splits an absolute URL into the origin and the path with its query', () => {
    expect(splitUrl('http://127.0.0.1:8080/v1beta/models/g:streamGenerateContent?alt=sse')).toEqual({
      origin: 'http://127.0.0.1:8080',
      path: '/v1beta/models/g:streamGenerateContent?alt=sse',
    });
    expect(splitUrl('https://api.example.com')).toEqual({ origin: 'https://api.example.com', path: '/' });
  });
});
