import type { ServerResponse } from 'node:http';
import { InFlightRequests } from './in-flight';

const res = (n: number) => ({ n }) as unknown as ServerResponse;
const ids = (l: InFlightRequests) => l.list().map((r) => (r.res as unknown as { n: number }).n);

describe('InFlightRequests', () => {
  it('keeps requests in arrival order and removes any of them', () => {
    const l = new InFlightRequests();
    const a = l.add(res(1));
    const b = l.add(res(2));
    const c = l.add(res(3));
    const d = l.add(res(4));
    expect(l.size).toBe(4);
    expect(ids(l)).toEqual([1, 2, 3, 4]);
    l.delete(b); // middle
    expect(ids(l)).toEqual([1, 3, 4]);
    l.delete(a); // head
    expect(ids(l)).toEqual([3, 4]);
    l.delete(d); // tail
    expect(ids(l)).toEqual([3]);
    l.add(res(5));
    expect(ids(l)).toEqual([3, 5]);
    l.delete(c);
    expect(ids(l)).toEqual([5]);
    expect(l.size).toBe(1);
  });

  it('clears the links of a removed node and ignores a second removal', () => {
    const l = new InFlightRequests();
    const a = l.add(res(1));
    const b = l.add(res(2));
    const c = l.add(res(3));
    l.delete(b);
    expect(b.prev).toBeNull();
    expect(b.next).toBeNull();
    l.delete(b);
    expect(l.size).toBe(2);
    expect(ids(l)).toEqual([1, 3]);
    l.delete(a);
    l.delete(c);
    l.delete(c);
    l.delete(a);
    expect(l.size).toBe(0);
    expect(l.list()).toEqual([]);
    l.add(res(6));
    expect(ids(l)).toEqual([6]);
  });

  it('carries the promise of each request', async () => {
    const l = new InFlightRequests();
    const e = l.add(res(1));
    let resolved = false;
    e.done = new Promise<void>((r) => setTimeout(r, 5)).then(() => {
      resolved = true;
    });
    await Promise.all(l.list().map((r) => r.done));
    expect(resolved).toBe(true);
  });
});
