import type { ProxyScheme } from './proxy.entity';

export interface ParsedProxyUrl {
  scheme: ProxyScheme;
  host: string;
  port: number;
  /** `scheme://host:port` without credentials. */
  url: string;
  username?: string;
  password?: string;
}

const DEFAULT_PORTS: Record<ProxyScheme, number> = { http: 80, https: 443, socks5: 1080 };

/**
 * Parses and checks a proxy URL: `http://`, `https://` or `socks5://` (`socks5h://` is the same
 * here: host names are always resolved by the proxy), a host, an optional port, optional
 * `user:password@`, and no path, query or fragment. Throws an Error with a readable message.
 */
export function parseProxyUrl(raw: string): ParsedProxyUrl {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw new Error(`"${redactProxyUrl(raw)}" is not a valid URL`);
  }
  const proto = u.protocol.replace(/:$/, '').toLowerCase();
  const scheme = (proto === 'socks5h' ? 'socks5' : proto) as ProxyScheme;
  if (!(scheme in DEFAULT_PORTS))
    throw new Error(`proxy URL scheme must be http, https or socks5 (got "${proto}")`);
  if (!u.hostname) throw new Error('proxy URL needs a host');
  if ((u.pathname && u.pathname !== '/') || u.search || u.hash)
    throw new Error('proxy URL must not have a path, query or fragment');
  const port = u.port ? Number(u.port) : DEFAULT_PORTS[scheme];
  const host = u.hostname;
  return {
    scheme,
    host: host.replace(/^\[(.*)\]$/, '$1'),
    port,
    url: `${scheme}://${host}:${port}`,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
  };
}

/** The URL with any credentials replaced by `***` (for messages and logs). */
export function redactProxyUrl(raw: string): string {
  return raw.replace(/\/\/[^@/]*@/, '//***@');
}
