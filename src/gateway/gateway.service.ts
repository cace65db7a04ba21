import { HttpException, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import proxyaddr from 'proxy-addr';
import { createParser, EventSourceMessage } from 'eventsource-parser';
import { extractApiKey } from '../api-keys/api-key-auth';
import { ApiKeysService, ResolvedApiKey } from '../api-keys/api-keys.service';
import { errorBody } from '../common/http/protocol-errors';
import { AppConfig } from '../config/app-config';
import { LogWriter } from '../logs/log-writer.service';
import type { AttemptRecord } from '../logs/request-log.entity';
import { adapterFor, Operation, UpstreamProtocol, UpstreamResponse } from '../providers/adapters';
import { parseRetryAfter } from '../routing/cooldown';
import { RoutingService } from '../routing/routing.service';
import type { Candidate, Requirements, RuntimeModel } from '../routing/runtime.types';
import { codecs } from './translate';
import type { CanonicalRequest, CanonicalStreamEvent, CanonicalUsage } from './translate/canonical';
import { TranslationError } from './translate/errors';
import { GatewayError } from './gateway-error';
import { parseJsonObject, readBody } from './http/body';
import { describeError, readAll, tryJson, upstreamErrorMessage } from '../providers/adapters/upstream-io';
import { geminiToOpenAiEmbeddings, openAiToGeminiEmbeddings } from './pipeline/embeddings';
import { countTokens, emptyUsage, fromOpenAiUsage, promptText, Usage } from './pipeline/usage';

type Json = Record<string, unknown>;

/** Everything one gateway request carries from start to its log row. */
interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  started: number;
  endpoint: string;
  key?: ResolvedApiKey;
  model?: RuntimeModel;
  stream: boolean;
  attempts: AttemptRecord[];
  chosen?: Candidate;
  usage: Usage;
  outputText: string;
  ttftMs: number | null;
  dropped: string[];
  error?: string;
  status: number;
  requestBody?: string;
  responseBody?: string;
  abort: AbortController;
  clientGone: boolean;
}

const ROUTES: Record<string, Operation | 'models'> = {
  'POST /v1/chat/completions': 'chat',
  'POST /v1/completions': 'completions',
  'POST /v1/embeddings': 'embeddings',
  'GET /v1/models': 'models',
};
const MAX_BODY = 20 * 1024 * 1024;
const RETRYABLE = (s: number) => s === 408 || s === 429 || s >= 500 || s === 401 || s === 403;
const PASS_HEADERS = ['anthropic-beta', 'anthropic-version', 'openai-organization', 'openai-project'];

class UpstreamStreamError extends Error {}

/**
 * The OpenAI-compatible front door (`/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`,
 * `/v1/models`, also under `/openai/v1`). It runs on a raw `node:http` listener (see
 * gateway-listener.ts), not through Express, and follows one chain top to bottom:
 * authenticate → parse → resolve model (allow-list) → plan candidates → attempt loop with failover
 * before the first byte → relay (pass-through or translated) → usage → log row.
 */
@Injectable()
export class GatewayService {
  private readonly logger = new Logger('Gateway');
  private readonly trust: (addr: string, i: number) => boolean;
  private readonly bodyCap: false | number;

  constructor(
    private readonly keys: ApiKeysService,
    private readonly routing: RoutingService,
    private readonly logs: LogWriter,
    config: AppConfig,
  ) {
    this.bodyCap = config.logBodies;
    const t = config.trustProxySetting;
    this.trust =
      t === true
        ? () => true
        : typeof t === 'number'
          ? (_a, i) => i < t
          : Array.isArray(t)
            ? proxyaddr.compile(t)
            : () => false;
  }

  /** The operation a request maps to, or undefined when the gateway does not serve that path. */
  match(method: string | undefined, url: string | undefined): Operation | 'models' | undefined {
    if (!url) return undefined;
    const q = url.indexOf('?');
    let path = q >= 0 ? url.slice(0, q) : url;
    if (path.startsWith('/openai/v1/')) path = path.slice('/openai'.length);
    if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    return ROUTES[`${method} ${path}`];
  }

