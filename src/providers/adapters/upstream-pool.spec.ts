import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { Dispatcher } from 'undici';
import { proxiedPoolFactory, upstreamPoolStats } from './upstream-pool';

describe('upstream pool figures for /metrics', () => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const call = async (d: Dispatcher) => {
    const res = await d.request({ origin, path: '/', method: 'GET' });
    await res.body.text();
  };
  const through = (proxy: string) => upstreamPoolStats().filter((s) => s.proxy === proxy);
  /** A connection is free again a moment after its answer was read. */
  const settled = async (proxy: string) => {
    for (let i = 0; i < 100 && through(proxy).some((s) => s.free < s.connected); i++)
      await new Promise((r) => setTimeout(r, 10));
    return through(proxy);
  };

  it('shows the pools a proxy dispatcher made under its current name, adds up one origin, and drops closed pools', async () => {
    let name = 'eu-1';
    const factory = proxiedPoolFactory(() => name);
    const a = factory(new URL(origin), {});
    const b = factory(origin, {});
    await Promise.all([call(a), call(b)]);
    expect(await settled('eu-1')).toEqual([
      { origin, proxy: 'eu-1', connected: 2, free: 2, running: 0, queued: 0 },
    ]);

    name = 'eu-renamed';
    expect(through('eu-1')).toEqual([]);
    expect(through('eu-renamed')).toHaveLength(1);

    await a.close();
    expect(through('eu-renamed')).toEqual([
      { origin, proxy: 'eu-renamed', connected: 1, free: 1, running: 0, queued: 0 },
    ]);
    await b.close();
    expect(through('eu-renamed')).toEqual([]);
  });
});
