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
  signal: UpstreamSignal;
  /** Client headers to forward (route option `headerPassthrough`), e.g. `anthropic-beta`. */
  passHeaders?: Record<string, string>;
}

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The response body as it arrives (SSE for streams). */
  body: Readable;
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
