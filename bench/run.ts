/**
 * `npm run bench`: how much throughput and latency the gateway costs, on loopback.
 *
 *   (a) direct       autocannon → fast upstream                       (bench/fast-upstream.ts)
 *   (b) passthrough  autocannon → bare node:http + undici proxy → fast upstream (bench/passthrough.ts)
 *   (c) gateway      autocannon → `node dist/src/main.js` (embedded DB) → fast upstream
 *
 * Each target gets a short warm-up, an autocannon run (req/s, latency p50/p99) and a sequential run
 * (one request at a time over one keep-alive connection, p50/p99 in µs). The servers run in their
 * own processes so the load generator does not share an event loop with what it measures.
 *
 * Environment: BENCH_DURATION (s, default 10), BENCH_CONNECTIONS (50), BENCH_SEQUENTIAL (2000),
 * BENCH_WARMUP (s, 1), BENCH_BUILD=1 (run `npm run build` even if dist exists),
 * BENCH_BOOT_TIMEOUT (s, 90), BENCH_GATEWAY_MAIN (another entry point than dist/src/main.js),
 * BENCH_SOAK (s, 0: after the measured run, keep the gateway under load and print its RSS every 30 s),
 * BENCH_CPU_PROF (a directory: run the gateway with `--cpu-prof` and write its .cpuprofile there when
 * the run ends; open it in Chrome DevTools or speedscope), BENCH_HEAP_PROF (the same with
 * `--heap-prof`: where the gateway allocates),
 * BENCH_GATEWAY_NODE_ARGS (extra node/V8 flags for the gateway, e.g. GC settings),
 * BENCH_GATEWAY_CPUS (the CPUs the gateway may run on, through `taskset`, e.g. "1"),
 * BENCH_GATEWAY_OUTPUT (a file: the gateway's stdout and stderr are appended to it, e.g. with
 * `BENCH_GATEWAY_NODE_ARGS="--trace-gc --trace-gc-nvp"` to see each collection's pause and promoted bytes),
 * BENCH_RATE (1000 req/s; 0 skips the fixed-rate latency run), BENCH_RATE_DURATION (s, 10),
 * BENCH_MATRIX (1; 0 skips the matrix), BENCH_MATRIX_DURATION (s, 5), BENCH_MATRIX_CONNECTIONS (50,200),
 * BENCH_PEERS (e.g. `portkey`: also measure a peer gateway in front of the same upstream — see PEERS),
 * BENCH_COMPARE (another build's main.js: compare it with this one in alternating slices — see compare).
 *
 * The matrix: JSON and SSE answers of 1 KB and 10 KB of text, at each connection count, for every
 * target; streams also get time to first byte and to the end, sampled by one extra client during
 * the load. Every target's CPU time per request under load is read from /proc.
 *
 * The gateway part is skipped (with the reason) when it cannot run yet, e.g. no /api/models or no
 * /v1/chat/completions; (a) and (b) are always measured. Exits 0 unless (a) or (b) themselves break.
 */
import autocannon from 'autocannon';
import { ChildProcess, fork, spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Client, Pool, request } from 'undici';
import { pacedLoad, type PacedResult } from './paced';
import { percentile } from './stats';

const ROOT = resolve(__dirname, '..');

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name]);
  return process.env[name] && Number.isFinite(v) && v > 0 ? v : fallback;
}
/** A comma-separated list of positive integers (e.g. connection counts); the others are dropped. */
function envCounts(name: string, fallback: string): number[] {
  return (process.env[name] ?? fallback)
    .split(',')
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}
const DURATION = envNumber('BENCH_DURATION', 10);
const CONNECTIONS = Math.round(envNumber('BENCH_CONNECTIONS', 50));
const SEQUENTIAL = Math.round(envNumber('BENCH_SEQUENTIAL', 2000));
const WARMUP = envNumber('BENCH_WARMUP', 1);
/** Requests per second of the fixed-rate latency run (BENCH_RATE=0 skips it), and its seconds. */
const RATE = process.env.BENCH_RATE === '0' ? 0 : Math.round(envNumber('BENCH_RATE', 1000));
const RATE_DURATION = envNumber('BENCH_RATE_DURATION', 10);
const BOOT_TIMEOUT_MS = envNumber('BENCH_BOOT_TIMEOUT', 90) * 1000;
/** Seconds of extra load on the gateway after the measured run, sampling its RSS (0 = off). */
const SOAK = Number(process.env.BENCH_SOAK ?? 0) > 0 ? Number(process.env.BENCH_SOAK) : 0;
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF ? resolve(process.env.BENCH_CPU_PROF) : undefined;
const GATEWAY_OUTPUT = process.env.BENCH_GATEWAY_OUTPUT
  ? resolve(process.env.BENCH_GATEWAY_OUTPUT)
  : undefined;
const HEAP_PROF_DIR = process.env.BENCH_HEAP_PROF ? resolve(process.env.BENCH_HEAP_PROF) : undefined;
/** The response-size × stream × connections matrix (BENCH_MATRIX=0 skips it). */
const MATRIX = process.env.BENCH_MATRIX !== '0';
const MATRIX_DURATION = envNumber('BENCH_MATRIX_DURATION', 5);
const MATRIX_CONNECTIONS = envCounts('BENCH_MATRIX_CONNECTIONS', '50,200');

/**
 * The paced runs (BENCH_PACED=0 skips them): an upstream that answers at a model's pace (first token
 * after BENCH_PACED_TTFT_MS, then one token per BENCH_PACED_TOKEN_MS), at each of
 * BENCH_PACED_CONNECTIONS concurrent clients for BENCH_PACED_DURATION seconds, direct and through
 * the gateway: the throughput and latency a gateway costs when the upstream sets the pace.
 */
const PACED = process.env.BENCH_PACED !== '0';
const PACED_DURATION = envNumber('BENCH_PACED_DURATION', 24);
const PACED_CONNECTIONS = envCounts('BENCH_PACED_CONNECTIONS', '200,1000');
const PACE = {
  ttftMs: process.env.BENCH_PACED_TTFT_MS === '0' ? 0 : envNumber('BENCH_PACED_TTFT_MS', 300),
  tokenMs: envNumber('BENCH_PACED_TOKEN_MS', 20),
};

/**
 * Peer gateways that can run here, installed on first use into bench/.peers (not committed) from the
 * npm registry. LiteLLM (Python, PyPI) and New API (Go) cannot be installed on this machine.
 */
const PEERS: Record<
  string,
  {
    pkg: string;
    start: (dir: string, port: number) => string[];
    headers: (upstream: string) => Record<string, string>;
    model: string;
  }
> = {
  portkey: {
    pkg: '@portkey-ai/gateway@1.15.2',
    start: (dir, port) => [
      join(dir, 'node_modules/@portkey-ai/gateway/build/start-server.js'),
      `--port=${port}`,
      '--headless',
    ],
    headers: (upstream) => ({
      authorization: 'Bearer sk-bench',
      'x-portkey-provider': 'openai',
      'x-portkey-custom-host': `${upstream}/v1`,
    }),
    model: 'gpt-4o-mini',
  },
};
const PEER_NAMES = (process.env.BENCH_PEERS ?? '')
  .split(',')
  .map((p) => p.trim())
  .filter(Boolean);
