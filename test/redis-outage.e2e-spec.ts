import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { COUNTERS, ResilientCounterStore } from '../src/billing/counter-store.provider';
import { REDIS } from '../src/common/redis/redis.constants';
import { GatewayFixture } from './helpers/gateway-fixture';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** A private redis-server (nothing kept on disk), so the test can stop and restart it. */
function startRedis(port: number): Promise<ChildProcess> {
  const p = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  return new Promise((resolve, reject) => {
    p.stdout!.on('data', (d: Buffer) => {
      if (/Ready to accept connections/i.test(d.toString())) resolve(p);
    });
    p.on('error', reject);
  });
}

const hasRedisServer = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * Redis goes away under a running gateway: requests keep being served, limits fall back to
 * per-instance counters (with a warning), and go back to the shared counters when Redis returns.
 */
(hasRedisServer ? describe : describe.skip)(
  'Redis outage: limits degrade to local mode and resume (e2e)',
  () => {
    const g = new GatewayFixture();
    let redis: ChildProcess;
    let port: number;
    let key: string;
    const call = () =>
      fetch(`${g.baseURL}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
      }).then(async (r) => (await r.text(), r.status));
    const until = async (cond: () => boolean, ms = 15_000) => {
      const end = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > end) throw new Error('timed out');
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    beforeAll(async () => {
      port = await freePort();
      redis = await startRedis(port);
      await g.start({ REDIS_URL: `redis://127.0.0.1:${port}` });
      const mock = await g.provider({ name: 'mock', type: 'mock' });
      await g.model({ name: 'm', routes: [{ providerId: mock, upstreamModel: 'x' }] });
      key = await g.key({ name: 'limited', rpmLimit: 4 });
    });
    afterAll(async () => {
      await g.close(); // also proves shutdown does not hang on a Redis that came back
      redis?.kill('SIGKILL');
    });

    it('serves through the outage with local limits, then shares counters again', async () => {
      const store = g.t.app.get<ResilientCounterStore>(COUNTERS);
      expect(await call()).toBe(200);
      expect(await call()).toBe(200);
      expect(store.isDegraded).toBe(false);

      redis.kill('SIGKILL');
      await new Promise((r) => redis.once('exit', r));
      // Requests keep flowing; the limit is now counted in this process, from zero.
      const during: number[] = [];
      for (let i = 0; i < 5; i++) during.push(await call());
      expect(during.slice(0, 4)).toEqual([200, 200, 200, 200]);
      expect(during[4]).toBe(429);
      expect(store.isDegraded).toBe(true);
      expect((await fetch(`${g.baseURL}/health`)).status).toBe(200);

      redis = await startRedis(port);
      await until(() => (g.t.app.get(REDIS) as { status: string } | null)?.status === 'ready');
      // Back on the shared counters (the restarted Redis kept nothing): the window starts afresh.
      expect(await call()).toBe(200);
      expect(store.isDegraded).toBe(false);
    });
  },
);
