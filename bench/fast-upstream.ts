/**
 * (a) The fastest possible "LLM upstream": a bare node:http server, no latency. GET /v1/models gets a
 * model list; a chat request gets one fixed, small chat.completion JSON — or, when its `max_tokens`
 * is 64 or more, an answer of `max_tokens × 4` characters (the bench's 1 KB and 10 KB responses),
 * and with `"stream": true` the same answer as OpenAI SSE: the role chunk at once, then the content
 * in 64-character chunks, finish, usage (when `stream_options.include_usage`) and `[DONE]`, written on
 * the next turn of the event loop. Answers are built once per shape and cached.
 *
 * **Paced** (`startFastUpstream(port, { ttftMs, tokenMs })`, or the environment `PACE_TTFT_MS` and
 * `PACE_TOKEN_MS` of the forked process): it answers like a model generating. A stream sends its role
 * chunk after `ttftMs`, then one SSE event per token (4 characters, `max_tokens` of them) every
 * `tokenMs`, then finish, usage and `[DONE]`; a JSON answer comes whole after `ttftMs + max_tokens ×
 * tokenMs`. Each request waits on its own timers, so the answers interleave as real ones do.
 *
 * Used in-process via `startFastUpstream()`, or as its own process: `fork('bench/fast-upstream.ts')`
 * sends `{ port }` over IPC once listening and answers `'count'` with `{ count }` (requests served).
 */
import { createServer, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** A chat.completion answering `text`, which counts as `completionTokens` output tokens. */
function completion(text: string, completionTokens: number): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion',
      created: 1700000000,
      model: 'gpt-4o-mini',
      system_fingerprint: 'fp_bench',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 9, completion_tokens: completionTokens, total_tokens: 9 + completionTokens },
    }),
  );
}

const COMPLETION = completion('Hello! How can I help you today?', 9);
const MODELS = Buffer.from(
  JSON.stringify({
    object: 'list',
    data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'bench' }],
  }),
);

const WORDS = 'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor ';
const CHUNK_CHARS = 64;

function content(chars: number): string {
  return WORDS.repeat(Math.ceil(chars / WORDS.length)).slice(0, chars);
}

function sizedCompletion(maxTokens: number): Buffer {
  return completion(content(maxTokens * 4), maxTokens);
}

