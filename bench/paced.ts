/**
 * The paced load of `npm run bench`: clients in front of an upstream that answers at a model's pace
 * (bench/fast-upstream.ts, paced mode), so that what is measured is what a gateway costs when the
 * upstream, not the CPU, sets the throughput — as with real LLM providers, whose answers take seconds.
 *
 * `connections` clients each send one request after another on a keep-alive connection of their own
 * (closed loop) for `seconds`; every request's time to the first body byte and to its end is kept.
 * The clients start spread evenly over `staggerMs` (about one answer's time): started together, they
 * would stay in step, every answer's tokens arriving in one burst, which is not how independent users
 * load a gateway (measured: 200 clients in step added 67–130 ms to the first byte through either proxy).
 * The throughput counts the requests that ended in the second half of the run, once every client has
 * been through a first answer.
 */
import { Pool } from 'undici';
import { percentile } from './stats';

export interface PacedResult {
  /** Requests that ended per second, in the second half of the run. */
  rps: number;
  completed: number;
  failed: number;
  /** Time to the first body byte and to the end of the answer, ms. */
  ttfbP50: number;
  ttfbP99: number;
  fullP50: number;
  fullP99: number;
}

export async function pacedLoad(
  url: string,
  headers: Record<string, string>,
  body: string,
  connections: number,
  seconds: number,
  staggerMs: number,
): Promise<PacedResult> {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const hdrs = { 'content-type': 'application/json', ...headers };
  const start = performance.now();
  const stopAt = start + seconds * 1000;
  const countFrom = start + (seconds * 1000) / 2;
  const ttfb: number[] = [];
  const full: number[] = [];
  let counted = 0;
  let failed = 0;
  const client = async (_: unknown, i: number) => {
    await new Promise((r) => setTimeout(r, (i * staggerMs) / connections));
    while (performance.now() < stopAt) {
      const t0 = performance.now();
      try {
        const r = await pool.request({
          method: 'POST',
          path: u.pathname,
          headers: hdrs,
          body,
          headersTimeout: 120_000,
          bodyTimeout: 120_000,
        });
        let first = NaN;
        for await (const chunk of r.body)
          if (Number.isNaN(first) && (chunk as Buffer).length) first = performance.now();
        const end = performance.now();
        if (r.statusCode !== 200) {
          failed++;
          continue;
        }
        ttfb.push(first - t0);
        full.push(end - t0);
        if (end >= countFrom && end <= stopAt) counted++;
      } catch {
        failed++;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: connections }, client));
  } finally {
    await pool.close();
  }
  ttfb.sort((a, b) => a - b);
  full.sort((a, b) => a - b);
  return {
    rps: counted / ((stopAt - countFrom) / 1000),
    completed: full.length,
    failed,
    ttfbP50: percentile(ttfb, 50),
    ttfbP99: percentile(ttfb, 99),
    fullP50: percentile(full, 50),
    fullP99: percentile(full, 99),
  };
}
