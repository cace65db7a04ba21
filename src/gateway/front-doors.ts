import type { Protocol } from '../common/http/protocol-errors';
import type { Operation } from '../providers/adapters';
import type { RuntimeModel } from '../routing/runtime.types';

/** The client protocols the gateway accepts. */
export type FrontDoor = 'openai' | 'responses' | 'anthropic' | 'gemini';
export type GatewayOp = Operation | 'models' | 'count_tokens';

export interface GatewayRoute {
  front: FrontDoor;
  op: GatewayOp;
  /** Gemini puts the model in the path. */
  model?: string;
  /** Gemini: `:streamGenerateContent` (true) or `:generateContent` (false). */
  stream?: boolean;
  /** Gemini streaming: SSE with `alt=sse`, else a JSON array streamed as it grows. */
  sse?: boolean;
}

const FIXED: Record<string, GatewayRoute> = {
  'POST /v1/chat/completions': { front: 'openai', op: 'chat' },
  'POST /v1/completions': { front: 'openai', op: 'completions' },
  'POST /v1/embeddings': { front: 'openai', op: 'embeddings' },
  'GET /v1/models': { front: 'openai', op: 'models' },
  'POST /v1/responses': { front: 'responses', op: 'chat' },
  'POST /v1/messages': { front: 'anthropic', op: 'chat' },
  'POST /v1/messages/count_tokens': { front: 'anthropic', op: 'count_tokens' },
  'GET /anthropic/v1/models': { front: 'anthropic', op: 'models' },
  'GET /gemini/v1beta/models': { front: 'gemini', op: 'models' },
};

const GEMINI_ACTIONS: Record<string, Pick<GatewayRoute, 'op' | 'stream'>> = {
  generateContent: { op: 'chat', stream: false },
  streamGenerateContent: { op: 'chat', stream: true },
  countTokens: { op: 'count_tokens' },
  embedContent: { op: 'embeddings' },
};

/**
 * Maps a request to the front door and operation that serve it, or undefined (Express handles it).
 * `/openai/v1/…` and `/anthropic/v1/…` are aliases of the `/v1/…` routes.
 */
export function matchRoute(method: string | undefined, url: string | undefined): GatewayRoute | undefined {
  if (!url || !method) return undefined;
  const q = url.indexOf('?');
  let path = q >= 0 ? url.slice(0, q) : url;
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  if (path.startsWith('/gemini/v1beta/models/') && method === 'POST') {
    const m = /^\/gemini\/v1beta\/models\/([^/:]+):(\w+)$/.exec(path);
    const action = m && GEMINI_ACTIONS[m[2]];
    if (!m || !action) return undefined;
    const query = new URLSearchParams(q >= 0 ? url.slice(q + 1) : '');
    return { front: 'gemini', ...action, model: decodeURIComponent(m[1]), sse: query.get('alt') === 'sse' };
  }
  const fixed = FIXED[`${method} ${path}`];
  if (fixed) return fixed;
  if (path.startsWith('/openai/v1/')) {
    const r = FIXED[`${method} ${path.slice('/openai'.length)}`];
    return r && (r.front === 'openai' || r.front === 'responses') ? r : undefined;
  }
  if (path.startsWith('/anthropic/v1/')) {
    const r = FIXED[`${method} ${path.slice('/anthropic'.length)}`];
    return r?.front === 'anthropic' ? r : undefined;
  }
  return undefined;
}

/** The error shape each front door answers in. */
export function errorProtocol(front: FrontDoor): Protocol {
  return front === 'responses' ? 'openai' : front;
}

/** The model list in each front door's own shape. */
export function modelList(front: FrontDoor, models: RuntimeModel[]): Record<string, unknown> {
  switch (front) {
    case 'anthropic':
      return {
        data: models.map((m) => ({
          type: 'model',
          id: m.name,
          display_name: m.name,
          created_at: '1970-01-01T00:00:00Z',
        })),
        has_more: false,
        first_id: models[0]?.name ?? null,
        last_id: models.at(-1)?.name ?? null,
      };
    case 'gemini':
      return {
        models: models.map((m) => ({
          name: `models/${m.name}`,
          displayName: m.name,
          supportedGenerationMethods:
            m.type === 'embedding'
              ? ['embedContent']
              : ['generateContent', 'streamGenerateContent', 'countTokens'],
        })),
      };
    default:
      return {
        object: 'list',
        data: models.map((m) => ({
          id: m.name,
          object: 'model',
          created: 0,
          owned_by: 'llm-router-platform',
        })),
      };
  }
}

/** An error in the middle of a stream, framed the way each protocol's clients expect it. */
export function streamErrorFrame(front: FrontDoor, body: Record<string, unknown>, status: number): string {
  switch (front) {
    case 'anthropic':
      return `event: error\ndata: ${JSON.stringify(body)}\n\n`;
    case 'responses':
      return `event: error\ndata: ${JSON.stringify({ type: 'error', code: String(status), message: (body.error as { message?: string })?.message ?? 'error', param: null })}\n\n`;
    default:
      return `data: ${JSON.stringify(body)}\n\n`;
  }
}