for (const p of PEER_NAMES)
  if (!PEERS[p])
    throw new Error(`BENCH_PEERS: unknown peer '${p}' (known: ${Object.keys(PEERS).join(', ')})`);

interface Scenario {
  name: string;
  stream: boolean;
  /** The fast upstream answers max_tokens × 4 characters: 256 → 1 KB, 2,560 → 10 KB of text. */
  maxTokens: number;
  /** A conversation history of about this many KB in the request (a long chat, an agent's context). */
  requestKb?: number;
}
const SCENARIOS: Scenario[] = [
  { name: 'JSON 1 KB', stream: false, maxTokens: 256 },
  { name: 'JSON 10 KB', stream: false, maxTokens: 2560 },
  { name: 'stream 1 KB', stream: true, maxTokens: 256 },
  { name: 'stream 10 KB', stream: true, maxTokens: 2560 },
  { name: 'JSON 1 KB, 100 KB request', stream: false, maxTokens: 256, requestKb: 100 },
];
/** The paced runs' answers: 256 tokens (1 KB of text), streamed token by token or whole. */
const PACED_SCENARIOS: Scenario[] = [
  { name: 'paced stream 1 KB', stream: true, maxTokens: 256 },
  { name: 'paced JSON 1 KB', stream: false, maxTokens: 256 },
];

/**
 * The node flags `npm run start:prod` runs the server with (package.json), so that the bench measures
 * the gateway as deployed; BENCH_GATEWAY_NODE_ARGS come after them and win.
 */
