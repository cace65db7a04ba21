/**
 * Scriptable fake LLM upstreams for e2e tests: one real HTTP server on 127.0.0.1 (random port) per
 * protocol, answering in the wire shapes of the OpenAI, Anthropic and Gemini APIs closely enough that
 * the official SDKs (and a real gateway) accept them.
 *
 *   const up = await startMockUpstream('openai');
 *   up.script({ kind: 'status', status: 429, retryAfter: 1 }); // the next request gets a 429, then 'ok'
 *   ... point a provider at up.url ...
 *   expect(up.requests[0].body).toMatchObject({ model: 'gpt-4o-mini' });
 *   await up.close();
 *
 * Every request takes the next scripted behaviour (any route, arrival order); an empty queue means
 * 'ok'. 'ok' echoes the last user text as "echo: <text>". Token counts are ceil(chars / 4).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

export type UpstreamProtocol = 'openai' | 'anthropic' | 'gemini';

export type Behaviour =
  /** Answer normally: echo the last user text as "echo: <text>". */
  | { kind: 'ok' }
  /** Answer with one tool / function call. `arguments` is a JSON text. */
  | { kind: 'tool_call'; name: string; arguments: string }
  /**
   * Answer normally, reporting prompt-cache use (Anthropic): `read` tokens read from and `write`
   * written to the cache, on top of the uncached input tokens.
   */
  | { kind: 'prompt_cache'; read: number; write: number }
  /** Answer with this status in the protocol's error shape (or `body` verbatim), `Retry-After` when given. */
  | { kind: 'status'; status: number; retryAfter?: number; body?: unknown }
  /** Accept the request and never answer (until close()). */
  | { kind: 'hang' }
  /** Destroy the socket (TCP RST) as soon as the request is read; nothing is written. */
  | { kind: 'reset' }
  /**
   * Send the response headers and `afterChunks` stream events (SSE events, `[DONE]` included), then
   * destroy the socket. For a non-streaming request: send the first half of the JSON body, then destroy.
   */
  | { kind: 'cut_stream'; afterChunks: number }
  /**
   * Wait `delayMs` before sending anything (headers included), then answer like 'ok'. A client whose
   * header timeout is shorter gives up first (the wait ends early when the connection closes).
   */
  | { kind: 'slow_headers'; delayMs: number }
  /**
   * A 200 that does not parse. Non-stream: the first half of the real JSON body, sent as a complete
   * response (its own content-length, clean end). Stream: the event at index `atChunk` (default 0)
   * carries the first half of its JSON; the events around it are sent as usual.
   */
  | { kind: 'malformed_json'; atChunk?: number }
  /**
   * Send the response headers and `afterChunks` stream events, then end the response cleanly: no
   * finish event, no `[DONE]` / `message_stop`, no socket error. With `midEvent`, the first half of the
   * next event is sent before the end (an event cut in the middle). For a non-streaming request: the
   * first half of the JSON body (chunked, no content-length), then a clean end.
   */
  | { kind: 'truncate_stream'; afterChunks: number; midEvent?: boolean }
  /**
   * Send `afterChunks` stream events, then the protocol's own error event (OpenAI `data: {"error":…}`,
   * Anthropic `event: error`, Gemini `data: {"error":…}`) for `status` (default 500), then end cleanly.
   * For a non-streaming request: that status and error body, like 'status'.
   */
  | { kind: 'stream_error'; afterChunks: number; status?: number }
  /**
   * Send the response headers and `afterChunks` stream events, then go silent with the connection
   * open (until the client gives up or close()): a stall mid-stream, for body timeouts. For a
   * non-streaming request: the headers and the first half of the JSON body, then silence.
   */
  | { kind: 'stall_stream'; afterChunks: number };

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Query string parameters (e.g. Gemini's `alt=sse`, `key=`). */
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body; the raw text if it was not JSON; undefined if empty. */
  body: unknown;
  /** The body's text as received. */
  rawBody: string;
}

