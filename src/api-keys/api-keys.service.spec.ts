import type { Repository } from 'typeorm';
import type { CacheBus } from '../common/redis/cache-bus.service';
import type { UsersService } from '../users/users.service';
import type { ApiKey } from './api-key.entity';
import { ApiKeysService, hashApiKey } from './api-keys.service';

const SECRET = 'sk-known';
const row = {
  id: 'k1',
  name: 'key',
  prefix: 'sk-known',
  keyHash: hashApiKey(SECRET),
  userId: 'u1',
  user: { tenantId: 't1', role: 'member', disabled: false },
  allowedModels: [],
  expiresAt: null,
  enabled: true,
  rpmLimit: null,
  tpmLimit: null,
  modelLimits: [],
  allowedIps: [],
  scopes: [],
  memoryEnabled: true,
};

/** An ApiKeysService over a repository double whose lookups can be made to fail or wait. */
function service() {
  const db = {
    down: false,
    lookups: 0,
    gate: null as Promise<void> | null,
  };
  const qb = {
    innerJoinAndSelect: () => qb,
    where: () => qb,
    getOne: async () => {
      db.lookups++;
      if (db.gate) await db.gate;
      if (db.down)
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      return row;
    },
  };
  const repo = { createQueryBuilder: () => qb } as unknown as Repository<ApiKey>;
  const users = { onUserChanged: () => undefined } as unknown as UsersService;
  const bus = { on: () => undefined } as unknown as CacheBus;
  return { svc: new ApiKeysService(repo, users, bus), db };
}

describe('ApiKeysService.authenticate and an unreachable database', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('keeps answering a known key from the cache past its re-read time, re-reading it in the background', async () => {
    const { svc, db } = service();
    expect((await svc.authenticate(SECRET)).ok).toBe(true);
    expect(db.lookups).toBe(1);

    db.down = true;
    jest.advanceTimersByTime(6 * 60_000); // past the 5-minute re-read
    const during = await Promise.all([svc.authenticate(SECRET), svc.authenticate(SECRET)]);
    expect(during.map((r) => r.ok)).toEqual([true, true]);
    await jest.advanceTimersByTimeAsync(0);
    expect(db.lookups).toBe(2); // one background re-read for both requests; it failed
    // Not retried on every request while the database is down: only after a while.
    expect((await svc.authenticate(SECRET)).ok).toBe(true);
    expect(db.lookups).toBe(2);
    jest.advanceTimersByTime(31_000);
    expect((await svc.authenticate(SECRET)).ok).toBe(true);
    await jest.advanceTimersByTimeAsync(0);
    expect(db.lookups).toBe(3);

    db.down = false;
    jest.advanceTimersByTime(31_000);
    await svc.authenticate(SECRET);
    await jest.advanceTimersByTimeAsync(0);
    expect(db.lookups).toBe(4);
    await svc.authenticate(SECRET); // fresh again: no lookup
    expect(db.lookups).toBe(4);
  });

  it('lets an unknown key wait for one lookup per burst, and fail when the database is unreachable', async () => {
    const { svc, db } = service();
    let open!: () => void;
    db.gate = new Promise((r) => (open = r));
    const burst = Promise.all([svc.authenticate(SECRET), svc.authenticate(SECRET), svc.authenticate(SECRET)]);
    open();
    expect((await burst).every((r) => r.ok)).toBe(true);
    expect(db.lookups).toBe(1);

    db.gate = null;
    db.down = true;
    await expect(svc.authenticate('sk-never-seen')).rejects.toThrow('ECONNREFUSED');
  });
});
