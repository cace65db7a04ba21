import { fetchModelIds, joinUrl, postJson } from '../http';
import {
  ProviderAdapter,
  UnsupportedOperationError,
  UpstreamRequest,
  UpstreamResponse,
  UpstreamTarget,
} from '../types';

export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/** Anthropic Messages API. The base URL has no version (`https://api.anthropic.com`). */
export class AnthropicAdapter implements ProviderAdapter {
  readonly protocol = 'anthropic' as const;

  private headers(t: UpstreamTarget, extra?: Record<string, string>): Record<string, string> {
    return {
      'anthropic-version': DEFAULT_ANTHROPIC_VERSION,
      ...t.provider.headers,
      ...extra,
      'x-api-key': t.credential.secret,
    };
  }

  send(t: UpstreamTarget, req: UpstreamRequest): Promise<UpstreamResponse> {
    if (req.op !== 'chat') throw new UnsupportedOperationError(req.op, 'anthropic');
    const url = joinUrl(t.provider.baseUrl, 'v1/messages');
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
      joinUrl(t.provider.baseUrl, 'v1/models'),
      this.headers(t),
      t.provider.timeoutMs,
      signal,
      (json) => ((json as { data?: { id?: unknown }[] }).data ?? []).map((m) => m.id),
      t.provider.proxy,
    );
  }
}