  async handle(req: IncomingMessage, res: ServerResponse, op: Operation | 'models'): Promise<void> {
    const incoming = req.headers['x-request-id'];
    const ctx: Ctx = {
      req,
      res,
      requestId: typeof incoming === 'string' && /^[\w.:-]{1,128}$/.test(incoming) ? incoming : randomUUID(),
      started: performance.now(),
      endpoint: op,
      stream: false,
      attempts: [],
      usage: emptyUsage(),
      outputText: '',
      ttftMs: null,
      dropped: [],
      status: 200,
      abort: new AbortController(),
      clientGone: false,
    };
    res.setHeader('x-request-id', ctx.requestId);
    res.on('close', () => {
      if (!res.writableFinished) {
        ctx.clientGone = true;
        ctx.abort.abort(new Error('client disconnected'));
      }
    });
    try {
      const auth = await this.keys.authenticate(extractApiKey(req.headers, req.url));
      if (!auth.ok) throw new GatewayError(auth.status, auth.message, auth.code);
      ctx.key = auth.key;
      if (op === 'models') return this.listModels(ctx);
      const raw = await readBody(req, MAX_BODY);
      if (this.bodyCap) ctx.requestBody = raw.subarray(0, this.bodyCap).toString('utf8');
      const body = parseJsonObject(raw);
      await this.proxy(ctx, op, body);
    } catch (e) {
      this.fail(ctx, e);
    } finally {
      if (op !== 'models' || ctx.status >= 400) this.log(ctx);
    }
  }

  // ---- /v1/models ---------------------------------------------------------------------------

  private listModels(ctx: Ctx): void {
    const allowed = ctx.key!.allowedModels;
    const data = this.routing
      .allModels()
      .filter((m) => !allowed.length || allowed.includes(m.name))
      .map((m) => ({ id: m.name, object: 'model', created: 0, owned_by: 'llm-router-platform' }));
    this.json(ctx, 200, { object: 'list', data });
  }

  // ---- the chain ----------------------------------------------------------------------------

