/**
 * Real proxy servers on 127.0.0.1 for proxy-pool tests: an HTTP(S) CONNECT/forward proxy
 * (`proxy-chain`) and a minimal SOCKS5 server (RFC 1928 CONNECT, RFC 1929 username/password), each
 * recording the upstream targets it carried.
 */
import { createServer, Server as NetServer, Socket, connect } from 'node:net';
import { AddressInfo } from 'node:net';
import { Server as ProxyChainServer } from 'proxy-chain';

export interface SeenTarget {
  host: string;
  port: number;
  username?: string;
}

export interface TestProxy {
  port: number;
  /** Targets carried so far, in order. */
  seen: SeenTarget[];
  close(): Promise<void>;
}

/** An HTTP proxy (CONNECT tunnels and plain forwarding); with `auth`, other credentials get 407. */
export async function startHttpProxy(auth?: { username: string; password: string }): Promise<TestProxy> {
  const seen: SeenTarget[] = [];
  const server = new ProxyChainServer({
    port: 0,
    host: '127.0.0.1',
    verbose: false,
    prepareRequestFunction: ({ username, password, hostname, port }) => {
      const ok = !auth || (username === auth.username && password === auth.password);
      if (ok) seen.push({ host: hostname, port, ...(username ? { username } : {}) });
      return { requestAuthentication: !ok };
    },
  });
  await server.listen();
  const port = (server.server.address() as AddressInfo).port;
  return { port, seen, close: () => server.close(true) };
}

function reader(sock: Socket) {
  let buf = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  let closed = false;
  const onData = (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake?.();
  };
  sock.on('data', onData);
  sock.once('close', () => {
    closed = true;
    wake?.();
  });
  return {
    async read(n: number): Promise<Buffer> {
      while (buf.length < n) {
        if (closed) throw new Error('socket closed');
        await new Promise<void>((r) => (wake = r));
        wake = null;
      }
      const out = buf.subarray(0, n);
      buf = buf.subarray(n);
      return out;
    },
    /** Stops reading; returns what was read ahead. */
    detach(): Buffer {
      sock.off('data', onData);
      return buf;
    },
  };
}

/** A minimal SOCKS5 server: CONNECT only; with `auth`, username/password is required. */
export async function startSocks5Proxy(auth?: { username: string; password: string }): Promise<TestProxy> {
  const seen: SeenTarget[] = [];
  const sockets = new Set<Socket>();
  const handle = async (client: Socket) => {
    const r = reader(client);
    const [ver, nMethods] = await r.read(2);
    if (ver !== 5) return client.destroy();
    const methods = [...(await r.read(nMethods))];
    const want = auth ? 2 : 0;
    if (!methods.includes(want)) {
      client.end(Buffer.from([5, 0xff]));
      return;
    }
    client.write(Buffer.from([5, want]));
    let username: string | undefined;
    if (auth) {
      const [, ulen] = await r.read(2);
      username = (await r.read(ulen)).toString();
      const [plen] = await r.read(1);
      const password = (await r.read(plen)).toString();
      const ok = username === auth.username && password === auth.password;
      client.write(Buffer.from([1, ok ? 0 : 1]));
      if (!ok) return client.end();
    }
    const [, cmd, , atyp] = await r.read(4);
    let host: string;
    if (atyp === 1) host = [...(await r.read(4))].join('.');
    else if (atyp === 3) host = (await r.read((await r.read(1))[0])).toString();
    else if (atyp === 4) {
      const b = await r.read(16);
      host = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2).toString(16)).join(':');
    } else return client.destroy();
    const port = (await r.read(2)).readUInt16BE(0);
    const reply = (code: number) => Buffer.from([5, code, 0, 1, 0, 0, 0, 0, 0, 0]);
    if (cmd !== 1) return client.end(reply(7));
    const upstream = connect(port, host);
    upstream.once('error', () => client.end(reply(5)));
    upstream.once('connect', () => {
      seen.push({ host, port, ...(username ? { username } : {}) });
      client.write(reply(0));
      const rest = r.detach();
      if (rest.length) upstream.write(rest);
      client.pipe(upstream).pipe(client);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
  };
  const server: NetServer = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    handle(client).catch(() => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    seen,
    close: async () => {
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await done;
    },
  };
}
