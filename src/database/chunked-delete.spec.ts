import { deleteInChunks } from './chunked-delete';

/** A database whose table holds `rows` rows matching the condition; records every statement. */
function fakeDb(rows: number, shape: 'postgres' | 'affected' = 'postgres') {
  const calls: { sql: string; params?: unknown[] }[] = [];
  let left = rows;
  return {
    calls,
    query: (sql: string, params?: unknown[]) => {
      calls.push({ sql, params });
      const limit = Number(/LIMIT (\d+)/.exec(sql)![1]);
      const n = Math.min(limit, left);
      left -= n;
      return Promise.resolve(shape === 'postgres' ? [[], n] : { affected: n });
    },
  };
}

describe('deleteInChunks', () => {
  it('deletes chunk by chunk until a statement deletes fewer than a chunk, and counts them all', async () => {
    const db = fakeDb(12_345);
    const cutoff = new Date('2026-01-01T00:00:00Z');
    expect(await deleteInChunks(db, 'usage_ledger', 'created_at < $1', [cutoff], 5000)).toBe(12_345);
    expect(db.calls).toHaveLength(3);
    expect(db.calls[0].sql).toBe(
      'DELETE FROM usage_ledger WHERE id IN (SELECT id FROM usage_ledger WHERE (created_at < $1) LIMIT 5000)',
    );
    expect(db.calls.every((c) => c.params?.[0] === cutoff)).toBe(true);
  });

  it('runs one more statement when the rows are an exact multiple of the chunk, and reads either result shape', async () => {
    const db = fakeDb(10, 'affected');
    expect(await deleteInChunks(db, 't', 'a OR b', [], 5)).toBe(10);
    expect(db.calls).toHaveLength(3);
    // The condition is kept whole (an OR must not escape into the LIMIT's subquery).
    expect(db.calls[0].sql).toContain('WHERE (a OR b) LIMIT 5');
  });

  it('deletes at least one row per statement whatever the chunk', async () => {
    const db = fakeDb(2);
    expect(await deleteInChunks(db, 't', 'x', [], 0)).toBe(2);
    expect(db.calls[0].sql).toContain('LIMIT 1');
  });
});
