import { describe, expect, it } from 'vitest';
import { errorTone, formatMs, formatNumber, formatPercent, statusTone } from './format';
import { parseJsonObject } from './json';

describe('formatting', () => {
  it('numbers, percentages and durations', () => {
    expect(formatNumber(999)).toBe('999');
    expect(formatNumber(12_345)).toBe('12.3k');
    expect(formatNumber(2_500_000)).toBe('2.5M');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.9912)).toBe('99.1%');
    expect(formatMs(420.4)).toBe('420 ms');
    expect(formatMs(12_500)).toBe('12.5 s');
    expect(formatMs(null)).toBe('—');
  });

  it('status and error-rate tones', () => {
    expect(statusTone(200)).toBe('success');
    expect(statusTone(429)).toBe('warning');
    expect(statusTone(502)).toBe('danger');
    expect(errorTone(0, 0)).toBe('success');
    expect(errorTone(100, 4)).toBe('success');
    expect(errorTone(100, 10)).toBe('warning');
    expect(errorTone(100, 50)).toBe('danger');
  });

  it('parses optional JSON objects from text fields', () => {
    expect(parseJsonObject('  ', 'Headers')).toBeUndefined();
    expect(parseJsonObject('{"a":"b"}', 'Headers')).toEqual({ a: 'b' });
    expect(() => parseJsonObject('{a}', 'Headers')).toThrow('Headers: invalid JSON');
    expect(() => parseJsonObject('[1]', 'Config')).toThrow('Config: must be a JSON object');
  });
});