export interface MockUpstream {
  /** Base URL as a provider would be configured: openai → `${origin}/v1`; anthropic, gemini → origin. */
  url: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  protocol: UpstreamProtocol;
  /** Everything received, in order. */
  requests: RecordedRequest[];
  /** Queue behaviours for the next requests; when the queue is empty, 'ok'. */
  script(...behaviours: Behaviour[]): void;
  /**
   * Flip the default behaviour used when the queue is empty (e.g. `{ kind: 'status', status: 500 }`
   * makes every request fail until `flip(null)` flips it back to 'ok').
   */
  flip(behaviour: Behaviour | null): void;
  /** Answer `METHOD path` with this JSON (e.g. balance endpoints), ahead of any behaviour. */
  serve(method: string, path: string, body: unknown, status?: number): void;
  /** Empty the behaviour queue and the recorded requests. */
  reset(): void;
  /** Stop the server; hanging and open connections are destroyed. */
  close(): Promise<void>;
}

export interface MockUpstreamOptions {
  /** Delay before anything is written (not applied to 'reset' and 'hang'). */
  latencyMs?: number;
  /** Delay between two stream events (default 0: each event is still its own write). */
  chunkDelayMs?: number;
}

type Json = Record<string, unknown>;

/** Deterministic token estimate used for every count the mocks report. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Splits `text` into exactly `n` consecutive pieces (some may be empty if the text is short). */
export function splitInto(text: string, n: number): string[] {
  const size = Math.ceil(text.length / n);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(text.slice(i * size, (i + 1) * size));
  return out;
}

/** The pieces an answer text is streamed in: at least 3, about 16 characters each. */
function contentPieces(text: string): string[] {
  return splitInto(text, Math.max(3, Math.ceil(text.length / 16)));
}

/** A deterministic unit vector of length 8 for an input. */
export function mockEmbedding(input: string): number[] {
  const h = createHash('sha256').update(input).digest();
  const v = Array.from({ length: 8 }, (_, i) => h.readInt16LE(i * 2) / 32768);
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => Math.fround(x / norm));
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Text of an OpenAI / Anthropic content value: a string or a list of `{type:'text', text}` parts. */
function partsText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((p) => (isObject(p) && typeof p.text === 'string' && (p.type === 'text' || !p.type) ? p.text : ''))
    .join('');
}

/** All text in a list of messages (for the prompt token estimate). */
function allText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map(allText).join('');
  if (isObject(v)) return Object.values(v).map(allText).join('');
  return '';
}

function lastUserText(protocol: UpstreamProtocol, body: Json, path: string): string {
  if (protocol === 'gemini') {
    const contents = Array.isArray(body.contents) ? body.contents : [];
    const users = contents.filter(
      (c): c is Json => isObject(c) && (c.role === 'user' || c.role === undefined),
    );
    const last = users[users.length - 1];
    return last ? partsText(last.parts) : '';
  }
  if (path.endsWith('/completions') && !path.endsWith('/chat/completions')) {
    const p = body.prompt;
    if (typeof p === 'string') return p;
    if (Array.isArray(p)) {
      const strings = p.filter((x): x is string => typeof x === 'string');
      return strings[strings.length - 1] ?? '';
    }
    return '';
  }
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const users = messages.filter((m): m is Json => isObject(m) && m.role === 'user');
  const last = users[users.length - 1];
  return last ? partsText(last.content) : '';
}

function promptTokens(protocol: UpstreamProtocol, body: Json): number {
  const parts =
    protocol === 'gemini'
      ? [body.contents, body.systemInstruction]
      : protocol === 'anthropic'
        ? [body.system, body.messages]
        : [body.messages, body.prompt];
  return Math.max(1, estimateTokens(allText(parts)));
}

// ---------------------------------------------------------------------------------------------
// Errors

