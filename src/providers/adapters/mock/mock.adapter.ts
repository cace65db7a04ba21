import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { encode } from 'gpt-tokenizer';
import type { ProviderAdapter, UpstreamRequest, UpstreamResponse, UpstreamTarget } from '../types';
import { asAbortSignal } from '../signal';

/** Settings read from the mock provider's `config`. */
export interface MockConfig {
  /** Delay before the first byte. */
  latencyMs?: number;
  /** Streaming speed; 0 streams at once. */
  tokensPerSecond?: number;
  /** Fraction of requests that fail with `failureStatus` (evenly spaced, so deterministic). */
  failureRate?: number;
  failureStatus?: number;
  /** Retry-After seconds sent with 429/503 failures. */
  retryAfterSeconds?: number;
  /** Fraction of requests that never answer (until the caller times out or aborts). */
  timeoutRate?: number;
  /** Fraction of streamed responses cut after half of their chunks. */
  cutStreamRate?: number;
  /** Embedding size. */
  dimensions?: number;
}

type Json = Record<string, unknown>;
interface ChatMessage {
  role?: string;
  content?: unknown;
}
interface ToolDef {
  type?: string;
  function?: {
    name?: string;
    parameters?: { properties?: Record<string, { type?: string }>; required?: string[] };
  };
}

const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);
const tokens = (s: string) => (s ? encode(s).length : 0);

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((p: { type?: string; text?: unknown }) =>
        p?.type === 'text' && typeof p.text === 'string' ? p.text : '',
      )
      .join('');
  }
  return '';
}

/** Fires for `rate` of the calls, evenly spread: call n fails when ⌊(n+1)·rate⌋ > ⌊n·rate⌋. */
function due(counter: number, rate: number | undefined): boolean {
  if (!rate || rate <= 0) return false;
  return Math.floor((counter + 1) * rate) > Math.floor(counter * rate);
}

function sse(chunks: Json[], done = true): string[] {
  return [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), ...(done ? ['data: [DONE]\n\n'] : [])];
}

/**
 * A deterministic in-process upstream that speaks the OpenAI protocol: it answers from the request
 * (echoing the last user message), streams when asked, returns tool calls when tools are offered and
 * the prompt names one, reports realistic token usage, and injects latency, slow streaming, errors,
 * hangs and cut streams from its config. Used by demos, tests and benchmarks; no network.
 */
export class MockAdapter implements ProviderAdapter {
  readonly protocol = 'openai' as const;
  private readonly counters = new Map<string, number>();

  private next(key: string): number {
    const n = this.counters.get(key) ?? 0;
    this.counters.set(key, n + 1);
    return n;
  }

