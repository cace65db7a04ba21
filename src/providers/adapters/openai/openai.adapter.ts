import { fetchModelIds, joinUrl, postJson } from '../http';
import type { ProviderAdapter, UpstreamRequest, UpstreamResponse, UpstreamTarget } from '../types';

const PATHS = { chat: 'chat/completions', completions: 'completions', embeddings: 'embeddings' } as const;

/**
 * OpenAI and every OpenAI-compatible server (DeepSeek, OpenRouter, vLLM, Ollama, Groq, …): the base
 * URL includes the version prefix (`https://api.openai.com/v1`).
 */
export class OpenAiAdapter implements ProviderAdapter {
  readonly protocol = 'openai' as const;

  private headers(t: UpstreamTarget, extra?: Record<string, string>): Record<string, string> {
    return {
      ...t.provider.headers,
      ...extra,
      ...(t.credential.secret ? { authorization: `Bearer ${t.credential.secret}` } : {}),
    };
  }

  send(t: UpstreamTarget, req: UpstreamRequest): Promise<UpstreamResponse> {
    const url = joinUrl(t.provider.baseUrl, PATHS[req.op]);
    return postJson(
      url,
      this.headers(t, req.passHeaders),
      req.bodyJson ?? req.body,
      t.provider.timeoutMs,
      req.signal,
      t.provider.proxy,
      !req.stream,
    );
  }

  listModels(t: UpstreamTarget, signal: AbortSignal): Promise<string[]> {
    return fetchModelIds(
      joinUrl(t.provider.baseUrl, 'models'),
      this.headers(t),
      t.provider.timeoutMs,
      signal,
      (json) => ((json as { data?: { id?: unknown }[] }).data ?? []).map((m) => m.id),
      t.provider.proxy,
    );
  }
}