const OPENAI_ERROR_TYPES: Record<number, [type: string, code: string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['invalid_request_error', 'unsupported_country_region_territory'],
  404: ['invalid_request_error', 'model_not_found'],
  429: ['requests', 'rate_limit_exceeded'],
  500: ['server_error', null],
  503: ['server_error', 'service_unavailable'],
};
const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};
const GEMINI_ERROR_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export function errorBody(protocol: UpstreamProtocol, status: number, message: string): Json {
  switch (protocol) {
    case 'openai': {
      const [type, code] =
        OPENAI_ERROR_TYPES[status] ??
        (status >= 500 ? ['server_error', null] : ['invalid_request_error', null]);
      return { error: { message, type, param: null, code } };
    }
    case 'anthropic':
      return {
        type: 'error',
        error: {
          type: ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'),
          message,
        },
      };
    case 'gemini':
      return {
        error: {
          code: status,
          message,
          status: GEMINI_ERROR_STATUS[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'),
        },
      };
  }
}

// ---------------------------------------------------------------------------------------------
// Answers: a non-stream JSON body, or a list of stream events.

interface StreamEvent {
  event?: string;
  data: string;
}

type Answer =
  | { kind: 'json'; status?: number; body: unknown }
  | { kind: 'stream'; events: StreamEvent[]; contentType?: string; jsonArray?: boolean };

interface Ctx {
  protocol: UpstreamProtocol;
  method: string;
  path: string;
  query: Record<string, string>;
  body: Json;
  behaviour: Behaviour;
  seq: number;
}

const created = () => Math.floor(Date.now() / 1000);
const ev = (data: unknown, event?: string): StreamEvent => ({ event, data: JSON.stringify(data) });

function notFound(c: Ctx): Answer {
  return {
    kind: 'json',
    status: 404,
    body: errorBody(c.protocol, 404, `mock ${c.protocol} upstream: no route for ${c.method} ${c.path}`),
  };
}

function toolCall(c: Ctx): { name: string; arguments: string } | undefined {
  return c.behaviour.kind === 'tool_call'
    ? { name: c.behaviour.name, arguments: c.behaviour.arguments }
    : undefined;
}

function parseArgs(args: string): unknown {
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return {};
  }
}

const OPENAI_MODELS = ['gpt-4o-mini', 'gpt-4o', 'text-embedding-3-small', 'gpt-3.5-turbo-instruct'];
const ANTHROPIC_MODELS = ['claude-sonnet-4-5', 'claude-haiku-4-5'];
const GEMINI_MODELS = ['gemini-2.0-flash', 'gemini-2.5-pro', 'text-embedding-004'];

