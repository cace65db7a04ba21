import type { Repository } from 'typeorm';
import { BATCH_ROWS } from '../common/batch/batch-writer';
import type { AppConfig } from '../config/app-config';
import { BATCH_COLUMNS, LogWriter, NewRequestLog } from './log-writer.service';
import type { RequestLog } from './request-log.entity';

const row = (i: number) => ({ requestId: `r${i}` }) as unknown as NewRequestLog;
const config = { writeBufferMaxRows: 100_000 } as AppConfig;
/** The batch parameter back as row objects (each row travels as its values in column order). */
const decode = (param: string) =>
  (JSON.parse(param) as unknown[][]).map(
    (values) =>
      Object.fromEntries(BATCH_COLUMNS.map(([key], i) => [key, values[i]])) as Record<string, unknown>,
  );

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
      const rows = decode(params[0]) as { requestId: string }[];
      inserted.push(rows.map(({ requestId }) => ({ requestId }) as unknown as NewRequestLog));
    }),
  };
  return { r: r as unknown as Repository<RequestLog>, inserted, query: r.query };
}

describe('LogWriter', () => {
  it('writes buffered rows in one batch', async () => {
    const { r, inserted } = repo();
    const w = new LogWriter(r, config);
    for (let i = 0; i < 3; i++) w.push(row(i));
    expect(w.pending).toBe(3);
    await w.flush();
    expect(inserted).toEqual([[row(0), row(1), row(2)]]);
    expect(w.written).toBe(3);
    expect(w.pending).toBe(0);
  });

  it('keeps rows when a write fails and writes them on the next flush, in order', async () => {
    const { r, inserted } = repo(1);
    const w = new LogWriter(r, config);
    w.push(row(1));
    await w.flush();
    expect(w.pending).toBe(1);
    w.push(row(2));
    await w.flush();
    expect(inserted).toEqual([[row(1), row(2)]]);
  });

  it('flushes everything on shutdown, in batches of at most BATCH_ROWS', async () => {
    const { r, inserted } = repo();
    const w = new LogWriter(r, config);
    w.onModuleInit();
    const n = Math.round(BATCH_ROWS * 2.4);
    for (let i = 0; i < n; i++) w.push(row(i));
    await w.onApplicationShutdown();
    expect(inserted.flat()).toHaveLength(n);
    expect(inserted.map((b) => b.length)).toEqual([BATCH_ROWS, BATCH_ROWS, n - 2 * BATCH_ROWS]);
  });

  it('concurrent flushes do not write a row twice', async () => {
    const { r, inserted } = repo();
    const w = new LogWriter(r, config);
    for (let i = 0; i < 10; i++) w.push(row(i));
    await Promise.all([w.flush(), w.flush(), w.flush()]);
    expect(inserted.flat()).toHaveLength(10);
  });

  it('gives each row an id on the first try and sends the same ids again when the batch is retried', async () => {
    const sent: { sql: string; ids: string[] }[] = [];
    let fail = true;
    const r = {
      query: jest.fn(async (sql: string, params: string[]) => {
        sent.push({ sql, ids: decode(params[0]).map((x) => x.id as string) });
        if (fail) {
          fail = false;
          throw new Error('Connection terminated unexpectedly'); // the commit may have happened
        }
      }),
    } as unknown as Repository<RequestLog>;
    const w = new LogWriter(r, config);
    jest.spyOn(w['logger'], 'warn').mockImplementation(() => undefined);
    jest.spyOn(w['logger'], 'log').mockImplementation(() => undefined);
    w.push(row(1));
    w.push(row(2));
    await w.flush();
    await w.flush();
    expect(sent).toHaveLength(2);
    expect(new Set(sent[0].ids).size).toBe(2);
    // UUIDv7: version 7, in the order the rows were given their ids (time first).
    for (const id of sent[0].ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...sent[0].ids].sort()).toEqual(sent[0].ids);
    expect(sent[1].ids).toEqual(sent[0].ids);
    // The first try: every id is new, so a plain insert; the ledger takes the billed rows.
    expect(sent[0].sql).toMatch(/INSERT INTO request_logs \(.*\) SELECT .* FROM src RETURNING id,/s);
    expect(sent[0].sql).not.toMatch(/ON CONFLICT \(id\)/);
    expect(sent[0].sql).toMatch(
      /INSERT INTO usage_ledger \(id, .*\) SELECT id, .* FROM src WHERE billed RETURNING /s,
    );
    // The retry (the first may have been committed): the database skips ids it already has, and the
    // ledger and the rollups take only the rows inserted.
    expect(sent[1].sql).toMatch(/INSERT INTO request_logs .* ON CONFLICT \(id\) DO NOTHING RETURNING id,/s);
    expect(sent[1].sql).toMatch(
      /INSERT INTO usage_ledger \(id, .*\) SELECT id, .* FROM src WHERE billed AND id IN \(SELECT id FROM logs\) ON CONFLICT \(id\) DO NOTHING/s,
    );
    // The rollups read the inserted rows (once: the hours are summed from the minutes); the ledger's
    // hourly sums read the ledger rows inserted.
    for (const { sql } of sent) {
      expect(sql).toMatch(
        /usage AS \(INSERT INTO usage_rollups \(bucket, .*\) SELECT .* FROM ledger GROUP BY .* ON CONFLICT/s,
      );
      expect(sql).toMatch(/rollup_minutes AS \(SELECT .* FROM logs\) AS l GROUP BY/s);
      expect(sql).toMatch(
        /rollups AS \(SELECT \* FROM rollup_minutes UNION ALL SELECT 60::smallint, .* FROM rollup_minutes GROUP BY/s,
      );
    }
  });

  it('sends the batch as a named statement on the pg pool when PostgreSQL is a server of its own', async () => {
    const sent: { name: string; text: string; values: string[] }[] = [];
    const repoQuery = jest.fn();
    const r = {
      query: repoQuery,
      manager: {
        connection: {
          driver: {
            master: {
              query: jest.fn(async (q: { name: string; text: string; values: string[] }) => {
                sent.push(q);
              }),
            },
          },
        },
      },
    } as unknown as Repository<RequestLog>;
    const w = new LogWriter(r, { ...config, databaseUrl: 'postgres://db/app' } as AppConfig);
    w.push(row(1));
    w.push(row(2));
    await w.flush();
    w.push(row(3));
    await w.flush();
    // One name and one text for every batch: each connection parses and plans it once.
    expect(sent.map((q) => q.name)).toEqual(['lrp_insert_request_records', 'lrp_insert_request_records']);
    expect(sent[1].text).toBe(sent[0].text);
    expect(sent[0].text).toMatch(/^WITH src AS \(SELECT .* FROM jsonb_array_elements\(\$1::jsonb\)/s);
    expect(decode(sent[0].values[0]).map((x) => x.requestId)).toEqual(['r1', 'r2']);
    expect(decode(sent[1].values[0]).map((x) => x.requestId)).toEqual(['r3']);
    expect(repoQuery).not.toHaveBeenCalled();
  });

  it('falls back to an unnamed statement, at once and for good, where connections share named statements', async () => {
    const named = jest.fn(async () => {
      throw Object.assign(new Error('prepared statement "lrp_insert_request_records" already exists'), {
        code: '42P05',
      });
    });
    const unnamed: string[][] = [];
    const r = {
      query: jest.fn(async (_sql: string, params: string[]) => {
        unnamed.push(decode(params[0]).map((x) => x.requestId as string));
      }),
      manager: { connection: { driver: { master: { query: named } } } },
    } as unknown as Repository<RequestLog>;
    const w = new LogWriter(r, { ...config, databaseUrl: 'postgres://pgbouncer/app' } as AppConfig);
    const warn = jest.spyOn(w['logger'], 'warn').mockImplementation(() => undefined);
    w.push(row(1));
    await w.flush();
    w.push(row(2));
    await w.flush();
    expect(unnamed).toEqual([['r1'], ['r2']]);
    expect(named).toHaveBeenCalledTimes(1);
    expect(w.failedWrites).toBe(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/named statements .* unnamed from now on/);
  });

  it('keeps the named statement when a write fails for another reason', async () => {
    const named = jest
      .fn()
      .mockRejectedValueOnce(
        Object.assign(new Error('Connection terminated unexpectedly'), { code: undefined }),
      )
      .mockResolvedValue(undefined);
    const repoQuery = jest.fn();
    const r = {
      query: repoQuery,
      manager: { connection: { driver: { master: { query: named } } } },
    } as unknown as Repository<RequestLog>;
    const w = new LogWriter(r, { ...config, databaseUrl: 'postgres://db/app' } as AppConfig);
    jest.spyOn(w['logger'], 'warn').mockImplementation(() => undefined);
    jest.spyOn(w['logger'], 'log').mockImplementation(() => undefined);
    w.push(row(1));
    await w.flush();
    expect(w.pending).toBe(1);
    await w.flush();
    expect(w.pending).toBe(0);
    expect(named).toHaveBeenCalledTimes(2);
    // The retry is the statement that skips rows already stored, under a name of its own.
    const names = named.mock.calls.map((c: unknown[]) => (c[0] as { name: string; text: string }).name);
    expect(names).toEqual(['lrp_insert_request_records', 'lrp_insert_request_records_retry']);
    expect((named.mock.calls[1][0] as { text: string }).text).toMatch(/ON CONFLICT \(id\) DO NOTHING/);
    expect(repoQuery).not.toHaveBeenCalled();
  });
});
