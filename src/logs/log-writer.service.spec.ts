import type { Repository } from 'typeorm';
import { LogWriter, NewRequestLog } from './log-writer.service';
import type { RequestLog } from './request-log.entity';

const row = (i: number) => ({ requestId: `r${i}` }) as unknown as NewRequestLog;

/** A repository double that records each batch insert as the list of its request ids. */
function repo(failTimes = 0) {
  const inserted: NewRequestLog[][] = [];
  let failures = failTimes;
  const r = {
    query: jest.fn(async (sql: string, params: string[]) => {
      if (failures-- > 0) throw new Error('db down');
      expect(sql).toMatch(
        /^WITH src AS \(SELECT .* FROM jsonb_array_elements\(\$1::jsonb\).*INSERT INTO request_logs .*INSERT INTO request_rollups/s,
      );
      const rows = JSON.parse(params[0]) as { requestId: string }[];
      inserted.push(rows.map(({ requestId }) => ({ requestId }) as unknown as NewRequestLog));
    }),
  };
  return { r: r as unknown as Repository<RequestLog>, inserted, query: r.query };
}

describe('LogWriter', () => {
  it('writes buffered rows in one batch', async () => {
    const { r, inserted } = repo();
    const w = new LogWriter(r);
    for (let i = 0; i < 3; i++) w.push(row(i));
    expect(w.pending).toBe(3);
    await w.flush();
    expect(inserted).toEqual([[row(0), row(1), row(2)]]);
    expect(w.written).toBe(3);
    expect(w.pending).toBe(0);
  });

  it('keeps rows when a write fails and writes them on the next flush, in order', async () => {
    const { r, inserted } = repo(1);
    const w = new LogWriter(r);
    w.push(row(1));
    await w.flush();
    expect(w.pending).toBe(1);
    w.push(row(2));
    await w.flush();
    expect(inserted).toEqual([[row(1), row(2)]]);
  });

  it('flushes everything on shutdown, in batches of 500', async () => {
    const { r, inserted } = repo();
    const w = new LogWriter(r);
    w.onModuleInit();
    for (let i = 0; i < 1200; i++) w.push(row(i));
    await w.onApplicationShutdown();
    expect(inserted.flat()).toHaveLength(1200);
    expect(Math.max(...inserted.map((b) => b.length))).toBeLessThanOrEqual(500);
  });

  it('concurrent flushes do not write a row twice', async () => {
    const { r, inserted } = repo();
    const w = new LogWriter(r);
    for (let i = 0; i < 10; i++) w.push(row(i));
    await Promise.all([w.flush(), w.flush(), w.flush()]);
    expect(inserted.flat()).toHaveLength(10);
  });
});
