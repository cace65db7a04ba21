import type { UpstreamSignal } from './signal';
import type { Readable } from 'node:stream';
import type { RuntimeCredential, RuntimeProvider } from '../../routing/runtime.types';

/** The wire protocol an upstream speaks. */
export type UpstreamProtocol = 'openai' | 'anthropic' | 'gemini';
export type Operation = 'chat' | 'completions' | 'embeddings';

export interface UpstreamTarget {
  provider: RuntimeProvider;
  credential: RuntimeCredential;
}

export interface UpstreamRequest {
  op: Operation;
  stream: boolean;
  upstreamModel: string;
  /** Body already in the upstream's protocol (the model field set where the protocol has one). */
  body: Record<string, unknown>;
  /**
   * The same body as JSON, text or its UTF-8 bytes, when the gateway already has it (the client's own
   * body, model swapped by splicing): HTTP adapters send it instead of serialising `body` again.
   */
  bodyJson?: string | Buffer;
  signal: UpstreamSignal;
  /** Client headers to forward (route option `headerPassthrough`), e.g. `anthropic-beta`. */
  passHeaders?: Record<string, string>;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /**
   * The response body: read whole as text for non-stream calls (`stream: false`), as it arrives
   * (SSE) for streams. `bodyText` / `bodyStream` (upstream-io.ts) take either.
   */
  body: Readable | string;
}

/** One class per provider type: how to call it. Translation happens before, in the gateway. */
export interface ProviderAdapter {
  readonly protocol: UpstreamProtocol;
  send(target: UpstreamTarget, req: UpstreamRequest): Promise<UpstreamResponse>;
  /** The upstream's own model ids (for importing). */
  listModels(target: UpstreamTarget, signal: AbortSignal): Promise<string[]>;
}

export class UnsupportedOperationError extends Error {
  constructor(op: string, type: string) {
    super(`${type} providers do not support ${op}`);
  }
}

/**
 * A call read whole whose answer's headers came (`status`), and then its body failed: reset, timed
 * out or grew too large. It keeps the cause's `code` and message.
 */
export class UpstreamBodyError extends Error {
  readonly code?: string;
  constructor(
    readonly status: number,
    cause: Error & { code?: string },
  ) {
    super(cause.message, { cause });
    this.name = cause.name;
    this.code = cause.code;
  }
}