/** One OpenAI stream event (`data: {chat.completion.chunk}`) with this delta and finish reason. */
const sseChunk = (delta: object, finish: string | null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1700000000,
    model: 'gpt-4o-mini',
    system_fingerprint: 'fp_bench',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  })}\n\n`;

/** The closing events: finish, the usage chunk (`stream_options.include_usage`) and `[DONE]`. */
function closingEvents(completionTokens: number, usage: boolean): string {
  let out = sseChunk({}, 'stop');
  if (usage)
    out += `data: ${JSON.stringify({
      id: 'chatcmpl-bench',
      object: 'chat.completion.chunk',
      created: 1700000000,
      model: 'gpt-4o-mini',
      choices: [],
      usage: { prompt_tokens: 9, completion_tokens: completionTokens, total_tokens: 9 + completionTokens },
    })}\n\n`;
  return `${out}data: [DONE]\n\n`;
}

/** The SSE answer in two parts: the first event (sent at once) and the rest. */
function sizedStream(maxTokens: number, usage: boolean): [Buffer, Buffer] {
  const text = content(Math.max(4, maxTokens * 4));
  let rest = '';
  for (let i = 0; i < text.length; i += CHUNK_CHARS)
    rest += sseChunk({ content: text.slice(i, i + CHUNK_CHARS) }, null);
  rest += closingEvents(maxTokens, usage);
  return [Buffer.from(sseChunk({ role: 'assistant', content: '' }, null)), Buffer.from(rest)];
}

/** Characters of one token in a paced stream (one SSE event each, as OpenAI sends them). */
const TOKEN_CHARS = 4;

/** A paced stream's events: the role chunk, one per token, and the closing ones (finish, usage, done). */
function tokenStream(maxTokens: number, usage: boolean): { first: Buffer; tokens: Buffer[]; last: Buffer } {
  const text = content(Math.max(1, maxTokens) * TOKEN_CHARS);
  const tokens: Buffer[] = [];
  for (let i = 0; i < text.length; i += TOKEN_CHARS)
    tokens.push(Buffer.from(sseChunk({ content: text.slice(i, i + TOKEN_CHARS) }, null)));
  return {
    first: Buffer.from(sseChunk({ role: 'assistant', content: '' }, null)),
    tokens,
    last: Buffer.from(closingEvents(tokens.length, usage)),
  };
}

/** How a paced upstream answers: time to the first token, then time per token (ms). */
export interface Pace {
  ttftMs: number;
  tokenMs: number;
}

const cache = new Map<string, Buffer | [Buffer, Buffer] | ReturnType<typeof tokenStream>>();
function cached<T extends Buffer | [Buffer, Buffer] | ReturnType<typeof tokenStream>>(
  key: string,
  make: () => T,
): T {
  let v = cache.get(key) as T | undefined;
  if (!v) cache.set(key, (v = make()));
  return v;
}

export interface FastUpstream {
  server: Server;
  port: number;
  /** Requests answered so far. */
  count(): number;
  close(): Promise<void>;
}

/** A paced stream: the role chunk after the first-token time, then one event per token interval. */
function pacedStream(res: ServerResponse, maxTokens: number, usage: boolean, pace: Pace): void {
  const s = cached(`p${maxTokens}${usage}`, () => tokenStream(maxTokens, usage));
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let i = -1;
  let timer: NodeJS.Timeout | undefined;
  const next = () => {
    if (res.destroyed) return;
    if (i < 0) res.write(s.first);
    else if (i < s.tokens.length) res.write(s.tokens[i]);
    else return void res.end(s.last);
    i++;
    timer = setTimeout(next, pace.tokenMs);
  };
  timer = setTimeout(next, pace.ttftMs);
  res.once('close', () => clearTimeout(timer));
}

export async function startFastUpstream(port = 0, pace?: Pace): Promise<FastUpstream> {
  let served = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      served++;
      let body: Buffer = COMPLETION;
      if (req.method === 'GET' && req.url?.startsWith('/v1/models')) body = MODELS;
      else if (chunks.length) {
        // Only what shapes the answer is looked at (a regex, not a JSON parse: this is the baseline).
        const text =
          chunks.length === 1 ? chunks[0].toString('latin1') : Buffer.concat(chunks).toString('latin1');
        const maxTokens = Number(/"max_tokens"\s*:\s*(\d+)/.exec(text)?.[1] ?? 0);
        if (/"stream"\s*:\s*true/.test(text)) {
          const usage = /"include_usage"\s*:\s*true/.test(text);
          if (pace) return pacedStream(res, maxTokens, usage, pace);
          const [first, rest] = cached(`s${maxTokens}${usage}`, () => sizedStream(maxTokens, usage));
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          res.write(first);
          setImmediate(() => res.end(rest));
          return;
        }
        if (maxTokens >= 64) body = cached(`j${maxTokens}`, () => sizedCompletion(maxTokens));
        if (pace) {
          const answer = body;
          const timer = setTimeout(
            () => {
              res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
              res.end(answer);
            },
            pace.ttftMs + maxTokens * pace.tokenMs,
          );
          res.once('close', () => clearTimeout(timer));
          return;
        }
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    count: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (require.main === module) {
  const ttftMs = Number(process.env.PACE_TTFT_MS);
  const tokenMs = Number(process.env.PACE_TOKEN_MS);
  const pace = ttftMs >= 0 && tokenMs > 0 ? { ttftMs, tokenMs } : undefined;
  void startFastUpstream(Number(process.env.PORT ?? 0), pace).then((up) => {
    if (process.send) {
      process.send({ port: up.port });
      process.on('message', (m) => {
        if (m === 'count') process.send?.({ count: up.count() });
      });
      process.on('disconnect', () => process.exit(0));
    } else {
      process.stdout.write(`fast upstream on http://127.0.0.1:${up.port}\n`);
    }
  });
}