const START_NODE_FLAGS = (
  /^node((?: --\S+)*) /.exec(
    (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
      .scripts['start:prod'],
  )?.[1] ?? ''
)
  .split(' ')
  .filter(Boolean);

const gatewayFlags = () =>
  [...START_NODE_FLAGS, process.env.BENCH_GATEWAY_NODE_ARGS ?? ''].join(' ').trim() || '(none)';

const out = (s = '') => process.stdout.write(`${s}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A conversation of about `kb` KB: turns of ~500 characters, user and assistant in turn. */
const history = (kb: number) =>
  Array.from({ length: Math.round((kb * 1024) / 530) }, (_, i) => ({
    role: i % 2 ? 'assistant' : 'user',
    content: `Turn ${i}: ${'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor. '.repeat(6)}`,
  }));

const chatBody = (model: string, shape: { stream?: boolean; maxTokens?: number; requestKb?: number } = {}) =>
  JSON.stringify({
    // The stub reads max_tokens with a regex: first, so that it does not scan a long history for it.
    max_tokens: shape.maxTokens ?? 32,
    model,
    messages: [
      ...(shape.requestKb ? history(shape.requestKb) : []),
      { role: 'user', content: 'Say hello in one short sentence.' },
    ],
    temperature: 0,
    ...(shape.stream ? { stream: true } : {}),
  });

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

interface Measurement {
  rps: number;
  p50ms: number;
  p99ms: number;
  total: number;
  non2xx: number;
  errors: number;
  seqP50us: number;
  seqP99us: number;
  seqNon2xx: number;
  seqErrors: number;
  /** Latency at the fixed rate (BENCH_RATE per second), µs; NaN when not measured. */
  rateP50us: number;
  rateP99us: number;
  rateFailed: number;
  /** Requests the fixed-rate client fired in one wake-up: p99 and max (1 = perfectly paced). */
  rateBurstP99: number;
  rateBurstMax: number;
  /** The gateway's event-loop delay and garbage collection during the fixed-rate run (its /metrics). */
  rateRuntime?: RuntimeStats;
  /** The server's CPU time per request during the load run (µs); NaN when not measured. */
  cpuUsPerReq: number;
  /** CPU time per request of the PostgreSQL server processes on this machine during the load run (µs). */
  dbCpuUsPerReq: number;
  /** Every 2xx answer in this target's runs, warm-ups included (to compare with what the upstream saw). */
  answered2xx: number;
}

// ---------------------------------------------------------------------------------------------
// Child processes: every one we start is killed on the way out, whatever happens.

const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    out(`\n${sig}: stopping`);
    process.exit(130);
  });
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}

async function stop(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Forks one of the bench servers (a .ts file next to this one); resolves with its port. */
function forkServer(
  file: string,
  args: string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; port: number }> {
  const child = track(
    fork(join(__dirname, file), args, {
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  return new Promise((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`${file} did not start within 30 s`)), 30_000);
    child.once('message', (m: { port?: number }) => {
      clearTimeout(timer);
      if (typeof m?.port === 'number') resolvePort({ child, port: m.port });
      else reject(new Error(`${file}: unexpected first message ${JSON.stringify(m)}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with code ${code}`));
    });
  });
}

function upstreamCount(child: ChildProcess): Promise<number> {
  return new Promise((res) => {
    const timer = setTimeout(() => res(NaN), 2000);
    const onMessage = (m: { count?: number }) => {
      if (typeof m?.count !== 'number') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      res(m.count);
    };
    child.on('message', onMessage);
    child.send('count');
  });
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

/** Resident set size of a process in MB, from /proc/<pid>/status (Linux); NaN elsewhere. */
function rssMb(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

/**
 * An autocannon run, and the p99 of the responses that were not their connection's first
 * (`warmP99ms`). Node accepts one new connection per turn of its event loop (libuv; see the README),
 * so a CPU-saturated server leaves a run's `connections` new connections in the kernel's accept
 * queue for up to seconds: their first responses are the run's tail, not the serving of requests.
 */
function load(
  t: Target,
  seconds: number,
  connections = CONNECTIONS,
): Promise<autocannon.Result & { warmP99ms: number }> {
  return new Promise((resolve, reject) => {
    const seen = new Set<unknown>();
    const warm: number[] = [];
    const run = autocannon(
      {
        url: t.url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...t.headers },
        body: t.body,
        connections,
        duration: seconds,
      },
      (err, r) => {
        if (err) return reject(err);
        warm.sort((a, b) => a - b);
        resolve(Object.assign(r, { warmP99ms: percentile(warm, 99) }));
      },
    );
    run.on('response', (client, _status, _bytes, ms) => {
      if (seen.has(client)) warm.push(ms);
      else seen.add(client);
    });
  });
}

/**
 * One request at a time on its own connection while the load runs: time to the first body byte and
 * to the end of the stream, in ms (what a streaming client feels under that load).
 */
async function sampleStreams(t: Target, running: () => boolean) {
  const url = new URL(t.url);
  const client = new Client(url.origin, { pipelining: 1, keepAliveTimeout: 30_000 });
  const headers = { 'content-type': 'application/json', ...t.headers };
  const ttfb: number[] = [];
  const full: number[] = [];
  let failed = 0;
  try {
    while (running()) {
      const t0 = performance.now();
      try {
        const r = await client.request({ method: 'POST', path: url.pathname, headers, body: t.body });
        let first = NaN;
        for await (const chunk of r.body)
          if (Number.isNaN(first) && (chunk as Buffer).length) first = performance.now();
        if (r.statusCode !== 200) failed++;
        else {
          ttfb.push(first - t0);
          full.push(performance.now() - t0);
        }
      } catch {
        failed++;
      }
    }
  } finally {
    await client.close();
  }
  ttfb.sort((a, b) => a - b);
  full.sort((a, b) => a - b);
  return {
    ttfbP50: percentile(ttfb, 50),
    ttfbP99: percentile(ttfb, 99),
    fullP50: percentile(full, 50),
    samples: ttfb.length,
    failed,
  };
}

/** Event-loop delay (since the previous scrape) and GC totals by kind, from a gateway's /metrics. */
interface RuntimeStats {
  /** Event-loop delay beyond the monitor's own timer interval (its minimum), ms. */
  loopP99ms: number;
  loopMaxMs: number;
  gc: Record<string, { count: number; ms: number }>;
  /** `gateway_overhead_seconds`: cumulative count per bucket bound (s), and the total. */
  overhead: { le: number; count: number }[];
}

/**
 * Reads the gateway's own Node metrics (prom-client's defaults): `nodejs_eventloop_lag_*` covers the
 * time since the previous scrape, `nodejs_gc_duration_seconds` counts since start.
 */
async function runtimeStats(metricsUrl: string): Promise<RuntimeStats> {
  const r = await request(metricsUrl);
  const text = await r.body.text();
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  const gc: RuntimeStats['gc'] = {};
  for (const m of text.matchAll(/^nodejs_gc_duration_seconds_(sum|count)\{kind="(\w+)"\} (\S+)$/gm)) {
    const g = (gc[m[2]] ??= { count: 0, ms: 0 });
    if (m[1] === 'sum') g.ms = Number(m[3]) * 1000;
    else g.count = Number(m[3]);
  }
  const overhead = [...text.matchAll(/^gateway_overhead_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)].map(
    (m) => ({ le: m[1] === '+Inf' ? Infinity : Number(m[1]), count: Number(m[2]) }),
  );
  // The monitor records whole timer intervals (10 ms apart when idle); its minimum is that interval.
  const min = num(/^nodejs_eventloop_lag_min_seconds (\S+)$/m);
  return {
    loopP99ms: (num(/^nodejs_eventloop_lag_p99_seconds (\S+)$/m) - min) * 1000,
    loopMaxMs: (num(/^nodejs_eventloop_lag_max_seconds (\S+)$/m) - min) * 1000,
    gc,
    overhead,
  };
}

/**
 * A percentile of a histogram's observations, interpolated linearly inside its bucket (as
 * Prometheus's histogram_quantile does), in µs.
 */
function bucketPercentile(buckets: { le: number; count: number }[], p: number): number {
  const total = buckets.at(-1)?.count ?? 0;
  if (!total) return NaN;
  const rank = (p / 100) * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe * 1e6;
      const inBucket = b.count - prevCount;
      return (prevLe + (inBucket ? ((rank - prevCount) / inBucket) * (b.le - prevLe) : 0)) * 1e6;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return NaN;
}

/** The share of a histogram's observations at or below `le` seconds (a bucket bound). */
function shareAtMost(buckets: { le: number; count: number }[], le: number): number {
  const total = buckets.at(-1)?.count ?? 0;
  return total ? (buckets.find((b) => b.le === le)?.count ?? NaN) / total : NaN;
}

/** What happened between two scrapes: the second one's event-loop delay, and the GC in between. */
function diffRuntime(a: RuntimeStats, b: RuntimeStats): RuntimeStats {
  const gc: RuntimeStats['gc'] = {};
  for (const [kind, g] of Object.entries(b.gc))
    gc[kind] = { count: g.count - (a.gc[kind]?.count ?? 0), ms: g.ms - (a.gc[kind]?.ms ?? 0) };
  const overhead = b.overhead.map((x, i) => ({ le: x.le, count: x.count - (a.overhead[i]?.count ?? 0) }));
  return { loopP99ms: b.loopP99ms, loopMaxMs: b.loopMaxMs, gc, overhead };
}

/**
 * Requests at a fixed rate (BENCH_RATE per second, default 1,000) for BENCH_RATE_DURATION seconds,
 * each timed in µs from send to the end of its answer: the added latency at that load, which is how
 * issue 9 states its latency targets. Fired on schedule whatever the answers do (open loop).
 */
async function fixedRate(t: Target) {
  const url = new URL(t.url);
  const pool = new Pool(url.origin, { connections: 64, pipelining: 1, keepAliveTimeout: 30_000 });
  const headers = { 'content-type': 'application/json', ...t.headers };
  const times: number[] = [];
  let failed = 0;
  const inflight = new Set<Promise<void>>();
  const one = () => {
    const t0 = process.hrtime.bigint();
    const p: Promise<void> = pool
      .request({ method: 'POST', path: url.pathname, headers, body: t.body })
      .then(async (r) => {
        await r.body.dump();
        if (r.statusCode < 200 || r.statusCode > 299) failed++;
        else times.push(Number(process.hrtime.bigint() - t0) / 1000);
      })
      .catch(() => void failed++)
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  try {
    const start = performance.now();
    const total = RATE * RATE_DURATION;
    let sent = 0;
    /** Requests fired per wake-up: a late timer fires several at once, and they queue. */
    const bursts: number[] = [];
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE) + 1);
      if (due > sent) bursts.push(due - sent);
      while (sent < due) {
        one();
        sent++;
      }
      await sleep(1);
    }
    await Promise.all(inflight);
    const seconds = (performance.now() - start) / 1000;
    times.sort((a, b) => a - b);
    return {
      rps: times.length / seconds,
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      failed,
      ok: times.length,
      burstP99: percentile(
        bursts.sort((x, y) => x - y),
        99,
      ),
      burstMax: bursts.length ? bursts[bursts.length - 1] : NaN,
    };
  } finally {
    await pool.close();
  }
}

async function sequential(t: Target, n: number) {
  const url = new URL(t.url);
  const client = new Client(url.origin, { pipelining: 1, keepAliveTimeout: 30_000 });
  const headers = { 'content-type': 'application/json', ...t.headers };
  const path = url.pathname + url.search;
  const one = async () => {
    const r = await client.request({ method: 'POST', path, headers, body: t.body });
    await r.body.dump();
    return r.statusCode;
  };
  let non2xx = 0;
  let errors = 0;
  let ok = 0;
  const times: number[] = [];
  try {
    for (let i = 0; i < Math.min(200, n); i++) {
      // warm-up, not timed
      const status = await one().catch(() => 0);
      if (status >= 200 && status <= 299) ok++;
    }
    for (let i = 0; i < n; i++) {
      const t0 = process.hrtime.bigint();
      try {
        const status = await one();
        if (status < 200 || status > 299) non2xx++;
        else ok++;
      } catch {
        errors++;
      }
      times.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  } finally {
    await client.close();
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), non2xx, errors, ok };
}

/** The name and the CPU time (user + system, ms) of one process, from /proc/<pid>/stat (Linux). */
function procStat(pid: number | string): { comm: string; cpuMs: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK,
  };
}

/** CPU time a process has used so far, in ms; NaN when unknown (not Linux, or the process is gone). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    return procStat(pid).cpuMs;
  } catch {
    return NaN;
  }
}
/** CPU time (ms) used so far by every process named `comm` (e.g. the PostgreSQL server's backends). */
function cpuMsOfCommand(comm: string): number {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const p = procStat(d);
      if (p.comm === comm) total += p.cpuMs;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}
const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** `pid`: the server process whose CPU time per request under load is reported. */
async function measure(t: Target, pid?: number, metricsUrl?: string): Promise<Measurement> {
  out(
    `  ${t.name}: warm-up ${WARMUP} s, load ${DURATION} s × ${CONNECTIONS} connections, ${SEQUENTIAL} sequential`,
  );
  const w = await load(t, WARMUP);
  const cpu0 = cpuMs(pid);
  const db0 = cpuMsOfCommand('postgres');
  const r = await load(t, DURATION);
  const cpuUsPerReq = ((cpuMs(pid) - cpu0) * 1000) / r.requests.total;
  const dbCpuUsPerReq = ((cpuMsOfCommand('postgres') - db0) * 1000) / r.requests.total;
  const s = await sequential(t, SEQUENTIAL);
  const runtime0 = RATE && metricsUrl ? await runtimeStats(metricsUrl) : undefined;
  const f = RATE ? await fixedRate(t) : undefined;
  const runtime1 = runtime0 && metricsUrl ? await runtimeStats(metricsUrl) : undefined;
  return {
    rateRuntime: runtime0 && runtime1 ? diffRuntime(runtime0, runtime1) : undefined,
    rps: r.requests.average,
    p50ms: r.latency.p50,
    p99ms: r.latency.p99,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    seqP50us: s.p50,
    seqP99us: s.p99,
    seqNon2xx: s.non2xx,
    seqErrors: s.errors,
    rateP50us: f?.p50 ?? NaN,
    rateP99us: f?.p99 ?? NaN,
    rateFailed: f?.failed ?? 0,
    rateBurstP99: f?.burstP99 ?? NaN,
    rateBurstMax: f?.burstMax ?? NaN,
    cpuUsPerReq,
    dbCpuUsPerReq,
    answered2xx: w['2xx'] + r['2xx'] + s.ok + (f?.ok ?? 0),
  };
}

// ---------------------------------------------------------------------------------------------
// The gateway

class Skip extends Error {}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

function ensureBuilt(): string {
  if (process.env.BENCH_GATEWAY_MAIN) return resolve(process.env.BENCH_GATEWAY_MAIN);
  const mainJs = join(ROOT, 'dist', 'src', 'main.js');
  if (!existsSync(mainJs) || process.env.BENCH_BUILD === '1') {
    out('  building the gateway (npm run build)…');
    const r = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0 || !existsSync(mainJs)) throw new Skip(`npm run build failed (exit ${r.status})`);
  } else if (existsSync(join(ROOT, 'src')) && newestMtime(join(ROOT, 'src')) > statSync(mainJs).mtimeMs) {
    out('  note: dist/ is older than src/ — this measures the last build (BENCH_BUILD=1 rebuilds first)');
  }
  return mainJs;
}

async function api(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: Record<string, unknown>; text: string }> {
  const r = await request(`${base}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await r.body.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON; `text` says what it was
  }
  return { status: r.statusCode, json, text };
}