function openaiAnswer(c: Ctx): Answer {
  const { body, method, path } = c;
  const model = typeof body.model === 'string' ? body.model : 'gpt-4o-mini';
  if (method === 'GET' && path === '/v1/models') {
    return {
      kind: 'json',
      body: {
        object: 'list',
        data: OPENAI_MODELS.map((id) => ({ id, object: 'model', created: 1700000000, owned_by: 'mock' })),
      },
    };
  }
  const one = /^\/v1\/models\/([^/]+)$/.exec(path);
  if (method === 'GET' && one) {
    const id = decodeURIComponent(one[1]);
    if (!OPENAI_MODELS.includes(id))
      return {
        kind: 'json',
        status: 404,
        body: errorBody('openai', 404, `The model '${id}' does not exist`),
      };
    return { kind: 'json', body: { id, object: 'model', created: 1700000000, owned_by: 'mock' } };
  }
  if (method !== 'POST') return notFound(c);
  const stream = body.stream === true;
  const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;

  if (path === '/v1/embeddings') {
    const input = body.input;
    const inputs: string[] =
      typeof input === 'string'
        ? [input]
        : Array.isArray(input)
          ? input.every((x) => typeof x === 'number')
            ? [JSON.stringify(input)]
            : input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)))
          : [];
    const base64 = body.encoding_format === 'base64';
    const tokens = Math.max(1, estimateTokens(inputs.join('')));
    return {
      kind: 'json',
      body: {
        object: 'list',
        data: inputs.map((text, index) => {
          const vector = mockEmbedding(text);
          return {
            object: 'embedding',
            index,
            embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector,
          };
        }),
        model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      },
    };
  }

  const prompt = promptTokens('openai', body);
  const text = `echo: ${lastUserText('openai', body, path)}`;

  if (path === '/v1/completions') {
    const id = `cmpl-mock${c.seq}`;
    const completion = estimateTokens(text);
    const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
    if (!stream) {
      return {
        kind: 'json',
        body: {
          id,
          object: 'text_completion',
          created: created(),
          model,
          choices: [{ text, index: 0, logprobs: null, finish_reason: 'stop' }],
          usage,
        },
      };
    }
    const base = { id, object: 'text_completion', created: created(), model };
    const u = includeUsage ? { usage: null } : {};
    const events = contentPieces(text).map((piece) =>
      ev({ ...base, choices: [{ text: piece, index: 0, logprobs: null, finish_reason: null }], ...u }),
    );
    events.push(
      ev({ ...base, choices: [{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }], ...u }),
    );
    if (includeUsage) events.push(ev({ ...base, choices: [], usage }));
    events.push({ data: '[DONE]' });
    return { kind: 'stream', events };
  }

  if (path !== '/v1/chat/completions') return notFound(c);
  const id = `chatcmpl-mock${c.seq}`;
  const tool = toolCall(c);
  const completion = tool ? Math.max(1, estimateTokens(tool.name + tool.arguments)) : estimateTokens(text);
  const usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  };
  const finish = tool ? 'tool_calls' : 'stop';
  const callId = `call_mock${c.seq}`;
  if (!stream) {
    const message = tool
      ? {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [
            { id: callId, type: 'function', function: { name: tool.name, arguments: tool.arguments } },
          ],
        }
      : { role: 'assistant', content: text, refusal: null };
    return {
      kind: 'json',
      body: {
        id,
        object: 'chat.completion',
        created: created(),
        model,
        system_fingerprint: 'fp_mock',
        choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
        usage,
      },
    };
  }
  const base = {
    id,
    object: 'chat.completion.chunk',
    created: created(),
    model,
    system_fingerprint: 'fp_mock',
  };
  const u = includeUsage ? { usage: null } : {};
  const chunk = (delta: Json, finishReason: string | null = null) =>
    ev({ ...base, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...u });
  const events: StreamEvent[] = [];
  if (tool) {
    events.push(
      chunk({
        role: 'assistant',
        content: null,
        tool_calls: [
          { index: 0, id: callId, type: 'function', function: { name: tool.name, arguments: '' } },
        ],
      }),
    );
    for (const piece of splitInto(tool.arguments, Math.max(2, Math.ceil(tool.arguments.length / 16))))
      events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
  } else {
    events.push(chunk({ role: 'assistant', content: '', refusal: null }));
    for (const piece of contentPieces(text)) events.push(chunk({ content: piece }));
  }
  events.push(chunk({}, finish));
  if (includeUsage) events.push(ev({ ...base, choices: [], usage }));
  events.push({ data: '[DONE]' });
  return { kind: 'stream', events };
}

