import { CooldownTracker, parseRetryAfter } from './cooldown';

describe('CooldownTracker', () => {
  it('backs off exponentially, honours Retry-After, and closes on success', () => {
    let now = 1000;
    const t = new CooldownTracker(1000, 8000, () => now);
    expect(t.coolingUntil('k')).toBe(0);
    expect(t.fail('k')).toBe(2000);
    expect(t.fail('k')).toBe(3000);
    expect(t.fail('k')).toBe(5000);
    expect(t.fail('k')).toBe(9000);
    expect(t.fail('k')).toBe(9000); // capped at 8 s
    expect(t.coolingUntil('k')).toBe(9000);
    now = 9001;
    expect(t.coolingUntil('k')).toBe(0);
    expect(t.fail('k', 30_000)).toBe(39_001);
    t.succeed('k');
    expect(t.coolingUntil('k')).toBe(0);
    expect(t.failures('k')).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
