import { describe, expect, it } from 'vitest';
import { availabilitySeries, formatAvailability, healthTone } from './health';

describe('health helpers', () => {
  it('buckets checks per hour into availability and mean passing latency, oldest first', () => {
    const s = availabilitySeries([
      { ok: true, latencyMs: 100, checkedAt: '2026-11-25T10:59:00Z' },
      { ok: true, latencyMs: 300, checkedAt: '2026-11-25T10:01:00Z' },
      { ok: false, latencyMs: 5000, checkedAt: '2026-11-25T10:30:00Z' },
      { ok: false, latencyMs: null, checkedAt: '2026-11-25T08:10:00Z' },
      { ok: true, latencyMs: null, checkedAt: 'not a date' },
    ]);
    expect(s).toEqual([
      { at: '2026-11-25T08:00:00.000Z', availability: 0, latencyMs: null, checks: 1 },
      { at: '2026-11-25T10:00:00.000Z', availability: 66.67, latencyMs: 200, checks: 3 },
    ]);
  });

  it('formats availability and maps statuses to badge tones', () => {
    expect(formatAvailability(null)).toBe('—');
    expect(formatAvailability(100)).toBe('100%');
    expect(formatAvailability(99.31)).toBe('99.3%');
    expect(healthTone('healthy')).toBe('success');
    expect(healthTone('degraded')).toBe('warning');
    expect(healthTone('unhealthy')).toBe('danger');
    expect(healthTone('unknown')).toBe('neutral');
  });
});
