import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import type { ProxyHop, RuntimeProxyRoute } from '../../routing/runtime.types';
import { CallAbort } from './signal';
import { isProxyConnectError, joinUrl, NoProxyAvailableError, splitUrl, upstreamRequest } from './http';
import { UpstreamBodyError } from './types';
import { bodyText, MAX_WHOLE_BODY } from './upstream-io';

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
    expect(await bodyText(res.body)).toBe('ok');
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

describe('upstreamRequest reading the body whole', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/bytes/')) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const n = Number(req.url.slice('/bytes/'.length));
        const chunk = Buffer.alloc(64 * 1024, 'x');
        for (let left = n; left > 0; left -= chunk.length)
          res.write(chunk.subarray(0, Math.min(left, chunk.length)));
        res.end();
      } else if (req.url === '/slow') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":'); // never ends
      } else if (req.url === '/early-hints') {
        res.writeEarlyHints({ link: '</a.css>; rel=preload' });
        res.writeHead(418, { 'x-teapot': 'yes' });
        res.end('short and stout');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"a":');
        setTimeout(() => res.end('"ünïcode"}'), 5);
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('answers the status, the headers and the whole text, however it arrived', async () => {
    const res = await upstreamRequest(`${base}/json`, { method: 'GET', signal: new CallAbort() }, null, true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toBe('{"a":"ünïcode"}');
  });

  it('skips informational answers and keeps the final one', async () => {
    const res = await upstreamRequest(
      `${base}/early-hints`,
      { method: 'GET', signal: new CallAbort() },
      null,
      true,
    );
    expect(res).toMatchObject({ status: 418, headers: { 'x-teapot': 'yes' }, body: 'short and stout' });
  });

  it('fails a body larger than the limit instead of holding it', async () => {
    const at = (n: number) =>
      upstreamRequest(`${base}/bytes/${n}`, { method: 'GET', signal: new CallAbort() }, null, true);
    expect(((await at(MAX_WHOLE_BODY)).body as string).length).toBe(MAX_WHOLE_BODY);
    await expect(at(MAX_WHOLE_BODY + 1)).rejects.toThrow(`upstream body larger than ${MAX_WHOLE_BODY} bytes`);
  });

  it('is cancelled by its signal, before and during the answer', async () => {
    const before = new CallAbort();
    before.abort(new Error('client gone'));
    await expect(
      upstreamRequest(`${base}/json`, { method: 'GET', signal: before }, null, true),
    ).rejects.toThrow('client gone');
    const during = new CallAbort();
    const pending = upstreamRequest(`${base}/slow`, { method: 'GET', signal: during }, null, true);
    setTimeout(() => during.abort(new Error('client left mid-answer')), 20);
    await expect(pending).rejects.toThrow('client left mid-answer');
    expect(during.listenerCount('abort')).toBe(0);
    const std = new AbortController();
    const viaStandard = upstreamRequest(`${base}/slow`, { method: 'GET', signal: std.signal }, null, true);
    setTimeout(() => std.abort(new Error('standard signal')), 20);
    await expect(viaStandard).rejects.toThrow('standard signal');
  });

  it('times out a body that stops arriving', async () => {
    const err: unknown = await upstreamRequest(
      `${base}/slow`,
      { method: 'GET', signal: new CallAbort(), bodyTimeout: 50 },
      null,
      true,
    ).catch((e: unknown) => e);
    // The headers had come: the error says so (status) and keeps undici's code and message.
    expect(err).toBeInstanceOf(UpstreamBodyError);
    expect(err).toMatchObject({
      status: 200,
      code: 'UND_ERR_BODY_TIMEOUT',
      message: expect.stringMatching(/timeout/i),
    });
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