const excerpt = (s: string) => (s.length > 200 ? `${s.slice(0, 200)}…` : s);

interface Gateway {
  child: ChildProcess;
  target: Target;
  dataDir: string;
  /** Set when BENCH_DATABASE_URL gave a server: the throwaway database to drop afterwards. */
  dropDatabase?: () => Promise<void>;
}

/**
 * With BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) the gateway runs on a
 * fresh database on that server, like a production deployment; otherwise on the embedded PGlite,
 * which shares the gateway's CPU.
 */
let benchDatabases = 0;
async function benchDatabase(): Promise<{ url: string; drop: () => Promise<void> } | undefined> {
  const base = process.env.BENCH_DATABASE_URL;
  if (!base) return undefined;
  const { Client: PgClient } = await import('pg');
  const name = `lrp_bench_${process.pid}_${++benchDatabases}`;
  const admin = new PgClient({ connectionString: base });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}"`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const u = new URL(base);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new PgClient({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/** Boots `node dist/src/main.js` on a free port with an embedded database and configures a route. */
async function startGateway(
  upstreamPort: number,
  logTail: string[],
  mainJs = ensureBuilt(),
  extraNodeArgs = process.env.BENCH_GATEWAY_NODE_ARGS ?? '',
  pacedPort?: number,
): Promise<Gateway> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'lrp-bench-'));
  const db = await benchDatabase();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    DATABASE_URL: db?.url ?? '',
    REDIS_URL: '',
    NODE_ENV: 'production',
  };
  for (const k of ['ADMIN_EMAIL', 'ADMIN_PASSWORD', 'JWT_SECRET', 'ENCRYPTION_KEY']) delete env[k];
  // With BENCH_CPU_PROF the gateway exits on SIGUSR2 (process.exit writes the profile; SIGTERM
  // would end it through Nest's shutdown hooks, which re-raise the signal and skip the write).
  const nodeArgs = [
    ...(CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []),
    ...(HEAP_PROF_DIR ? ['--heap-prof', `--heap-prof-dir=${HEAP_PROF_DIR}`] : []),
  ];
  if (nodeArgs.length) nodeArgs.push('-r', join(__dirname, 'exit-on-sigusr2.js'));
  // Extra node/V8 flags for the gateway only (e.g. GC settings), space-separated.
  nodeArgs.unshift(...START_NODE_FLAGS, ...extraNodeArgs.split(' ').filter(Boolean));
  // BENCH_GATEWAY_CPUS (e.g. "1"): the gateway runs on those CPUs only (`taskset`, which execs node:
  // the pid is the gateway's), e.g. one core of its own while the bench and the stubs take the other.
  const cpus = process.env.BENCH_GATEWAY_CPUS;
  const [command, args] = cpus
    ? ['taskset', ['-c', cpus, process.execPath, ...nodeArgs, mainJs]]
    : [process.execPath, [...nodeArgs, mainJs]];
  const child = track(
    spawn(command, args, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const keep = (chunk: Buffer) => {
    if (GATEWAY_OUTPUT) appendFileSync(GATEWAY_OUTPUT, chunk);
    logTail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (logTail.length > 30) logTail.splice(0, logTail.length - 30);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const gw: Gateway = {
    child,
    dataDir,
    dropDatabase: db?.drop,
    target: { name: '(c) gateway', url: '', headers: {}, body: '' },
  };

  try {
    const base = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    for (;;) {
      if (child.exitCode !== null)
        throw new Skip(`the gateway exited with code ${child.exitCode} while starting`);
      if (Date.now() > deadline)
        throw new Skip(`the gateway did not answer /health within ${BOOT_TIMEOUT_MS / 1000} s`);
      const ok = await api(base, 'GET', '/health').then(
        (r) => r.status === 200,
        () => false,
      );
      if (ok) break;
      await sleep(200);
    }

    const setup = await api(base, 'POST', '/api/auth/setup', {
      email: 'bench@example.com',
      password: 'bench-password-1234',
    });
    const token = setup.json.accessToken;
    if (setup.status !== 201 || typeof token !== 'string')
      throw new Skip(`POST /api/auth/setup → ${setup.status} ${excerpt(setup.text)}`);

    // A provider in front of the stub and a model routed to it; with `pacedPort`, the same again in
    // front of the paced stub (model "bench-paced").
    const route = async (name: string, stubPort: number, modelName: string) => {
      const provider = await api(
        base,
        'POST',
        '/api/providers',
        {
          name,
          type: 'openai-compatible',
          baseUrl: `http://127.0.0.1:${stubPort}/v1`,
          credentials: [{ key: 'sk-bench' }],
        },
        token,
      );
      const providerId = provider.json.id;
      if (provider.status !== 201 || typeof providerId !== 'string')
        throw new Skip(`POST /api/providers → ${provider.status} ${excerpt(provider.text)}`);
      const model = await api(
        base,
        'POST',
        '/api/models',
        {
          name: modelName,
          type: 'chat',
          strategy: 'priority',
          routes: [{ providerId, upstreamModel: 'gpt-4o-mini', weight: 1, priority: 0 }],
        },
        token,
      );
      if (model.status === 404)
        throw new Skip('POST /api/models → 404: the model catalogue does not exist yet');
      if (model.status < 200 || model.status > 299)
        throw new Skip(`POST /api/models → ${model.status} ${excerpt(model.text)}`);
    };
    await route('bench', upstreamPort, 'bench-model');
    if (pacedPort) await route('bench-paced', pacedPort, 'bench-paced');

    const key = await api(base, 'POST', '/api/api-keys', { name: 'bench' }, token);
    if (key.status !== 201 || typeof key.json.key !== 'string')
      throw new Skip(`POST /api/api-keys → ${key.status} ${excerpt(key.text)}`);

    gw.target = {
      name: '(c) gateway',
      url: `${base}/v1/chat/completions`,
      headers: { authorization: `Bearer ${key.json.key}` },
      body: chatBody('bench-model'),
    };
    const probe = await request(gw.target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...gw.target.headers },
      body: gw.target.body,
      signal: AbortSignal.timeout(30_000),
    });
    const probeText = await probe.body.text();
    if (probe.statusCode === 404)
      throw new Skip(`POST /v1/chat/completions → 404: the chat endpoint does not exist yet`);
    if (probe.statusCode < 200 || probe.statusCode > 299)
      throw new Skip(`POST /v1/chat/completions → ${probe.statusCode} ${excerpt(probeText)}`);
    return gw;
  } catch (e) {
    await stopGateway(gw);
    throw e;
  }
}