function anthropicAnswer(c: Ctx): Answer {
  const { body, method, path } = c;
  if (method === 'GET' && path === '/v1/models') {
    const data = ANTHROPIC_MODELS.map((id) => ({
      type: 'model',
      id,
      display_name: id,
      created_at: '2025-01-01T00:00:00Z',
    }));
    return {
      kind: 'json',
      body: { data, has_more: false, first_id: data[0].id, last_id: data[data.length - 1].id },
    };
  }
  if (method !== 'POST') return notFound(c);
  const prompt = promptTokens('anthropic', body);
  if (path === '/v1/messages/count_tokens') return { kind: 'json', body: { input_tokens: prompt } };
  if (path !== '/v1/messages') return notFound(c);

  const model = typeof body.model === 'string' ? body.model : 'claude-sonnet-4-5';
  const id = `msg_mock${c.seq}`;
  const tool = toolCall(c);
  const text = `echo: ${lastUserText('anthropic', body, path)}`;
  const output = tool ? Math.max(1, estimateTokens(tool.name + tool.arguments)) : estimateTokens(text);
  const stopReason = tool ? 'tool_use' : 'end_turn';
  const toolId = `toolu_mock${c.seq}`;
  const cache = c.behaviour.kind === 'prompt_cache' ? c.behaviour : { read: 0, write: 0 };
  const usage = {
    input_tokens: prompt,
    cache_creation_input_tokens: cache.write,
    cache_read_input_tokens: cache.read,
    output_tokens: output,
  };
  if (body.stream !== true) {
    const content = tool
      ? [{ type: 'tool_use', id: toolId, name: tool.name, input: parseArgs(tool.arguments) }]
      : [{ type: 'text', text }];
    return {
      kind: 'json',
      body: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content,
        stop_reason: stopReason,
        stop_sequence: null,
        usage,
      },
    };
  }
  const events: StreamEvent[] = [
    ev(
      {
        type: 'message_start',
        message: {
          id,
          type: 'message',
          role: 'assistant',
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { ...usage, output_tokens: 1 },
        },
      },
      'message_start',
    ),
  ];
  const e = (data: Json) => ev(data, data.type as string);
  if (tool) {
    events.push(
      e({
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: toolId, name: tool.name, input: {} },
      }),
    );
    events.push(e({ type: 'ping' }));
    for (const piece of splitInto(tool.arguments, Math.max(2, Math.ceil(tool.arguments.length / 16))))
      events.push(
        e({
          type: 'content_block_delta',
          index: 0,
          delta: { type: 'input_json_delta', partial_json: piece },
        }),
      );
  } else {
    events.push(e({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }));
    events.push(e({ type: 'ping' }));
    for (const piece of contentPieces(text))
      events.push(e({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: piece } }));
  }
  events.push(e({ type: 'content_block_stop', index: 0 }));
  events.push(
    e({
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: output },
    }),
  );
  events.push(e({ type: 'message_stop' }));
  return { kind: 'stream', events };
}

function geminiAnswer(c: Ctx): Answer {
  const { body, method, path } = c;
  if (method === 'GET' && /^\/v1(beta)?\/models$/.test(path)) {
    return {
      kind: 'json',
      body: {
        models: GEMINI_MODELS.map((id) => ({
          name: `models/${id}`,
          version: '001',
          displayName: id,
          inputTokenLimit: 1048576,
          outputTokenLimit: 8192,
          supportedGenerationMethods: id.includes('embedding')
            ? ['embedContent']
            : ['generateContent', 'countTokens'],
        })),
      },
    };
  }
  const m = /^\/v1(?:beta)?\/models\/([^/:]+):([A-Za-z]+)$/.exec(path);
  if (method !== 'POST' || !m) return notFound(c);
  const model = decodeURIComponent(m[1]);
  const action = m[2];

  if (action === 'embedContent') {
    return {
      kind: 'json',
      body: {
        embedding: {
          values: mockEmbedding(partsText(isObject(body.content) ? body.content.parts : undefined)),
        },
      },
    };
  }
  if (action === 'batchEmbedContents') {
    const reqs = Array.isArray(body.requests) ? body.requests : [];
    return {
      kind: 'json',
      body: {
        embeddings: reqs.map((r) => ({
          values: mockEmbedding(partsText(isObject(r) && isObject(r.content) ? r.content.parts : undefined)),
        })),
      },
    };
  }
  const prompt = promptTokens('gemini', body);
  if (action === 'countTokens') return { kind: 'json', body: { totalTokens: prompt } };
  if (action !== 'generateContent' && action !== 'streamGenerateContent') return notFound(c);

  const tool = toolCall(c);
  const text = `echo: ${lastUserText('gemini', body, path)}`;
  const output = tool ? Math.max(1, estimateTokens(tool.name + tool.arguments)) : estimateTokens(text);
  const usageMetadata = {
    promptTokenCount: prompt,
    candidatesTokenCount: output,
    totalTokenCount: prompt + output,
  };
  const responseId = `mock${c.seq}`;
  const candidate = (parts: Json[], finish?: string) => ({
    content: { role: 'model', parts },
    ...(finish ? { finishReason: finish } : {}),
    index: 0,
  });
  if (action === 'generateContent') {
    const parts = tool
      ? [{ functionCall: { name: tool.name, args: parseArgs(tool.arguments) } }]
      : [{ text }];
    return {
      kind: 'json',
      body: { candidates: [candidate(parts, 'STOP')], usageMetadata, modelVersion: model, responseId },
    };
  }
  const events: StreamEvent[] = [];
  if (tool) {
    events.push(
      ev({
        candidates: [
          candidate([{ functionCall: { name: tool.name, args: parseArgs(tool.arguments) } }], 'STOP'),
        ],
        usageMetadata,
        modelVersion: model,
        responseId,
      }),
    );
  } else {
    const pieces = contentPieces(text);
    pieces.forEach((piece, i) => {
      const last = i === pieces.length - 1;
      events.push(
        ev({
          candidates: [candidate([{ text: piece }], last ? 'STOP' : undefined)],
          ...(last ? { usageMetadata } : {}),
          modelVersion: model,
          responseId,
        }),
      );
    });
  }
  // Without alt=sse, Gemini streams one JSON array.
  if (c.query.alt !== 'sse')
    return { kind: 'stream', events, contentType: 'application/json; charset=UTF-8', jsonArray: true };
  return { kind: 'stream', events };
}