  private async proxy(ctx: Ctx, op: Operation, body: Json): Promise<void> {
    const name = body.model;
    if (typeof name !== 'string' || !name)
      throw new GatewayError(400, 'you must provide a model parameter', 'missing_model', 'model');
    if (op === 'chat' && (!Array.isArray(body.messages) || body.messages.length === 0)) {
      throw new GatewayError(
        400,
        "'messages' must be a non-empty array",
        'invalid_request_error',
        'messages',
      );
    }
    if (op === 'completions' && body.prompt === undefined)
      throw new GatewayError(400, "'prompt' is required", 'invalid_request_error', 'prompt');
    if (op === 'embeddings' && body.input === undefined)
      throw new GatewayError(400, "'input' is required", 'invalid_request_error', 'input');
    const key = ctx.key!;
    if (key.allowedModels.length && !key.allowedModels.includes(name)) {
      throw new GatewayError(
        403,
        `This API key may not use the model '${name}'`,
        'model_not_allowed',
        'model',
      );
    }
    const model = this.routing.model(name);
    if (!model) throw new GatewayError(404, `The model '${name}' does not exist`, 'model_not_found', 'model');
    ctx.model = model;
    const wantType = op === 'embeddings' ? 'embedding' : 'chat';
    if (model.type !== wantType) {
      throw new GatewayError(
        400,
        `The model '${name}' is a ${model.type} model and cannot serve /v1/${op === 'chat' ? 'chat/completions' : op}`,
        'wrong_model_type',
        'model',
      );
    }
    ctx.stream = body.stream === true && op !== 'embeddings';

    let candidates: Candidate[];
    try {
      const sticky = (ctx.req.headers['x-session-id'] as string | undefined) ?? key.id;
      candidates = this.routing.plan(model, requirements(body), sticky);
    } catch (e) {
      if (e instanceof HttpException) {
        const r = e.getResponse() as { message: string; code?: string };
        throw new GatewayError(e.getStatus(), r.message, r.code);
      }
      throw e;
    }
    // /v1/completions exists only on OpenAI-protocol upstreams; embeddings also on Gemini.
    if (op !== 'chat') {
      candidates = candidates.filter((c) => {
        const p = adapterFor(c.route.provider.type).protocol;
        return p === 'openai' || (op === 'embeddings' && p === 'gemini');
      });
    }
    if (!candidates.length)
      throw new GatewayError(
        400,
        `No route of model '${name}' supports /v1/${op}`,
        'unsupported_endpoint',
        'model',
      );

    let canonical: CanonicalRequest | undefined;
    let lastStatus = 502;
    let retryAfterMs: number | undefined;
    let allTimeouts = true;
    let all429 = true;
    for (const c of candidates) {
      if (ctx.clientGone) return;
      const adapter = adapterFor(c.route.provider.type);
      const protocol = adapter.protocol;
      let upstreamBody: Json;
      if (op === 'embeddings' && protocol === 'gemini') {
        try {
          upstreamBody = openAiToGeminiEmbeddings(body, c.route.upstreamModel);
        } catch (e) {
          throw new GatewayError(400, (e as Error).message, 'invalid_request_error', 'input');
        }
      } else if (protocol === 'openai') {
        upstreamBody = { ...body, model: c.route.upstreamModel };
        // Ask for usage on streams; the extra chunk is hidden from clients that did not ask.
        if (ctx.stream && op === 'chat')
          upstreamBody.stream_options = { ...(body.stream_options as Json), include_usage: true };
      } else {
        try {
          canonical ??= this.decodeOpenAi(ctx, body);
          const enc = codecs[protocol].encodeRequest(canonical, c.route.upstreamModel);
          upstreamBody = enc.value;
          for (const d of enc.dropped) if (!ctx.dropped.includes(d)) ctx.dropped.push(d);
        } catch (e) {
          if (e instanceof TranslationError)
            throw new GatewayError(e.status, e.message, 'invalid_request_error', e.param);
          throw e;
        }
      }
      const t0 = performance.now();
      const attempt: AttemptRecord = {
        provider: c.route.provider.name,
        providerId: c.route.provider.id,
        upstreamModel: c.route.upstreamModel,
        credentialId: c.credential.id,
        status: null,
        latencyMs: 0,
      };
      ctx.attempts.push(attempt);
      let up: UpstreamResponse;
      try {
        up = await adapter.send(
          { provider: c.route.provider, credential: c.credential },
          {
            op,
            stream: ctx.stream,
            upstreamModel: c.route.upstreamModel,
            body: upstreamBody,
            signal: ctx.abort.signal,
            passHeaders: this.passHeaders(ctx, c),
          },
        );
      } catch (e) {
        attempt.latencyMs = Math.round(performance.now() - t0);
        if (ctx.clientGone) return;
        const d = describeError(e);
        attempt.error = d.message;
        all429 = false;
        if (!d.timeout) allTimeouts = false;
        lastStatus = d.timeout ? 504 : 502;
        this.routing.reportFailure(c);
        continue;
      }
      attempt.status = up.status;
      if (up.status >= 400) {
        const text = await readAll(up.body).catch(() => '');
        attempt.latencyMs = Math.round(performance.now() - t0);
        attempt.error = upstreamErrorMessage(up.status, text);
        if (RETRYABLE(up.status)) {
          allTimeouts = false;
          if (up.status !== 429) all429 = false;
          const ra = parseRetryAfter(up.headers['retry-after']);
          if (ra !== undefined) retryAfterMs = retryAfterMs === undefined ? ra : Math.min(retryAfterMs, ra);
          // Bad credentials cool down long; rate limits as long as the upstream says.
          this.routing.reportFailure(c, up.status === 401 || up.status === 403 ? 300_000 : ra);
          lastStatus = up.status;
          continue;
        }
        // The request itself is wrong (400/404/422…): the client hears the upstream's answer.
        const msg =
          protocol === 'openai'
            ? upstreamErrorMessage(up.status, text)
            : codecs[protocol].decodeError(up.status, tryJson(text)).message;
        throw new GatewayError(
          up.status,
          `Upstream rejected the request (${c.route.provider.name}): ${msg}`,
          'upstream_error',
        );
      }
      try {
        ctx.chosen = c;
        if (ctx.stream) await this.relayStream(ctx, up, protocol, body, c);
        else await this.relayJson(ctx, up, protocol, body, op);
        attempt.latencyMs = Math.round(performance.now() - t0);
        this.routing.reportSuccess(
          model,
          c,
          ctx.ttftMs ?? attempt.latencyMs,
          (ctx.req.headers['x-session-id'] as string | undefined) ?? key.id,
        );
        return;
      } catch (e) {
        attempt.latencyMs = Math.round(performance.now() - t0);
        if (ctx.clientGone) return;
        if (ctx.res.headersSent) {
          // After the first byte there is no failover: end the stream with an error event.
          attempt.error = describeError(e).message;
          this.routing.reportFailure(c);
          ctx.status = 502;
          ctx.error = `upstream stream failed after the first byte: ${attempt.error}`;
          this.writeStreamError(ctx, 'The upstream stream was interrupted', 502);
          return;
        }
        attempt.error = describeError(e).message;
        attempt.status = 502;
        allTimeouts = false;
        all429 = false;
        lastStatus = 502;
        this.routing.reportFailure(c);
        ctx.chosen = undefined;
      }
    }
    const summary = ctx.attempts.map((a) => `${a.provider}: ${a.error ?? a.status}`).join('; ');
    if (all429 && lastStatus === 429) {
      throw new GatewayError(
        429,
        `All upstreams for '${name}' are rate limited (${summary})`,
        'rate_limit_exceeded',
        undefined,
        retryAfterMs !== undefined ? { 'retry-after': String(Math.ceil(retryAfterMs / 1000)) } : {},
      );
    }
    if (allTimeouts && lastStatus === 504)
      throw new GatewayError(504, `Upstream timed out for '${name}' (${summary})`, 'upstream_timeout');
    throw new GatewayError(502, `No upstream could answer for '${name}' (${summary})`, 'upstream_error');
  }

