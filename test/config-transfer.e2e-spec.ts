import { GatewayFixture } from './helpers/gateway-fixture';

interface ProxyRow {
  id: string;
  name: string;
  url: string;
  username: string | null;
  hasPassword: boolean;
  enabled: boolean;
  weight: number;
  tags: string[];
}
interface ProviderRow {
  id: string;
  name: string;
  proxyMode: string;
  proxyId: string | null;
  proxyTag: string | null;
  proxyStrategy: string;
  credentials: { hint: string }[];
}

describe('config export / import (e2e)', () => {
  const g = new GatewayFixture();
  const auth = () => ({ Authorization: `Bearer ${g.admin}` });
  const get = async <T>(path: string): Promise<T> =>
    (await g.t.http.get(path).set(auth()).expect(200)).body as T;
  const importDoc = (config: unknown) => g.t.http.post('/api/config/import').set(auth()).send({ config });
  const byName = <T extends { name: string }>(rows: T[], name: string): T =>
    rows.find((r) => r.name === name)!;

  beforeAll(async () => {
    await g.start();
    const mock = await g.provider({
      name: 'mock-x',
      type: 'mock',
      credentials: [{ key: 'sk-very-secret-000111' }],
      config: { latencyMs: 1 },
    });
    await g.model({
      name: 'exported',
      strategy: 'priority',
      routes: [{ providerId: mock, upstreamModel: 'm1', priority: 2 }],
    });
    const egressA = await g.t.http
      .post('/api/proxies')
      .set(auth())
      .send({
        name: 'egress-a',
        url: 'http://alice:pa55-word-xyz@127.0.0.1:3128',
        weight: 3,
        tags: ['eu'],
        checkUrl: 'https://example.com/health',
      })
      .expect(201);
    await g.t.http
      .post('/api/proxies')
      .set(auth())
      .send({ name: 'egress-b', url: 'socks5://127.0.0.1:1080', tags: ['eu', 'fast'], enabled: false })
      .expect(201);
    await g.provider({
      name: 'via-proxy',
      type: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:9/v1',
      proxyMode: 'single',
      proxyId: egressA.body.id,
    });
    await g.provider({
      name: 'via-pool',
      type: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:9/v1',
      proxyMode: 'pool',
      proxyTag: 'eu',
      proxyStrategy: 'weighted',
    });
  });
  afterAll(() => g.close());

  it('exports without secrets by default, and with them only as ciphertext', async () => {
    const plain = await g.t.http.get('/api/config/export').set(auth()).expect(200);
    expect(plain.body.providers[0]).toMatchObject({
      name: 'mock-x',
      type: 'mock',
      proxyMode: 'none',
      proxy: null,
      credentials: [{ label: 'key-1', hint: 'sk-…0111' }],
    });
    expect(plain.body.providers[0].credentials[0].sealed).toBeUndefined();
    expect(plain.body.models[0]).toMatchObject({
      name: 'exported',
      strategy: 'priority',
      routes: [{ provider: 'mock-x', upstreamModel: 'm1', priority: 2 }],
    });
    // The proxy pool by name; providers refer to their proxy by its name, not its id.
    expect(plain.body.proxies).toEqual([
      {
        name: 'egress-a',
        url: 'http://127.0.0.1:3128',
        enabled: true,
        weight: 3,
        tags: ['eu'],
        checkUrl: 'https://example.com/health',
        hasAuth: true,
      },
      {
        name: 'egress-b',
        url: 'socks5://127.0.0.1:1080',
        enabled: false,
        weight: 1,
        tags: ['eu', 'fast'],
        checkUrl: null,
        hasAuth: false,
      },
    ]);
    expect(byName(plain.body.providers, 'via-proxy')).toMatchObject({
      proxyMode: 'single',
      proxy: 'egress-a',
      proxyTag: null,
      proxyStrategy: 'round-robin',
    });
    expect(byName(plain.body.providers, 'via-pool')).toMatchObject({
      proxyMode: 'pool',
      proxy: null,
      proxyTag: 'eu',
      proxyStrategy: 'weighted',
    });
    const plainText = JSON.stringify(plain.body);
    for (const secret of ['pa55-word', 'alice', 'sk-very-secret']) expect(plainText).not.toContain(secret);

    const sealed = await g.t.http.get('/api/config/export?includeSecrets=true').set(auth()).expect(200);
    expect(sealed.body.providers[0].credentials[0].sealed).toMatch(/^v1\./);
    expect(sealed.body.proxies[0].authSealed).toMatch(/^v1\./);
    expect(sealed.body.proxies[1].authSealed).toBeUndefined();
    const sealedText = JSON.stringify(sealed.body);
    for (const secret of ['pa55-word', 'alice', 'sk-very-secret']) expect(sealedText).not.toContain(secret);
  });

  it('imports back into an empty gateway: proxies, proxy settings by name, keys; the model answers', async () => {
    const doc = (await g.t.http.get('/api/config/export?includeSecrets=true').set(auth()).expect(200)).body;
    const ids = (await get<ProviderRow[]>('/api/providers')).map((p) => p.id);
    const maskedUser = byName(await get<ProxyRow[]>('/api/proxies'), 'egress-a').username;
    expect(maskedUser).toBeTruthy();
    await g.t.http.post('/api/providers/batch-delete').set(auth()).send({ ids }).expect(200);
    for (const p of await get<ProxyRow[]>('/api/proxies'))
      await g.t.http.delete(`/api/proxies/${p.id}`).set(auth()).expect(204);
    expect((await get<{ routes: unknown[] }[]>('/api/models'))[0].routes).toHaveLength(0);
    expect(await get<ProxyRow[]>('/api/proxies')).toEqual([]);

    // One credential sealed with another key is skipped with a warning, not imported as garbage.
    doc.providers[0].credentials.push({ label: 'foreign', sealed: 'v1.AAAA.BBBB.CCCC' });
    const res = await importDoc(doc).expect(200);
    expect(res.body).toMatchObject({
      proxiesCreated: 2,
      proxiesUpdated: 0,
      providersCreated: 3,
      providersUpdated: 0,
      modelsUpdated: 1,
    });
    expect(res.body.warnings).toEqual([
      'provider "mock-x": credential 2 skipped (sealed with another ENCRYPTION_KEY)',
    ]);

    const providers = await get<ProviderRow[]>('/api/providers');
    expect(byName(providers, 'mock-x').credentials.map((c) => c.hint)).toEqual(['sk-…0111']);
    const proxies = await get<ProxyRow[]>('/api/proxies');
    expect(proxies.map((p) => [p.name, p.url, p.enabled, p.weight, p.tags, p.hasPassword])).toEqual([
      ['egress-a', 'http://127.0.0.1:3128', true, 3, ['eu'], true],
      ['egress-b', 'socks5://127.0.0.1:1080', false, 1, ['eu', 'fast'], false],
    ]);
    // The credentials came back (sealed with the same key): the username shows masked as before.
    expect(byName(proxies, 'egress-a').username).toBe(maskedUser);
    expect(byName(providers, 'via-proxy')).toMatchObject({
      proxyMode: 'single',
      proxyId: byName(proxies, 'egress-a').id,
    });
    expect(byName(providers, 'via-pool')).toMatchObject({
      proxyMode: 'pool',
      proxyId: null,
      proxyTag: 'eu',
      proxyStrategy: 'weighted',
    });

    const key = await g.key();
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (
        await g
          .client(key)
          .chat.completions.create({ model: 'exported', messages: [{ role: 'user', content: 'back' }] })
          .withResponse()
          .catch(() => ({ response: { status: 0 } }))
      ).response.status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
  });

  it('is idempotent: importing the same document again matches by name and changes nothing', async () => {
    const before = (await g.t.http.get('/api/config/export?includeSecrets=true').set(auth()).expect(200))
      .body;
    const proxyIds = (await get<ProxyRow[]>('/api/proxies')).map((p) => p.id);
    const providerIds = (await get<ProviderRow[]>('/api/providers')).map((p) => p.id);

    for (let round = 0; round < 2; round++) {
      const res = await importDoc(before).expect(200);
      expect(res.body).toEqual({
        proxiesCreated: 0,
        proxiesUpdated: 2,
        providersCreated: 0,
        providersUpdated: 3,
        modelsCreated: 0,
        modelsUpdated: 1,
        warnings: [],
      });
    }
    expect((await get<ProxyRow[]>('/api/proxies')).map((p) => p.id)).toEqual(proxyIds);
    expect((await get<ProviderRow[]>('/api/providers')).map((p) => p.id)).toEqual(providerIds);
    const after = (await g.t.http.get('/api/config/export?includeSecrets=true').set(auth()).expect(200)).body;
    expect({ ...after, exportedAt: null }).toEqual({ ...before, exportedAt: null });
  });

  it('keeps stored proxy credentials when the document has none, and clears them for hasAuth: false', async () => {
    const plain = (await g.t.http.get('/api/config/export').set(auth()).expect(200)).body;
    const res = await importDoc(plain).expect(200);
    expect(res.body.warnings).toEqual([
      'proxy "egress-a": credentials were exported without secrets; existing ones kept',
      'provider "mock-x": credentials were exported without secrets; existing keys kept',
    ]);
    expect(byName(await get<ProxyRow[]>('/api/proxies'), 'egress-a').hasPassword).toBe(true);

    const cleared = await importDoc({
      version: 1,
      proxies: [{ ...plain.proxies[0], hasAuth: false }],
      providers: [],
      models: [],
    }).expect(200);
    expect(cleared.body).toMatchObject({ proxiesUpdated: 1, warnings: [] });
    const egressA = byName(await get<ProxyRow[]>('/api/proxies'), 'egress-a');
    expect([egressA.username, egressA.hasPassword]).toEqual([null, false]);
  });

  it('rejects a broken document with a clear 400, and applies none of it (one transaction)', async () => {
    const bad = await importDoc({ version: 1, providers: [{ name: 'x', type: 'nope' }], models: [] }).expect(
      400,
    );
    expect(bad.body.message).toMatch(/valid type/);
    await importDoc({ version: 2, providers: [], models: [] }).expect(400);
    await g.t.http.post('/api/config/import').set(auth()).send({}).expect(400);
    expect((await importDoc({ version: 1 }).expect(400)).body.message).toBe('providers must be an array');
    expect(
      (await importDoc({ version: 1, proxies: {}, providers: [], models: [] }).expect(400)).body.message,
    ).toBe('proxies must be an array');
    expect((await importDoc({ version: 1, providers: [null], models: [] }).expect(400)).body.message).toBe(
      'every item of providers must be an object',
    );

    const cases: [unknown, RegExp][] = [
      [
        { name: 'bad-url', url: 'ftp://127.0.0.1:21' },
        /^proxy "bad-url": url: proxy URL scheme must be http/,
      ],
      [
        { name: 'bad-weight', url: 'http://127.0.0.1:1', weight: -1 },
        /^proxy "bad-weight": weight must not be less than 0/,
      ],
      [{ url: 'http://127.0.0.1:1' }, /^proxy "": name must be/],
    ];
    for (const [proxy, message] of cases) {
      const res = await importDoc({ version: 1, proxies: [proxy], providers: [], models: [] }).expect(400);
      expect(res.body.message).toMatch(message);
    }

    // A provider naming a proxy nobody has: 400, and the proxy created earlier in the document is
    // rolled back with everything else.
    const unknown = await importDoc({
      version: 1,
      proxies: [{ name: 'fresh-proxy', url: 'http://127.0.0.1:1' }],
      providers: [
        {
          name: 'fresh-provider',
          type: 'mock',
          baseUrl: 'http://mock.local',
          proxyMode: 'single',
          proxy: 'nope',
        },
      ],
      models: [],
    }).expect(400);
    expect(unknown.body.message).toBe(
      'provider "fresh-provider": proxy "nope" is neither in the document nor in the proxy pool',
    );
    const names = (await get<ProxyRow[]>('/api/proxies')).map((p) => p.name);
    expect(names).not.toContain('fresh-proxy');
    expect((await get<ProviderRow[]>('/api/providers')).map((p) => p.name)).not.toContain('fresh-provider');

    const badMode = await importDoc({
      version: 1,
      providers: [{ name: 'mock-x', type: 'mock', baseUrl: 'http://mock.local', proxyMode: 'tunnel' }],
      models: [],
    }).expect(400);
    expect(badMode.body.message).toBe('provider "mock-x": proxyMode must be one of none, single, pool');

    // Credentials sealed with another ENCRYPTION_KEY are skipped with a warning.
    const foreign = await importDoc({
      version: 1,
      proxies: [
        { name: 'foreign', url: 'http://127.0.0.1:2', hasAuth: true, authSealed: 'v1.AAAA.BBBB.CCCC' },
      ],
      providers: [],
      models: [],
    }).expect(200);
    expect(foreign.body).toMatchObject({
      proxiesCreated: 1,
      warnings: ['proxy "foreign": credentials skipped (sealed with another ENCRYPTION_KEY)'],
    });
    expect(byName(await get<ProxyRow[]>('/api/proxies'), 'foreign').hasPassword).toBe(false);
  });
});
