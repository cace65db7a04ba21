import { Agent, buildConnector, Dispatcher, ProxyAgent } from 'undici';
import { SocksClient } from 'socks';
import {
  proxiedPoolFactory,
  UPSTREAM_CONNECT_TIMEOUT_MS,
  upstreamPoolOptions,
} from '../providers/adapters/upstream-pool';
import type { ProxyScheme } from './proxy.entity';

export interface ProxyEndpoint {
  scheme: ProxyScheme;
  host: string;
  port: number;
  username?: string;
  password?: string;
}

/** A failure to open a connection through a proxy (the caller may try the next proxy). */
function proxyConnectError(e: unknown): Error {
  const msg = (e as Error)?.message ?? String(e);
  return Object.assign(new Error(`socks5 proxy: ${msg}`), { code: 'PROXY_CONNECT_FAILED', cause: e });
}

/**
 * An undici dispatcher that sends every request through one proxy: `ProxyAgent` (a CONNECT tunnel
 * for https upstreams, plain forwarding for http ones; `Proxy-Authorization: Basic` when it has
 * credentials) for http/https proxies, and an
 * `Agent` whose connector opens a SOCKS5 tunnel (then TLS for https targets) for socks5. Their pools
 * show in /metrics under the proxy's name (`name`, read at each scrape).
 */
export function createProxyDispatcher(p: ProxyEndpoint, name: () => string): Dispatcher {
  const factory = proxiedPoolFactory(name);
  if (p.scheme === 'socks5') {
    const tls = buildConnector({ timeout: UPSTREAM_CONNECT_TIMEOUT_MS });
    return new Agent({
      ...upstreamPoolOptions(),
      factory,
      connect: (opts, callback) => {
        const https = opts.protocol === 'https:';
        SocksClient.createConnection({
          command: 'connect',
          timeout: UPSTREAM_CONNECT_TIMEOUT_MS,
          proxy: {
            host: p.host,
            port: p.port,
            type: 5,
            ...(p.username !== undefined ? { userId: p.username, password: p.password ?? '' } : {}),
          },
          destination: { host: opts.hostname, port: Number(opts.port) || (https ? 443 : 80) },
        }).then(
          ({ socket }) => {
            if (!https) return callback(null, socket);
            tls({ ...opts, httpSocket: socket }, callback);
          },
          (e: unknown) => callback(proxyConnectError(e), null),
        );
      },
    });
  }
  const hostPart = p.host.includes(':') ? `[${p.host}]` : p.host;
  return new ProxyAgent({
    ...upstreamPoolOptions(),
    factory,
    uri: `${p.scheme}://${hostPart}:${p.port}`,
    ...(p.username !== undefined
      ? {
          token: `Basic ${Buffer.from(`${p.username}:${p.password ?? ''}`).toString('base64')}`,
        }
      : {}),
    connect: { timeout: UPSTREAM_CONNECT_TIMEOUT_MS },
    // Plain-http upstreams are forwarded request by request (like curl); https ones always tunnel.
    proxyTunnel: false,
  });
}