interface Peer {
  name: string;
  child: ChildProcess;
  target: Target;
  model: string;
}

/** Installs (once) and starts a peer gateway in front of the fast upstream; resolves when it answers. */
async function startPeer(name: string, upstreamPort: number, label: string): Promise<Peer> {
  const spec = PEERS[name];
  const dir = join(__dirname, '.peers', name);
  const installed = join(dir, 'package.json');
  if (
    !existsSync(installed) ||
    !readFileSync(installed, 'utf8').includes(spec.pkg.split('@').slice(0, -1).join('@'))
  ) {
    out(`  ${label}: npm install ${spec.pkg} into ${dir}…`);
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefix', dir, spec.pkg], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0) throw new Skip(`npm install ${spec.pkg} failed`);
  }
  const port = await freePort();
  const child = track(
    spawn(process.execPath, spec.start(dir, port), {
      cwd: dir,
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'ignore', 'ignore'],
    }),
  );
  const upstream = `http://127.0.0.1:${upstreamPort}`;
  const target: Target = {
    name: label,
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    headers: spec.headers(upstream),
    body: chatBody(spec.model),
  };
  const deadline = Date.now() + BOOT_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Skip(`${name} exited with code ${child.exitCode} while starting`);
    if (Date.now() > deadline) {
      await stop(child);
      throw new Skip(`${name} did not answer within ${BOOT_TIMEOUT_MS / 1000} s`);
    }
    const status = await request(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
      body: target.body,
      signal: AbortSignal.timeout(5000),
    }).then(
      async (r) => {
        await r.body.dump();
        return r.statusCode;
      },
      () => 0,
    );
    if (status === 200) break;
    await sleep(300);
  }
  return { name, child, target, model: spec.model };
}

async function stopGateway(gw: Gateway): Promise<void> {
  if ((CPU_PROF_DIR || HEAP_PROF_DIR) && gw.child.exitCode === null) {
    const exited = new Promise<void>((r) => gw.child.once('exit', () => r()));
    gw.child.kill('SIGUSR2');
    await Promise.race([exited, sleep(15_000)]);
    out(`  (c) gateway: profile written to ${[CPU_PROF_DIR, HEAP_PROF_DIR].filter(Boolean).join(' and ')}`);
  }
  await stop(gw.child);
  await gw.dropDatabase?.().catch(() => undefined);
  rmSync(gw.dataDir, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// Report

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';

/** Prints rows under a header, columns padded to fit; the first `textColumns` are left-aligned. */
function printTable(head: string[], body: string[][], textColumns = 1): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < textColumns ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  out(line(head));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of body) out(line(r));
}

function table(rows: [string, Measurement | undefined][]): void {
  const head = [
    'target',
    'req/s',
    'p50 ms',
    'p99 ms',
    'requests',
    'non-2xx',
    'errors',
    'seq p50 µs',
    'seq p99 µs',
    'seq non-2xx',
    `@${RATE}/s p50 µs`,
    `@${RATE}/s p99 µs`,
    'CPU µs/req',
    'PG CPU µs/req',
  ];
  const body = rows.map(([name, m]) =>
    m
      ? [
          name,
          fmt(m.rps),
          fmt(m.p50ms, 2),
          fmt(m.p99ms, 2),
          fmt(m.total),
          fmt(m.non2xx),
          fmt(m.errors),
          fmt(m.seqP50us),
          fmt(m.seqP99us),
          fmt(m.seqNon2xx + m.seqErrors + m.rateFailed),
          fmt(m.rateP50us),
          fmt(m.rateP99us),
          fmt(m.cpuUsPerReq),
          fmt(m.dbCpuUsPerReq),
        ]
      : [name, 'skipped', '', '', '', '', '', '', '', '', '', '', '', ''],
  );
  printTable(head, body);
}

interface MatrixRow {
  scenario: string;
  connections: number;
  target: string;
  rps: number;
  p50ms: number;
  p99ms: number;
  /** p99 without each connection's first response (see load). */
  warmP99ms: number;
  non2xx: number;
  errors: number;
  cpuUsPerReq: number;
  ttfbP50?: number;
  ttfbP99?: number;
  fullP50?: number;
}

interface MatrixTarget {
  name: string;
  url: string;
  headers: Record<string, string>;
  model: string;
  /** The server process whose CPU time per request is reported. */
  pid?: number;
}

/** Each scenario at each connection count, for every target, one after the other. */
async function matrix(targets: MatrixTarget[]) {
  const rows: MatrixRow[] = [];
  for (const sc of SCENARIOS) {
    for (const connections of MATRIX_CONNECTIONS) {
      for (const tg of targets) {
        const t: Target = { name: tg.name, url: tg.url, headers: tg.headers, body: chatBody(tg.model, sc) };
        out(`  matrix: ${sc.name}, ${connections} connections, ${tg.name}`);
        await load(t, WARMUP, connections);
        const cpu0 = cpuMs(tg.pid);
        let running = true;
        const sampler = sc.stream ? sampleStreams(t, () => running) : undefined;
        const r = await load(t, MATRIX_DURATION, connections);
        running = false;
        const streams = await sampler;
        rows.push({
          scenario: sc.name,
          connections,
          target: tg.name,
          rps: r.requests.average,
          p50ms: r.latency.p50,
          p99ms: r.latency.p99,
          warmP99ms: r.warmP99ms,
          non2xx: r.non2xx + (streams?.failed ?? 0),
          errors: r.errors,
          cpuUsPerReq: ((cpuMs(tg.pid) - cpu0) * 1000) / r.requests.total,
          ttfbP50: streams?.ttfbP50,
          ttfbP99: streams?.ttfbP99,
          fullP50: streams?.fullP50,
        });
      }
    }
  }
  return rows;
}

