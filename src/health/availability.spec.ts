import { availabilityPct, availabilitySql, toAvailability } from './availability';

describe('availability math', () => {
  it('is the share of passing checks in percent, two decimals, null without checks', () => {
    expect(availabilityPct(0, 0)).toBeNull();
    expect(availabilityPct(3, 3)).toBe(100);
    expect(availabilityPct(2, 3)).toBe(66.67);
    expect(availabilityPct(1, 3)).toBe(33.33);
    expect(availabilityPct(0, 5)).toBe(0);
    expect(availabilityPct(999, 1000)).toBe(99.9);
    expect(availabilityPct(5, 4)).toBe(100);
  });

  it('maps the SQL counts (pg bigints as strings) per window', () => {
    expect(toAvailability({ n_1h: '2', ok_1h: '1', n_24h: '4', ok_24h: '3', n_7d: '0', ok_7d: '0' })).toEqual(
      {
        '1h': 50,
        '24h': 75,
        '7d': null,
      },
    );
    expect(toAvailability(undefined)).toEqual({ '1h': null, '24h': null, '7d': null });
  });

  it('counts only active checks of one target type, per window', () => {
    const sql = availabilitySql('provider_id');
    expect(sql).toContain("source = 'active'");
    expect(sql).toContain("FILTER (WHERE ok AND checked_at > now() - interval '24 hours') AS ok_24h");
    expect(sql).toContain('GROUP BY provider_id');
  });
});