  async send(t: UpstreamTarget, req: UpstreamRequest): Promise<UpstreamResponse> {
    const cfg = t.provider.config as MockConfig;
    const n = this.next(t.provider.id);
    const signal = asAbortSignal(req.signal); // timers need a standard AbortSignal
    if (cfg.latencyMs) await sleep(cfg.latencyMs, undefined, { signal });
    if (due(n, cfg.timeoutRate)) {
      // Never answers: fails like an HTTP upstream would, after the provider's timeout (or on abort).
      await sleep(t.provider.timeoutMs, undefined, { signal });
      throw Object.assign(new Error('mock upstream did not answer in time'), {
        code: 'UND_ERR_HEADERS_TIMEOUT',
      });
    }
    if (due(n, cfg.failureRate)) {
      const status = num(cfg.failureStatus, 500);
      return this.json(
        status,
        { error: { message: `mock failure (${status})`, type: 'mock_error', code: null } },
        {
          ...(status === 429 || status === 503
            ? { 'retry-after': String(num(cfg.retryAfterSeconds, 1)) }
            : {}),
        },
      );
    }
    const body = req.body;
    if (req.op === 'embeddings') return this.json(200, this.embeddings(body, num(cfg.dimensions, 8)));
    const created = Math.floor(Date.now() / 1000);
    const id = `chatcmpl-mock-${randomUUID()}`;
    const model = req.upstreamModel;

    if (req.op === 'completions') {
      const prompt = Array.isArray(body.prompt)
        ? body.prompt.map(String).join('\n')
        : String(body.prompt ?? '');
      const text = `echo: ${prompt}`;
      const usage = { prompt_tokens: tokens(prompt), completion_tokens: tokens(text), total_tokens: 0 };
      usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
      if (!req.stream) {
        return this.json(200, {
          id,
          object: 'text_completion',
          created,
          model,
          choices: [{ index: 0, text, finish_reason: 'stop', logprobs: null }],
          usage,
        });
      }
      const parts: Json[] = this.split(text).map((p) => ({
        id,
        object: 'text_completion',
        created,
        model,
        choices: [{ index: 0, text: p, finish_reason: null, logprobs: null }],
      }));
      parts.push({
        id,
        object: 'text_completion',
        created,
        model,
        choices: [{ index: 0, text: '', finish_reason: 'stop', logprobs: null }],
      });
      return this.stream(sse(parts), cfg, n, signal);
    }

    const messages = (Array.isArray(body.messages) ? body.messages : []) as ChatMessage[];
    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    const prompt = textOf(lastUser?.content);
    const promptTokens = messages.reduce((s, m) => s + 3 + tokens(textOf(m.content)), 3);
    // After a tool result, answer from it instead of calling the tool again.
    const last = messages.at(-1);
    const toolResult = last?.role === 'tool' ? textOf(last.content) : undefined;
    const tool =
      toolResult === undefined ? this.pickTool(body.tools as ToolDef[] | undefined, prompt) : undefined;
    const includeUsage =
      (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;

    if (tool) {
      const args = JSON.stringify(this.argsFor(tool));
      const callId = `call_${createHash('sha1').update(id).digest('hex').slice(0, 12)}`;
      const usage = { prompt_tokens: promptTokens, completion_tokens: tokens(args) + 5, total_tokens: 0 };
      usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
      const name = tool.function!.name!;
      if (!req.stream) {
        return this.json(200, {
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: null,
                tool_calls: [{ id: callId, type: 'function', function: { name, arguments: args } }],
              },
              finish_reason: 'tool_calls',
              logprobs: null,
            },
          ],
          usage,
        });
      }
      const half = Math.ceil(args.length / 2);
      const chunk = (delta: Json, finish: string | null = null) => ({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      });
      const chunks = [
        chunk({
          role: 'assistant',
          content: null,
          tool_calls: [{ index: 0, id: callId, type: 'function', function: { name, arguments: '' } }],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(0, half) } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(half) } }] }),
        chunk({}, 'tool_calls'),
        ...(includeUsage
          ? [{ id, object: 'chat.completion.chunk', created, model, choices: [], usage }]
          : []),
      ];
      return this.stream(sse(chunks), cfg, n, signal);
    }

    const reply = toolResult !== undefined ? `tool said: ${toolResult}` : `echo: ${prompt}`;
    const usage = { prompt_tokens: promptTokens, completion_tokens: tokens(reply), total_tokens: 0 };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    if (!req.stream) {
      return this.json(200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: reply, refusal: null },
            finish_reason: 'stop',
            logprobs: null,
          },
        ],
        usage,
      });
    }
    const chunk = (delta: Json, finish: string | null = null) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    });
    const chunks = [
      chunk({ role: 'assistant', content: '' }),
      ...this.split(reply).map((p) => chunk({ content: p })),
      chunk({}, 'stop'),
      ...(includeUsage ? [{ id, object: 'chat.completion.chunk', created, model, choices: [], usage }] : []),
    ];
    return this.stream(sse(chunks), cfg, n, signal);
  }

  async listModels(t: UpstreamTarget): Promise<string[]> {
    const models = (t.provider.config as { models?: unknown }).models;
    return Array.isArray(models) ? models.map(String) : ['mock-chat', 'mock-embed'];
  }

  private pickTool(tools: ToolDef[] | undefined, prompt: string): ToolDef | undefined {
    const fns = (tools ?? []).filter((t) => t?.function?.name);
    if (!fns.length) return undefined;
    const lower = prompt.toLowerCase();
    return (
      fns.find((t) => lower.includes(t.function!.name!.toLowerCase())) ??
      (/\b(call|use)\b.*\btool\b/.test(lower) ? fns[0] : undefined)
    );
  }

  private argsFor(tool: ToolDef): Json {
    const props = tool.function?.parameters?.properties ?? {};
    const out: Json = {};
    for (const [k, s] of Object.entries(props)) {
      out[k] =
        s?.type === 'number' || s?.type === 'integer'
          ? 1
          : s?.type === 'boolean'
            ? true
            : s?.type === 'array'
              ? []
              : s?.type === 'object'
                ? {}
                : 'mock';
    }
    return out;
  }

  private embeddings(body: Json, dims: number): Json {
    const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input ?? '')];
    const data = inputs.map((text, index) => {
      const h = createHash('sha256').update(text).digest();
      const v = Array.from({ length: dims }, (_, i) => (h[i % h.length] - 128) / 128);
      const norm = Math.hypot(...v) || 1;
      return { object: 'embedding', index, embedding: v.map((x) => Math.round((x / norm) * 1e6) / 1e6) };
    });
    const promptTokens = inputs.reduce((s, t) => s + tokens(t), 0);
    return {
      object: 'list',
      data,
      model: String(body.model ?? ''),
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    };
  }

  private split(text: string): string[] {
    return text.match(/\S+\s*|\s+/g) ?? [text];
  }

  private json(status: number, body: unknown, headers: Record<string, string> = {}): UpstreamResponse {
    return {
      status,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    };
  }

  private stream(frames: string[], cfg: MockConfig, n: number, signal: AbortSignal): UpstreamResponse {
    const delay = cfg.tokensPerSecond ? 1000 / cfg.tokensPerSecond : 0;
    const cut = due(n, cfg.cutStreamRate) ? Math.max(1, Math.floor(frames.length / 2)) : -1;
    async function* gen() {
      for (let i = 0; i < frames.length; i++) {
        if (i === cut) throw new Error('mock stream cut');
        if (delay && i > 0) await sleep(delay, undefined, { signal });
        yield Buffer.from(frames[i]);
      }
    }
    return {
      status: 200,
      headers: { 'content-type': 'text/event-stream' },
      body: Readable.from(gen(), { objectMode: false }),
    };
  }
}