function matrixTable(rows: MatrixRow[]): void {
  const head = [
    'scenario',
    'conns',
    'target',
    'req/s',
    'p50 ms',
    'p99 ms',
    'p99 warm',
    'TTFB p50',
    'TTFB p99',
    'stream p50',
    'CPU µs/req',
    '× passthrough',
    'non-2xx',
  ];
  const pass = (r: MatrixRow) =>
    rows.find(
      (x) => x.scenario === r.scenario && x.connections === r.connections && x.target === '(b) passthrough',
    );
  const body = rows.map((r) => [
    r.scenario,
    String(r.connections),
    r.target,
    // Mostly errors (e.g. a peer that cannot stream): its rate says nothing about serving.
    r.non2xx + r.errors > r.rps * MATRIX_DURATION * 0.5 ? 'fails' : fmt(r.rps),
    fmt(r.p50ms, 2),
    fmt(r.p99ms, 2),
    fmt(r.warmP99ms, 2),
    r.ttfbP50 === undefined ? '' : fmt(r.ttfbP50, 2),
    r.ttfbP99 === undefined ? '' : fmt(r.ttfbP99, 2),
    r.fullP50 === undefined ? '' : fmt(r.fullP50, 2),
    fmt(r.cpuUsPerReq),
    r.target !== '(a) direct' && r.target !== '(b) passthrough' && pass(r)
      ? fmt(r.rps / pass(r)!.rps, 2)
      : '',
    fmt(r.non2xx + r.errors),
  ]);
  printTable(head, body, 3);
}

/**
 * BENCH_COMPARE=<other main.js>: this build's gateway and another build's, side by side, for a change's
 * before/after. The machine's speed drifts (shared VM: the pass-through's CPU per request varied 2×
 * between runs minutes apart), so the two gateways and the pass-through take turns in short slices
 * (BENCH_COMPARE_SLICES × BENCH_COMPARE_SLICE s each) and each one's CPU time is summed over its own
 * slices: drift then hits all three alike.
 */
