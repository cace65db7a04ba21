import { jsonTooDeep } from './json-depth';

describe('jsonTooDeep', () => {
  const nest = (n: number) => JSON.parse('{"a":'.repeat(n) + '1' + '}'.repeat(n)) as unknown;
  it('accepts ordinary documents and flags deep ones without recursing', () => {
    expect(jsonTooDeep({ a: [1, { b: 'x' }] })).toBe(false);
    expect(jsonTooDeep(nest(64))).toBe(false);
    expect(jsonTooDeep(nest(65))).toBe(true);
    expect(jsonTooDeep(nest(100_000))).toBe(true);
    expect(jsonTooDeep(JSON.parse('['.repeat(70) + ']'.repeat(70)))).toBe(true);
    expect(jsonTooDeep('text')).toBe(false);
  });
});