// ---------------------------------------------------------------------------------------------
// Server

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits `ms`, or less when the connection closes first (the client gave up, or close()). */
function pause(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    res.once('close', done);
  });
}

const half = (text: string) => text.slice(0, Math.floor(text.length / 2));

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.write(data, () => resolve());
  });
}

/** Whether a request asks for a streamed answer (Gemini: the action; the others: `stream: true`). */
function streamRequested(protocol: UpstreamProtocol, path: string, body: unknown): boolean {
  if (protocol === 'gemini') return path.endsWith(':streamGenerateContent');
  return isObject(body) && body.stream === true;
}

function formatEvent(protocol: UpstreamProtocol, e: StreamEvent): string {
  // Gemini separates events with CRLF pairs, like the real API.
  const nl = protocol === 'gemini' ? '\r\n' : '\n';
  return `${e.event ? `event: ${e.event}${nl}` : ''}data: ${e.data}${nl}${nl}`;
}

export async function startMockUpstream(
  protocol: UpstreamProtocol,
  opts: MockUpstreamOptions = {},
): Promise<MockUpstream> {
  const queue: Behaviour[] = [];
  const requests: RecordedRequest[] = [];
  let fallback: Behaviour | null = null;
  const fixed = new Map<string, { status: number; body: unknown }>();
  const sockets = new Set<Socket>();
  let seq = 0;
  let closed = false;

  const answerFor =
    protocol === 'openai' ? openaiAnswer : protocol === 'anthropic' ? anthropicAnswer : geminiAnswer;

  const sendJson = (
    res: ServerResponse,
    status: number,
    body: unknown,
    extra: Record<string, string> = {},
  ) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...extra,
    });
    res.end(text);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://mock');
    const rawBody = raw.toString('utf8');
    let body: unknown = undefined;
    if (rawBody) {
      try {
        body = JSON.parse(rawBody) as unknown;
      } catch {
        body = rawBody;
      }
    }
    const query = Object.fromEntries(url.searchParams);
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      headers: { ...req.headers },
      body,
      rawBody,
    });
    const served = fixed.get(`${req.method ?? 'GET'} ${url.pathname}`);
    if (served) return sendJson(res, served.status, served.body);
    let behaviour = queue.shift() ?? fallback ?? { kind: 'ok' };
    seq++;

    if (behaviour.kind === 'reset') {
      const s = req.socket;
      if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
      else s.destroy();
      return;
    }
    if (behaviour.kind === 'hang') return; // the socket stays open until the client gives up or close()
    if (behaviour.kind === 'slow_headers') await pause(res, behaviour.delayMs);
    if (opts.latencyMs) await sleep(opts.latencyMs);
    if (closed || res.destroyed) return;

    const requestId = `req_mock_${randomBytes(6).toString('hex')}`;
    const idHeader: Record<string, string> =
      protocol === 'openai'
        ? { 'x-request-id': requestId }
        : protocol === 'anthropic'
          ? { 'request-id': requestId }
          : {};

    if (behaviour.kind === 'stream_error' && !streamRequested(protocol, url.pathname, body))
      behaviour = { kind: 'status', status: behaviour.status ?? 500 };
    if (behaviour.kind === 'status') {
      const headers: Record<string, string> = { ...idHeader };
      if (behaviour.retryAfter !== undefined) headers['retry-after'] = String(behaviour.retryAfter);
      const body =
        behaviour.body !== undefined
          ? behaviour.body
          : errorBody(
              protocol,
              behaviour.status,
              `mock ${protocol} upstream: scripted status ${behaviour.status}`,
            );
      sendJson(res, behaviour.status, body, headers);
      return;
    }

    const answer = answerFor({
      protocol,
      method: req.method ?? 'GET',
      path: url.pathname,
      query,
      body: isObject(body) ? body : {},
      behaviour,
      seq,
    });
    const cutAfter = behaviour.kind === 'cut_stream' ? Math.max(0, behaviour.afterChunks) : undefined;
    const endAfter = behaviour.kind === 'truncate_stream' ? Math.max(0, behaviour.afterChunks) : undefined;
    const malformedAt = behaviour.kind === 'malformed_json' ? Math.max(0, behaviour.atChunk ?? 0) : undefined;
    const stallAfter = behaviour.kind === 'stall_stream' ? Math.max(0, behaviour.afterChunks) : undefined;

    if (answer.kind === 'json') {
      const status = answer.status ?? 200;
      if (status !== 200) return sendJson(res, status, answer.body, idHeader);
      const text = JSON.stringify(answer.body);
      if (malformedAt !== undefined) return sendJson(res, 200, half(text), idHeader);
      if (endAfter !== undefined) {
        res.writeHead(200, { 'content-type': 'application/json', ...idHeader }); // chunked
        await write(res, half(text));
        res.end();
        return;
      }
      if (stallAfter !== undefined) {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          ...idHeader,
        });
        await write(res, half(text));
        return; // silence; the socket stays open until the client gives up or close()
      }
      if (cutAfter === undefined) return sendJson(res, status, answer.body, idHeader);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        ...idHeader,
      });
      await write(res, half(text));
      res.socket?.destroy();
      return;
    }

    res.writeHead(200, {
      'content-type': answer.contentType ?? 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...idHeader,
    });
    res.flushHeaders();
    let events = answer.events.map((e, i) => (i === malformedAt ? { ...e, data: half(e.data) } : e));
    if (behaviour.kind === 'stream_error') {
      const status = behaviour.status ?? 500;
      const error = ev(
        errorBody(protocol, status, `mock ${protocol} upstream: scripted stream error ${status}`),
        protocol === 'anthropic' ? 'error' : undefined,
      );
      events = [...events.slice(0, Math.max(0, behaviour.afterChunks)), error];
    }
    const frames = answer.jsonArray
      ? events.map((e, i) => `${i === 0 ? '[' : ',\r\n'}${e.data}`).concat(']')
      : events.map((e) => formatEvent(protocol, e));
    for (let i = 0; i < frames.length; i++) {
      if (cutAfter !== undefined && i >= cutAfter) {
        res.socket?.destroy();
        return;
      }
      if (stallAfter !== undefined && i >= stallAfter) return; // silence until the client gives up
      if (endAfter !== undefined && i >= endAfter) {
        if (behaviour.kind === 'truncate_stream' && behaviour.midEvent) await write(res, half(frames[i]));
        res.end();
        return;
      }
      if (i > 0 && opts.chunkDelayMs) await sleep(opts.chunkDelayMs);
      if (closed || res.destroyed) return;
      await write(res, frames[i]);
    }
    res.end();
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent && !res.destroyed)
        sendJson(res, 500, errorBody(protocol, 500, `mock upstream: ${String(e)}`));
      else res.destroy();
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_e, s) => s.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    url: protocol === 'openai' ? `${origin}/v1` : origin,
    origin,
    protocol,
    requests,
    script: (...behaviours) => void queue.push(...behaviours),
    flip: (behaviour) => {
      fallback = behaviour;
    },
    serve: (method, path, body, status = 200) =>
      void fixed.set(`${method.toUpperCase()} ${path}`, { status, body }),
    reset: () => {
      queue.length = 0;
      requests.length = 0;
    },
    close: async () => {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const s of sockets) s.destroy();
      await done;
    },
  };
}