  private decodeOpenAi(ctx: Ctx, body: Json): CanonicalRequest {
    const dec = codecs.openai.decodeRequest(body);
    for (const d of dec.dropped) if (!ctx.dropped.includes(d)) ctx.dropped.push(d);
    return dec.value;
  }

  private passHeaders(ctx: Ctx, c: Candidate): Record<string, string> | undefined {
    if (!c.route.headerPassthrough) return undefined;
    const out: Record<string, string> = {};
    for (const h of PASS_HEADERS) {
      const v = ctx.req.headers[h];
      if (typeof v === 'string') out[h] = v;
    }
    return out;
  }

  // ---- relays --------------------------------------------------------------------------------

  private async relayJson(
    ctx: Ctx,
    up: UpstreamResponse,
    protocol: UpstreamProtocol,
    reqBody: Json,
    op: Operation,
  ): Promise<void> {
    const text = await readAll(up.body);
    const json = tryJson(text) as Json | undefined;
    if (!json || typeof json !== 'object') throw new UpstreamStreamError('upstream answered invalid JSON');
    const publicName = ctx.model!.name;
    let out: Json;
    if (op === 'embeddings' && protocol === 'gemini') {
      const promptTokens = countTokens(promptText(reqBody));
      out = geminiToOpenAiEmbeddings(json, publicName, reqBody.encoding_format, promptTokens);
      ctx.usage = { ...emptyUsage(), inputTokens: promptTokens, estimated: true };
    } else if (protocol === 'openai') {
      out = { ...json, model: publicName };
      ctx.usage = fromOpenAiUsage(json.usage) ?? this.estimate(reqBody, json);
    } else {
      const canon = codecs[protocol].decodeResponse(json);
      out = codecs.openai.encodeResponse(canon, publicName);
      ctx.usage = canon.usage ? fromCanonical(canon.usage) : this.estimate(reqBody, out);
    }
    ctx.ttftMs = Math.round(performance.now() - ctx.started);
    this.json(ctx, 200, out);
  }

  private estimate(reqBody: Json, response: Json): Usage {
    const choices =
      (response.choices as { message?: { content?: unknown }; text?: unknown }[] | undefined) ?? [];
    const out = choices
      .map((c) =>
        typeof c.text === 'string' ? c.text : typeof c.message?.content === 'string' ? c.message.content : '',
      )
      .join('');
    return {
      ...emptyUsage(),
      inputTokens: countTokens(promptText(reqBody)),
      outputTokens: countTokens(out),
      estimated: true,
    };
  }

  /**
   * Relays an SSE stream as it arrives: one write per event, waiting for the client to drain when
   * its socket buffer is full (backpressure reaches the upstream through the paused read loop).
   */
  private async relayStream(
    ctx: Ctx,
    up: UpstreamResponse,
    protocol: UpstreamProtocol,
    reqBody: Json,
    c: Candidate,
  ): Promise<void> {
    const res = ctx.res;
    const publicName = ctx.model!.name;
    const clientWantsUsage =
      (reqBody.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const upstreamModelField = `"model":${JSON.stringify(c.route.upstreamModel)}`;
    const publicModelField = `"model":${JSON.stringify(publicName)}`;
    let pending = false;
    let sawDone = false;
    const write = (frame: string) => {
      if (!frame) return;
      if (!res.headersSent) {
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
          ...(ctx.dropped.length ? { 'x-gateway-dropped-fields': ctx.dropped.join(',') } : {}),
        });
        ctx.ttftMs = Math.round(performance.now() - ctx.started);
      }
      if (!res.write(frame)) pending = true;
    };

