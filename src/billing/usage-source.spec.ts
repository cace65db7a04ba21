import { hourBefore, usageBounds, usageSourceSql } from './usage-source';

const d = (s: string) => new Date(s);

describe('usageBounds', () => {
  it('splits a range into whole UTC hours and the part-hours at either end', () => {
    expect(usageBounds(d('2026-11-01T10:20:00Z'), d('2026-11-03T07:05:30Z'))).toEqual([
      d('2026-11-01T10:20:00Z'),
      d('2026-11-01T11:00:00Z'),
      d('2026-11-03T07:00:00Z'),
      d('2026-11-03T07:05:30Z'),
    ]);
  });

  it('leaves no part-hour where the range starts or ends on the hour', () => {
    expect(usageBounds(d('2026-11-01T00:00:00Z'), d('2026-12-01T00:00:00Z'))).toEqual([
      d('2026-11-01T00:00:00Z'),
      d('2026-11-01T00:00:00Z'),
      d('2026-12-01T00:00:00Z'),
      d('2026-12-01T00:00:00Z'),
    ]);
  });

  it('reads a range without a whole hour from the ledger alone, and counts nothing twice', () => {
    // Within one hour, and across one boundary without a whole hour between: no hourly rows, and the
    // second ledger range [hourTo, to) is empty.
    for (const [from, to] of [
      ['2026-11-01T10:10:00Z', '2026-11-01T10:50:00Z'],
      ['2026-11-01T10:50:00Z', '2026-11-01T11:40:00Z'],
      ['2026-11-01T10:59:59.999Z', '2026-11-01T11:00:00.001Z'],
    ])
      expect(usageBounds(d(from), d(to))).toEqual([d(from), d(to), d(to), d(to)]);
    // Exactly one whole hour.
    expect(usageBounds(d('2026-11-01T09:30:00Z'), d('2026-11-01T11:30:00Z'))).toEqual([
      d('2026-11-01T09:30:00Z'),
      d('2026-11-01T10:00:00Z'),
      d('2026-11-01T11:00:00Z'),
      d('2026-11-01T11:30:00Z'),
    ]);
  });
});

describe('usageBounds until now', () => {
  const now = d('2026-11-26T10:42:00Z');
  it("takes the current hour's sums whole when the range reaches now (no ledger rows are later)", () => {
    expect(usageBounds(d('2026-11-25T10:00:00Z'), now, now)).toEqual([
      d('2026-11-25T10:00:00Z'),
      d('2026-11-25T10:00:00Z'),
      d('2026-11-26T11:00:00Z'),
      now,
    ]);
    expect(usageBounds(d('2026-11-26T09:30:00Z'), d('2026-11-27T00:00:00Z'), now)[2]).toEqual(
      d('2026-11-27T00:00:00Z'),
    );
  });

  it('reads a range that ends before now, or lies within the current hour, from the ledger at its end', () => {
    expect(usageBounds(d('2026-11-25T10:00:00Z'), d('2026-11-26T10:41:59Z'), now)[2]).toEqual(
      d('2026-11-26T10:00:00Z'),
    );
    const from = d('2026-11-26T10:05:00Z');
    expect(usageBounds(from, now, now)).toEqual([from, now, now, now]);
  });

  it('starts default ranges on the hour', () => {
    expect(hourBefore(now, 30 * 86_400_000)).toEqual(d('2026-10-27T10:00:00Z'));
  });
});

describe('usageBounds with the ledger retention horizon', () => {
  const now = d('2026-11-26T10:42:00Z');
  const horizon = d('2026-11-20T10:42:00Z'); // the ledger's rows before it may be gone

  it('moves a bound before the end of the horizon hour out to its whole hour (the hourly sums are kept)', () => {
    // From before the horizon, to now: from back to its hour, read from the sums alone.
    expect(usageBounds(d('2026-11-10T08:25:00Z'), now, now, horizon)).toEqual([
      d('2026-11-10T08:00:00Z'),
      d('2026-11-10T08:00:00Z'),
      d('2026-11-26T11:00:00Z'),
      now,
    ]);
    // Both bounds before it, within one hour: that whole hour.
    expect(usageBounds(d('2026-11-10T08:25:00Z'), d('2026-11-10T08:35:00Z'), now, horizon)).toEqual([
      d('2026-11-10T08:00:00Z'),
      d('2026-11-10T08:00:00Z'),
      d('2026-11-10T09:00:00Z'),
      d('2026-11-10T09:00:00Z'),
    ]);
    // In the horizon's own hour, before or after the horizon itself (part of that hour's rows may be gone).
    for (const at of ['2026-11-20T10:10:00Z', '2026-11-20T10:50:00Z'])
      expect(usageBounds(d(at), d('2026-11-21T00:00:00Z'), now, horizon)[0]).toEqual(
        d('2026-11-20T10:00:00Z'),
      );
  });

  it('keeps bounds from the first whole hour after the horizon exact', () => {
    const from = d('2026-11-20T11:00:00Z');
    const to = d('2026-11-21T05:15:00Z');
    expect(usageBounds(from, to, now, horizon)).toEqual(usageBounds(from, to, now));
    expect(usageBounds(d('2026-11-20T11:30:00Z'), to, now, horizon)[0]).toEqual(d('2026-11-20T11:30:00Z'));
  });
});

describe('usageSourceSql', () => {
  it('reads whole hours from usage_rollups and the part-hours from usage_ledger, the filter on both', () => {
    const sql = usageSourceSql(3, 'api_key_id = $7');
    expect(sql).toMatch(
      /FROM usage_rollups WHERE bucket >= \$4 AND bucket < \$5 AND \(api_key_id = \$7\) UNION ALL/,
    );
    expect(sql).toMatch(
      /FROM usage_ledger WHERE \(\(created_at >= \$3 AND created_at < \$4\) OR \(created_at >= \$5 AND created_at < \$6\)\) AND \(api_key_id = \$7\)\)$/,
    );
    // A ledger row counts as one request.
    expect(sql).toMatch(/SELECT created_at, tenant_id, user_id, api_key_id, model, provider_id, 1, /);
  });

  it('has no filter clause without a filter', () => {
    expect(usageSourceSql(1)).not.toMatch(/AND \(/);
  });
});