async function compare(otherMain: string): Promise<void> {
  const slices = Math.round(envNumber('BENCH_COMPARE_SLICES', 8));
  const slice = envNumber('BENCH_COMPARE_SLICE', 2);
  // BENCH_COMPARE_SCENARIO: one of the matrix's scenarios (e.g. "stream 10 KB"); default a small JSON answer.
  const scenarioName = process.env.BENCH_COMPARE_SCENARIO;
  const scenario = scenarioName ? SCENARIOS.find((x) => x.name === scenarioName) : undefined;
  if (scenarioName && !scenario)
    throw new Error(`BENCH_COMPARE_SCENARIO: one of ${SCENARIOS.map((x) => `"${x.name}"`).join(', ')}`);
  const shape = scenario ?? {};
  out(
    `LLM Router Platform bench, compare — node ${process.version}, ${availableParallelism()} CPUs, ` +
      `${CONNECTIONS} connections, ${slices} turns of ${slice} s each, ${scenario?.name ?? 'small JSON answer'}`,
  );
  out(`  gateway node flags: ${gatewayFlags()}`);
  const upstream = await forkServer('fast-upstream.ts');
  const proxy = await forkServer('passthrough.ts', [`http://127.0.0.1:${upstream.port}`]);
  const pass: Target = {
    name: 'passthrough',
    url: `http://127.0.0.1:${proxy.port}/v1/chat/completions`,
    headers: { authorization: 'Bearer sk-bench' },
    body: chatBody('gpt-4o-mini', shape),
  };
  const logTail: string[] = [];
  const gws: Gateway[] = [];
  try {
    // BENCH_COMPARE_NODE_ARGS: node/V8 flags for the other build only (BENCH_GATEWAY_NODE_ARGS: this one).
    const otherArgs = process.env.BENCH_COMPARE_NODE_ARGS ?? process.env.BENCH_GATEWAY_NODE_ARGS;
    for (const [main, args] of [
      [ensureBuilt(), undefined],
      [resolve(otherMain), otherArgs],
    ] as const) {
      out(`  starting ${main}${args ? ` (${args})` : ''}…`);
      gws.push(await startGateway(upstream.port, logTail, main, args));
    }
  } catch (e) {
    for (const g of gws) await stopGateway(g);
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${logTail.join('\n')}`);
  }
  const targets = [
    { label: 'passthrough', t: pass, pid: proxy.child.pid },
    {
      label: 'this build',
      t: { ...gws[0].target, body: chatBody('bench-model', shape) },
      pid: gws[0].child.pid,
    },
    {
      label: basename(resolve(otherMain, '../..')),
      t: { ...gws[1].target, body: chatBody('bench-model', shape) },
      pid: gws[1].child.pid,
    },
  ].map((x) => ({ ...x, cpuMs: 0, requests: 0, seconds: 0 }));
  for (const x of targets) await load(x.t, WARMUP);
  for (let i = 0; i < slices; i++) {
    for (const x of i % 2 ? [...targets].reverse() : targets) {
      const cpu0 = cpuMs(x.pid);
      const r = await load(x.t, slice);
      x.cpuMs += cpuMs(x.pid) - cpu0;
      x.requests += r.requests.total;
      x.seconds += slice;
      if (r.non2xx || r.errors) out(`  ${x.label}: ${r.non2xx} non-2xx, ${r.errors} errors`);
    }
  }
  const [p] = targets;
  const us = (x: (typeof targets)[number]) => (x.cpuMs * 1000) / x.requests;
  out();
  printTable(
    ['target', 'req/s', 'CPU µs/req', 'req/s ÷ passthrough', 'CPU ÷ passthrough'],
    targets.map((x) => [
      x.label,
      fmt(x.requests / x.seconds),
      fmt(us(x)),
      fmt(x.requests / p.requests, 2),
      fmt(us(x) / us(p), 2),
    ]),
  );
  for (const g of gws) await stopGateway(g);
}

interface PacedRow extends PacedResult {
  scenario: string;
  connections: number;
  target: string;
  /** CPU time of the target's process per completed request, µs. */
  cpuUsPerReq: number;
  /** The target's peak RSS during the run, MB. */
  peakRssMb: number;
}

/** Each paced scenario at each connection count: direct, through the pass-through and the gateway. */
async function pacedRuns(targets: MatrixTarget[]): Promise<PacedRow[]> {
  const rows: PacedRow[] = [];
  for (const sc of PACED_SCENARIOS)
    for (const connections of PACED_CONNECTIONS)
      for (const tg of targets) {
        out(`  paced: ${sc.name}, ${connections} connections, ${tg.name}`);
        const cpu0 = cpuMs(tg.pid);
        let peak = rssMb(tg.pid);
        const sampler = setInterval(() => (peak = Math.max(peak, rssMb(tg.pid) || 0)), 250);
        const r = await pacedLoad(
          tg.url,
          tg.headers,
          chatBody(tg.model, sc),
          connections,
          PACED_DURATION,
          // Clients start spread over one answer's time (first token, then every token).
          PACE.ttftMs + sc.maxTokens * PACE.tokenMs,
        );
        clearInterval(sampler);
        rows.push({
          ...r,
          scenario: sc.name,
          connections,
          target: tg.name,
          cpuUsPerReq: ((cpuMs(tg.pid) - cpu0) * 1000) / r.completed,
          peakRssMb: Math.max(peak, rssMb(tg.pid) || 0),
        });
      }
  return rows;
}

function pacedTable(rows: PacedRow[]): void {
  const direct = (r: PacedRow) =>
    rows.find(
      (x) => x.scenario === r.scenario && x.connections === r.connections && x.target === '(a) direct',
    );
  const signed = (x: number) => `${x < 0 ? '−' : '+'}${fmt(Math.abs(x), 1)}`;
  /** `r`'s p50 / p99 minus the direct row's, signed; empty on the direct row itself. */
  const added = (r: PacedRow, d: PacedRow | undefined, pick: (x: PacedRow) => [number, number]) => {
    if (!d || d === r) return '';
    const [r50, r99] = pick(r);
    const [d50, d99] = pick(d);
    return `${signed(r50 - d50)} / ${signed(r99 - d99)}`;
  };
  printTable(
    [
      'scenario',
      'conns',
      'target',
      'req/s',
      '× direct',
      'TTFB p50',
      'TTFB p99',
      'full p50',
      'full p99',
      'added TTFB p50/p99',
      'added full p50/p99',
      'CPU µs/req',
      'peak RSS MB',
      'failed',
    ],
    rows.map((r) => {
      const d = direct(r);
      return [
        r.scenario,
        String(r.connections),
        r.target,
        fmt(r.rps),
        fmt(r.rps / (d?.rps ?? NaN), 2),
        fmt(r.ttfbP50, 1),
        fmt(r.ttfbP99, 1),
        fmt(r.fullP50),
        fmt(r.fullP99),
        added(r, d, (x) => [x.ttfbP50, x.ttfbP99]),
        added(r, d, (x) => [x.fullP50, x.fullP99]),
        fmt(r.cpuUsPerReq),
        fmt(r.peakRssMb),
        String(r.failed),
      ];
    }),
    3,
  );
}

async function main(): Promise<void> {
  if (process.env.BENCH_COMPARE) return compare(process.env.BENCH_COMPARE);
  out(
    `LLM Router Platform bench — node ${process.version}, ${availableParallelism()} CPUs, ` +
      `${CONNECTIONS} connections × ${DURATION} s, ${SEQUENTIAL} sequential requests` +
      (MATRIX ? `; matrix ${MATRIX_CONNECTIONS.join('/')} connections × ${MATRIX_DURATION} s` : ''),
  );
  out(`  gateway node flags: ${gatewayFlags()}`);
  const upstream = await forkServer('fast-upstream.ts');
  const proxy = await forkServer('passthrough.ts', [`http://127.0.0.1:${upstream.port}`]);
  const paced = PACED
    ? await forkServer('fast-upstream.ts', [], {
        PACE_TTFT_MS: String(PACE.ttftMs),
        PACE_TOKEN_MS: String(PACE.tokenMs),
      })
    : undefined;
  const pacedProxy = paced
    ? await forkServer('passthrough.ts', [`http://127.0.0.1:${paced.port}`])
    : undefined;

  const direct: Target = {
    name: '(a) direct',
    url: `http://127.0.0.1:${upstream.port}/v1/chat/completions`,
    headers: { authorization: 'Bearer sk-bench' },
    body: chatBody('gpt-4o-mini'),
  };
  const pass: Target = {
    ...direct,
    name: '(b) passthrough',
    url: `http://127.0.0.1:${proxy.port}/v1/chat/completions`,
  };

  let gw: Gateway | undefined;
  let skipped: string | undefined;
  const logTail: string[] = [];
  try {
    out(
      `  (c) gateway: starting ${process.env.BENCH_GATEWAY_MAIN ?? 'dist/src/main.js'} (${process.env.BENCH_DATABASE_URL ? 'PostgreSQL' : 'embedded database'})…`,
    );
    gw = await startGateway(upstream.port, logTail, undefined, undefined, paced?.port);
  } catch (e) {
    skipped = e instanceof Skip ? e.message : `failed: ${e instanceof Error ? e.message : String(e)}`;
  }

  const peers: Peer[] = [];
  const peerSkips: string[] = [];
  for (const [i, name] of PEER_NAMES.entries()) {
    const label = `(${String.fromCharCode(100 + i)}) ${name}`;
    try {
      out(`  ${label}: starting`);
      peers.push(await startPeer(name, upstream.port, label));
    } catch (e) {
      peerSkips.push(`${label}: skipped (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  const a = await measure(direct, upstream.child.pid);
  const b = await measure(pass, proxy.child.pid);
  const peerResults: [string, Measurement | undefined][] = [];
  for (const p of peers) peerResults.push([p.target.name, await measure(p.target, p.child.pid)]);
  const matrixTargets: MatrixTarget[] = [
    {
      name: '(a) direct',
      url: direct.url,
      headers: direct.headers,
      model: 'gpt-4o-mini',
      pid: upstream.child.pid,
    },
    {
      name: '(b) passthrough',
      url: pass.url,
      headers: pass.headers,
      model: 'gpt-4o-mini',
      pid: proxy.child.pid,
    },
  ];
  const peerTargets: MatrixTarget[] = peers.map((p) => ({
    name: p.target.name,
    url: p.target.url,
    headers: p.target.headers,
    model: p.model,
    pid: p.child.pid,
  }));

  let c: Measurement | undefined;
  let rss: { start: number; end: number; peak: number } | undefined;
  let soak: number[] | undefined;
  let soakRequests = 0;
  let forwarded: number | undefined;
  let rows: MatrixRow[] = [];
  let pacedRows: PacedRow[] = [];
  try {
    if (gw) {
      const g = gw;
      const start = rssMb(g.child.pid);
      let peak = start;
      const sampler = setInterval(() => (peak = Math.max(peak, rssMb(g.child.pid) || 0)), 250);
      const before = await upstreamCount(upstream.child);
      c = await measure(g.target, g.child.pid, new URL('/metrics', g.target.url).href);
      const after = await upstreamCount(upstream.child);
      forwarded = after - before;
      if (g.child.exitCode !== null)
        throw new Error(`the gateway exited (code ${g.child.exitCode}) during the run`);
      matrixTargets.push({
        name: '(c) gateway',
        url: g.target.url,
        headers: g.target.headers,
        model: 'bench-model',
        pid: g.child.pid,
      });
      if (MATRIX) rows = await matrix([...matrixTargets, ...peerTargets]);
      clearInterval(sampler);
      const end = rssMb(g.child.pid);
      rss = { start, end, peak: Math.max(peak, end) };
      if (SOAK) {
        // Memory under sustained load: RSS after each 30 s slice; growth beyond noise would be a leak.
        out(`  (c) gateway: soak ${SOAK} s × ${CONNECTIONS} connections, RSS sampled every 30 s`);
        soak = [rssMb(g.child.pid)];
        let requests = 0;
        for (let done = 0; done < SOAK; done += 30) {
          const r = await load(g.target, Math.min(30, SOAK - done));
          requests += r.requests.total;
          soak.push(rssMb(g.child.pid));
        }
        soakRequests = requests;
      }
      if (paced && pacedProxy)
        pacedRows = await pacedRuns([
          {
            name: '(a) direct',
            url: `http://127.0.0.1:${paced.port}/v1/chat/completions`,
            headers: direct.headers,
            model: 'gpt-4o-mini',
            pid: paced.child.pid,
          },
          {
            name: '(b) passthrough',
            url: `http://127.0.0.1:${pacedProxy.port}/v1/chat/completions`,
            headers: direct.headers,
            model: 'gpt-4o-mini',
            pid: pacedProxy.child.pid,
          },
          {
            name: '(c) gateway',
            url: g.target.url,
            headers: g.target.headers,
            model: 'bench-paced',
            pid: g.child.pid,
          },
        ]);
    } else if (MATRIX) {
      rows = await matrix([...matrixTargets, ...peerTargets]);
    }
  } catch (e) {
    skipped = `failed: ${e instanceof Error ? e.message : String(e)}`;
    c = undefined;
  } finally {
    if (gw) await stopGateway(gw);
  }
  for (const p of peers) await stop(p.child);
  await stop(proxy.child);
  await stop(upstream.child);
  if (pacedProxy) await stop(pacedProxy.child);
  if (paced) await stop(paced.child);

  out();
  table([['(a) direct', a], ['(b) passthrough', b], ['(c) gateway', c], ...peerResults]);
  out();
  for (const line of peerSkips) out(line);
  if (!c) {
    out(`gateway: skipped (${skipped})`);
    if (logTail.length && skipped && !skipped.includes('404')) {
      out('  last gateway output:');
      for (const l of logTail.slice(-10)) out(`    ${l}`);
    }
  }
  out('ratios:');
  out(`  throughput passthrough / direct:  ${fmt(b.rps / a.rps, 2)}`);
  out(
    `  added sequential latency passthrough − direct:  p50 ${fmt(b.seqP50us - a.seqP50us)} µs, p99 ${fmt(b.seqP99us - a.seqP99us)} µs`,
  );
  if (c) {
    out(`  throughput gateway / passthrough: ${fmt(c.rps / b.rps, 2)}`);
    out(`  throughput gateway / direct:      ${fmt(c.rps / a.rps, 2)}`);
    out(`  CPU per request gateway / passthrough: ${fmt(c.cpuUsPerReq / b.cpuUsPerReq, 2)}`);
    out(
      `  added sequential latency gateway − direct:  p50 ${fmt(c.seqP50us - a.seqP50us)} µs, p99 ${fmt(c.seqP99us - a.seqP99us)} µs`,
    );
    if (RATE)
      out(
        `  added latency at ${RATE} req/s gateway − direct:  p50 ${fmt(c.rateP50us - a.rateP50us)} µs, p99 ${fmt(c.rateP99us - a.rateP99us)} µs (targets: ≤ 500 µs, ≤ 2,000 µs); ` +
          `the client fired up to ${fmt(c.rateBurstP99)} requests at once at p99 (max ${fmt(c.rateBurstMax)}), which then queue`,
      );
    const rt = c.rateRuntime;
    if (rt?.overhead.length)
      out(
        `  the gateway's own time per request in that run (gateway_overhead_seconds: its duration minus the upstream wait): ` +
          `p50 ${fmt(bucketPercentile(rt.overhead, 50))} µs, p99 ${fmt(bucketPercentile(rt.overhead, 99))} µs; ` +
          `${fmt(100 * shareAtMost(rt.overhead, 0.0005), 1)} % ≤ 0.5 ms, ${fmt(100 * shareAtMost(rt.overhead, 0.002), 1)} % ≤ 2 ms`,
      );
    if (rt)
      out(
        `  the gateway during that run: event-loop delay beyond its 10 ms monitor p99 ${fmt(rt.loopP99ms, 1)} ms, max ${fmt(rt.loopMaxMs, 1)} ms; GC ` +
          Object.entries(rt.gc)
            .filter(([, g]) => g.count > 0)
            .map(([kind, g]) => `${kind} ${fmt(g.count)}× ${fmt(g.ms, 1)} ms`)
            .join(', '),
      );
  }
  for (const [name, m] of peerResults)
    if (m)
      out(
        `  ${name}: throughput / passthrough ${fmt(m.rps / b.rps, 2)}, CPU per request / passthrough ${fmt(m.cpuUsPerReq / b.cpuUsPerReq, 2)}, ` +
          `added sequential latency p50 ${fmt(m.seqP50us - a.seqP50us)} µs, p99 ${fmt(m.seqP99us - a.seqP99us)} µs`,
      );
  if (rss)
    out(
      `gateway RSS: start ${fmt(rss.start, 1)} MB, end ${fmt(rss.end, 1)} MB (peak ${fmt(rss.peak, 1)} MB)`,
    );
  if (soak)
    out(
      `gateway RSS during the ${SOAK} s soak (${fmt(soakRequests)} requests), every 30 s: ${soak.map((m) => fmt(m, 0)).join(' → ')} MB`,
    );
  if (c && forwarded !== undefined)
    out(
      `gateway → upstream: the gateway answered ${fmt(c.answered2xx)} requests with 2xx; ` +
        `the upstream received ${fmt(forwarded)}` +
        (forwarded === c.answered2xx
          ? ' (every one forwarded)'
          : forwarded > c.answered2xx && forwarded - c.answered2xx <= 2 * CONNECTIONS
            ? ' (the difference: requests in flight when a load run stopped)'
            : ''),
    );
  if (rows.length) {
    out();
    out(
      `matrix (${MATRIX_DURATION} s each; "p99 warm": without each connection's first response; TTFB and stream times in ms, from one extra client streaming one request at a time during the load):`,
    );
    matrixTable(rows);
  }
  if (pacedRows.length) {
    out();
    out(
      `paced upstream (first token after ${PACE.ttftMs} ms, then a token every ${PACE.tokenMs} ms; 256 tokens; ` +
        `${PACED_DURATION} s per run, closed loop, clients started over one answer's time; req/s over the second half of each run; TTFB and times in ms, every request):`,
    );
    pacedTable(pacedRows);
  }

  const bad = (
    [['(a) direct', a], ['(b) passthrough', b], ['(c) gateway', c], ...peerResults] as const
  ).filter(([, m]) => m && m.non2xx + m.errors + m.seqNon2xx + m.seqErrors + m.rateFailed > 0);
  const badRows = [...rows.filter((r) => r.non2xx + r.errors > 0), ...pacedRows.filter((r) => r.failed > 0)];
  out(
    bad.length || badRows.length
      ? `WARNING: non-2xx or failed requests in ${[...bad.map(([n]) => n), ...badRows.map((r) => `${r.scenario}/${r.connections}/${r.target}`)].join(', ')} (see the tables)`
      : 'all measured requests returned 2xx',
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