    let onEvent: (ev: EventSourceMessage) => void;
    if (protocol === 'openai') {
      onEvent = (ev) => {
        if (ev.data === '[DONE]') {
          sawDone = true;
          write('data: [DONE]\n\n');
          return;
        }
        const chunk = tryJson(ev.data) as
          | {
              usage?: unknown;
              choices?: {
                delta?: {
                  content?: unknown;
                  reasoning_content?: unknown;
                  tool_calls?: { function?: { arguments?: unknown } }[];
                };
                text?: unknown;
              }[];
            }
          | undefined;
        if (chunk) {
          const u = fromOpenAiUsage(chunk.usage);
          if (u) ctx.usage = u;
          for (const ch of chunk.choices ?? []) {
            const d = ch.delta;
            if (typeof d?.content === 'string') ctx.outputText += d.content;
            if (typeof d?.reasoning_content === 'string') ctx.outputText += d.reasoning_content;
            if (typeof ch.text === 'string') ctx.outputText += ch.text;
            for (const tc of d?.tool_calls ?? [])
              if (typeof tc.function?.arguments === 'string') ctx.outputText += tc.function.arguments;
          }
          // The usage-only chunk we asked for: hidden unless the client asked for it too.
          if (u && Array.isArray(chunk.choices) && chunk.choices.length === 0 && !clientWantsUsage) return;
        }
        write(`data: ${ev.data.replace(upstreamModelField, publicModelField)}\n\n`);
      };
    } else {
      const decode = codecs[protocol].createStreamDecoder();
      const encode = codecs.openai.createStreamEncoder({
        clientModel: publicName,
        includeUsage: clientWantsUsage,
      });
      onEvent = (ev) => {
        for (const ce of decode({ event: ev.event, data: ev.data })) {
          trackCanonical(ctx, ce);
          if (ce.type === 'done') sawDone = true;
          if (ce.type === 'error') throw new UpstreamStreamError(ce.message);
          write(encode(ce));
        }
      };
      const parserDone = () => {
        if (!sawDone) write(encode({ type: 'done' }));
      };
      await this.pump(
        up,
        onEvent,
        () => pending,
        () => (pending = false),
        ctx,
      );
      parserDone();
      this.finishStream(ctx, reqBody);
      return;
    }
    await this.pump(
      up,
      onEvent,
      () => pending,
      () => (pending = false),
      ctx,
    );
    if (!sawDone && !res.headersSent) throw new UpstreamStreamError('upstream stream ended without data');
    this.finishStream(ctx, reqBody);
  }

  private async pump(
    up: UpstreamResponse,
    onEvent: (ev: EventSourceMessage) => void,
    isPending: () => boolean,
    clear: () => void,
    ctx: Ctx,
  ): Promise<void> {
    let failure: unknown;
    const parser = createParser({
      onEvent: (ev) => {
        if (failure) return;
        try {
          onEvent(ev);
        } catch (e) {
          failure = e;
        }
      },
    });
    const decoder = new TextDecoder();
    for await (const chunk of up.body) {
      parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
      if (failure) {
        up.body.destroy();
        throw failure;
      }
      if (isPending() && !ctx.clientGone) {
        await once(ctx.res, 'drain', { signal: ctx.abort.signal }).catch(() => undefined);
        clear();
      }
    }
    parser.feed(decoder.decode());
    if (failure) throw failure;
  }

  private finishStream(ctx: Ctx, reqBody: Json): void {
    if (!ctx.usage.inputTokens && !ctx.usage.outputTokens) {
      ctx.usage = {
        ...emptyUsage(),
        inputTokens: countTokens(promptText(reqBody)),
        outputTokens: countTokens(ctx.outputText),
        estimated: true,
      };
    }
    ctx.status = 200;
    ctx.res.end();
  }

  // ---- responses, errors and the log row -----------------------------------------------------

  private json(ctx: Ctx, status: number, body: unknown): void {
    ctx.status = status;
    const payload = JSON.stringify(body);
    if (this.bodyCap) ctx.responseBody = payload.slice(0, this.bodyCap);
    ctx.res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      ...(ctx.dropped.length ? { 'x-gateway-dropped-fields': ctx.dropped.join(',') } : {}),
    });
    ctx.res.end(payload);
  }

  private writeStreamError(ctx: Ctx, message: string, status: number): void {
    if (ctx.res.writableEnded) return;
    ctx.res.write(
      `data: ${JSON.stringify(errorBody('openai', { status, message, code: 'upstream_error' }))}\n\n`,
    );
    ctx.res.end();
  }

  private fail(ctx: Ctx, e: unknown): void {
    let status = 500;
    let message = 'Internal gateway error';
    let code: string | undefined;
    let headers: Record<string, string> = {};
    if (e instanceof GatewayError) {
      ({ status, message, code, headers } = {
        status: e.status,
        message: e.message,
        code: e.code,
        headers: e.headers,
      });
    } else {
      this.logger.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    }
    ctx.status = status;
    ctx.error = message;
    if (ctx.clientGone || ctx.res.writableEnded) return;
    if (ctx.res.headersSent) return this.writeStreamError(ctx, message, status);
    const body = errorBody('openai', { status, message, code });
    if (e instanceof GatewayError && e.param) (body.error as Json).param = e.param;
    for (const [k, v] of Object.entries(headers)) ctx.res.setHeader(k, v);
    this.json(ctx, status, body);
  }

  private clientIp(req: IncomingMessage): string | null {
    try {
      return proxyaddr(req, this.trust).slice(0, 64);
    } catch {
      return req.socket.remoteAddress ?? null;
    }
  }

  private log(ctx: Ctx): void {
    if (ctx.clientGone && ctx.status < 400) {
      ctx.status = 499; // client closed the request
      ctx.error ??= 'client disconnected';
      if (!ctx.usage.inputTokens && !ctx.usage.outputTokens && ctx.outputText) {
        ctx.usage = { ...emptyUsage(), outputTokens: countTokens(ctx.outputText), estimated: true };
      }
    }
    const ua = ctx.req.headers['user-agent'];
    this.logs.push({
      createdAt: new Date(),
      requestId: ctx.requestId,
      protocol: 'openai',
      endpoint: ctx.endpoint,
      apiKeyId: ctx.key?.id ?? null,
      userId: ctx.key?.userId ?? null,
      tenantId: ctx.key?.tenantId ?? null,
      model: ctx.model?.name ?? null,
      providerId: ctx.chosen?.route.provider.id ?? null,
      providerName: ctx.chosen?.route.provider.name ?? null,
      upstreamModel: ctx.chosen?.route.upstreamModel ?? null,
      attempts: ctx.attempts,
      status: ctx.status,
      stream: ctx.stream,
      latencyMs: Math.round(performance.now() - ctx.started),
      ttftMs: ctx.ttftMs,
      inputTokens: ctx.usage.inputTokens,
      outputTokens: ctx.usage.outputTokens,
      cachedTokens: ctx.usage.cachedTokens,
      reasoningTokens: ctx.usage.reasoningTokens,
      usageEstimated: ctx.usage.estimated,
      clientIp: this.clientIp(ctx.req),
      userAgent: typeof ua === 'string' ? ua.slice(0, 300) : null,
      error: ctx.error?.slice(0, 2000) ?? null,
      droppedFields: ctx.dropped,
      requestBody: ctx.requestBody ?? null,
      responseBody: this.bodyCap ? (ctx.responseBody ?? ctx.outputText.slice(0, this.bodyCap)) : null,
    });
  }
}

