import { Logger } from '@nestjs/common';
import { BATCH_ROWS, BatchWriter, DROP_REPORT_MS, FAILING_REPORT_MS } from './batch-writer';

/** A writer over an in-memory "table" whose writes can be made to fail. */
class TestWriter extends BatchWriter<number> {
  protected readonly logger = new Logger('TestWriter');
  protected readonly what = 'test rows';
  readonly table: number[] = [];
  readonly batches: number[][] = [];
  error: Error | null = null;
  /** While set, writes wait for it (a slow database). */
  gate: Promise<void> | null = null;

  protected async write(rows: number[]): Promise<void> {
    this.batches.push([...rows]);
    if (this.gate) await this.gate;
    if (this.error) throw this.error;
    this.table.push(...rows);
  }

  get log(): Logger {
    return this.logger;
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('BatchWriter', () => {
  let w: TestWriter;
  let warn: jest.SpyInstance;
  let info: jest.SpyInstance;

  const start = (maxRows?: number) => {
    w = new TestWriter(maxRows);
    warn = jest.spyOn(w.log, 'warn').mockImplementation(() => undefined);
    info = jest.spyOn(w.log, 'log').mockImplementation(() => undefined);
    jest.spyOn(w.log, 'error').mockImplementation(() => undefined);
    w.onModuleInit();
  };
  const lines = (spy: jest.SpyInstance) => spy.mock.calls.map((c) => String(c[0]));

  beforeEach(() => jest.useFakeTimers());
  afterEach(async () => {
    w.error = null;
    await w.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('writes full batches at once, and leaves rows that arrive during a write for the next tick instead of chasing them in small batches', async () => {
    start();
    let open!: () => void;
    w.gate = new Promise<void>((r) => (open = r));
    const full = BATCH_ROWS;
    for (let i = 1; i <= full; i++) w.push(i); // a full batch: written at once
    expect(w.batches.map((b) => b.length)).toEqual([full]);
    for (let i = full + 1; i <= full + 30; i++) w.push(i); // arrive while it is being written
    w.gate = null;
    open();
    await jest.advanceTimersByTimeAsync(0);
    expect(w.batches.map((b) => b.length)).toEqual([full]);
    expect(w.pending).toBe(30);

    await jest.advanceTimersByTimeAsync(1000); // the tick takes them
    expect(w.batches.map((b) => b.length)).toEqual([full, 30]);
    expect(w.table).toEqual(range(1, full + 30));

    // An explicit flush writes everything, also what arrives while it runs.
    w.gate = new Promise<void>((r) => (open = r));
    w.push(full + 31);
    const flushed = w.flush();
    w.push(full + 32);
    w.gate = null;
    open();
    await flushed;
    expect(w.pending).toBe(0);
    expect(w.table).toEqual(range(1, full + 32));
  });

  it('keeps at most maxRows while the database is down, dropping the oldest, and writes the rest when it returns', async () => {
    start(10);
    w.error = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    for (let i = 1; i <= 30; i++) w.push(i);
    await jest.advanceTimersByTimeAsync(3000);
    expect(w.pending).toBe(10);
    expect(w.dropped).toBe(20);
    expect(w.failedWrites).toBeGreaterThanOrEqual(1);

    w.error = null;
    await jest.advanceTimersByTimeAsync(1000);
    expect(w.table).toEqual(range(21, 30));
    expect(w.pending).toBe(0);
    expect(w.written).toBe(10);
  });

  it('puts a failed batch back in front; rows pushed meanwhile beyond the bound push out its oldest', async () => {
    start(5);
    w.error = new Error('Connection terminated unexpectedly');
    for (let i = 1; i <= 5; i++) w.push(i); // a full batch: its write starts at once (and will fail)
    expect(w.pending).toBe(5);
    w.push(6); // rows 6–8 arrive while 1–5 are out
    w.push(7);
    w.push(8);
    await w.flush();
    expect(w.pending).toBe(5);
    expect(w.dropped).toBe(3);
    w.error = null;
    await w.flush();
    expect(w.table).toEqual([4, 5, 6, 7, 8]);
  });

  it('retries once a second while failing, however many rows arrive (no write per push)', async () => {
    start(100_000);
    w.error = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    for (let s = 0; s < 5; s++) {
      for (let i = 0; i < 2000; i++) w.push(s * 2000 + i);
      await jest.advanceTimersByTimeAsync(1000);
    }
    // One write for the first full batch, then one per tick: not one per batch-sized push.
    expect(w.batches.length).toBeLessThanOrEqual(6);
    expect(w.pending).toBe(10_000);
    w.error = null;
    await jest.advanceTimersByTimeAsync(1000);
    expect(w.table).toEqual(range(0, 9999));
  });

  it('reports drops at most once per interval, with the count since the last line', async () => {
    start(10);
    w.error = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    for (let i = 0; i < 1000; i++) w.push(i);
    const dropLines = () => lines(warn).filter((l) => l.includes('dropped the oldest'));
    expect(dropLines()).toEqual([
      'test rows: buffer full (10 rows); dropped the oldest 1 row, 1 since start',
    ]);
    await jest.advanceTimersByTimeAsync(DROP_REPORT_MS / 2);
    for (let i = 0; i < 1000; i++) w.push(i);
    expect(dropLines()).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(DROP_REPORT_MS);
    expect(dropLines()).toHaveLength(2);
    expect(dropLines()[1]).toMatch(/dropped the oldest 1989 rows in the last 10\.\d s, 1990 since start$/);
    // Nothing more dropped: nothing more said.
    await jest.advanceTimersByTimeAsync(DROP_REPORT_MS * 3);
    expect(dropLines()).toHaveLength(2);
    expect(w.dropped).toBe(1990);
  });

  it('logs a failing write once with its error, then only a reminder per interval, and the recovery once', async () => {
    start();
    w.error = new Error('connect ECONNREFUSED 127.0.0.1:5432');
    w.push(1);
    await jest.advanceTimersByTimeAsync(1000);
    expect(lines(warn)).toEqual([
      'could not write test rows; keeping 1 row and retrying every second: connect ECONNREFUSED 127.0.0.1:5432',
    ]);
    expect(w.failingSince).not.toBeNull();
    await jest.advanceTimersByTimeAsync(FAILING_REPORT_MS - 2000); // ~28 more failed tries, same error
    expect(lines(warn)).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(2000);
    expect(lines(warn)).toHaveLength(2);
    expect(lines(warn)[1]).toMatch(
      /^still cannot write test rows after 30\.0 s \(31 tries\); 1 row waiting, 0 dropped since start$/,
    );
    w.error = new Error('Connection terminated unexpectedly'); // a new error is logged once
    await jest.advanceTimersByTimeAsync(3000);
    expect(lines(warn)).toHaveLength(3);
    expect(lines(warn)[2]).toMatch(
      /^still cannot write test rows after 3\d\.0 s: Connection terminated unexpectedly$/,
    );

    w.error = null;
    await jest.advanceTimersByTimeAsync(1000);
    expect(lines(info)).toEqual([
      expect.stringMatching(
        /^writing test rows again after 3\d\.0 s and 3\d failed tries; 0 rows still waiting, 0 dropped since start$/,
      ),
    ]);
    expect(w.failingSince).toBeNull();
    expect(w.table).toEqual([1]);
  });

  it('reports drops left unreported at shutdown', async () => {
    start(2);
    w.error = new Error('down');
    for (let i = 0; i < 5; i++) w.push(i);
    await w.onApplicationShutdown();
    const dropLines = lines(warn).filter((l) => l.includes('dropped the oldest'));
    expect(dropLines.join('\n')).toContain('3 since start');
    w.error = null;
  });
});
