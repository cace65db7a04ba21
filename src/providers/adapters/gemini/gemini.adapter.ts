import { fetchModelIds, joinUrl, postJson } from '../http';
import {
  ProviderAdapter,
  UnsupportedOperationError,
  UpstreamRequest,
  UpstreamResponse,
  UpstreamTarget,
} from '../types';

/** Gemini API (generativelanguage). The model goes in the URL; the base URL has no version. */
export class GeminiAdapter implements ProviderAdapter {
  readonly protocol = 'gemini' as const;

  private headers(t: UpstreamTarget, extra?: Record<string, string>): Record<string, string> {
    return { ...t.provider.headers, ...extra, 'x-goog-api-key': t.credential.secret };
  }

  send(t: UpstreamTarget, req: UpstreamRequest): Promise<UpstreamResponse> {
    const model = encodeURIComponent(req.upstreamModel);
    let path: string;
    if (req.op === 'chat') {
      path = req.stream
        ? `v1beta/models/${model}:streamGenerateContent?alt=sse`
        : `v1beta/models/${model}:generateContent`;
    } else if (req.op === 'embeddings') {
      path = `v1beta/models/${model}:batchEmbedContents`;
    } else {
      throw new UnsupportedOperationError(req.op, 'gemini');
    }
    return postJson(
      joinUrl(t.provider.baseUrl, path),
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
      joinUrl(t.provider.baseUrl, 'v1beta/models'),
      this.headers(t),
      t.provider.timeoutMs,
      signal,
      (json) =>
        ((json as { models?: { name?: unknown }[] }).models ?? []).map((m) =>
          String(m.name ?? '').replace(/^models\//, ''),
        ),
      t.provider.proxy,
    );
  }
}