function fromCanonical(u: CanonicalUsage): Usage {
  return {
    inputTokens: u.inputTokens,
    outputTokens: u.outputTokens,
    cachedTokens: u.cachedInputTokens ?? 0,
    reasoningTokens: u.reasoningTokens ?? 0,
    estimated: false,
  };
}

function trackCanonical(ctx: Ctx, ev: CanonicalStreamEvent): void {
  if (ev.type === 'text_delta' || ev.type === 'thinking_delta') ctx.outputText += ev.text;
  else if (ev.type === 'tool_call_delta') ctx.outputText += ev.argumentsDelta;
  else if ((ev.type === 'usage' || ev.type === 'start') && ev.usage) {
    const u = fromCanonical(ev.usage);
    ctx.usage = {
      ...u,
      inputTokens: u.inputTokens || ctx.usage.inputTokens,
      outputTokens: u.outputTokens || ctx.usage.outputTokens,
    };
  }
}

/** What a chat request needs from a route (capability filter). */
export function requirements(body: Json): Requirements {
  const rf = body.response_format as { type?: string } | undefined;
  const messages = Array.isArray(body.messages) ? (body.messages as { content?: unknown }[]) : [];
  const vision = messages.some(
    (m) =>
      Array.isArray(m.content) &&
      (m.content as { type?: string }[]).some((p) => p?.type === 'image_url' || p?.type === 'input_image'),
  );
  return {
    tools: Array.isArray(body.tools) && body.tools.length > 0,
    structuredOutput: rf?.type === 'json_schema',
    vision,
  };
}
