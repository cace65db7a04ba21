/**
 * The canonical form every protocol codec translates to and from.
 *
 * Conventions (all codecs follow them; billing and logging rely on them):
 * - `system` holds text parts only; system/developer messages, Anthropic `system` and Gemini
 *   `systemInstruction` all land here, in order.
 * - Tool results live in messages with role `tool` that contain only `tool_result` parts; consecutive
 *   results (parallel calls) are merged into one such message.
 * - `tool_call.arguments` is JSON text exactly as the model produced it.
 * - `thinking.signature` / `thinking.redacted` and every `cacheControl` are opaque and copied untouched.
 *   A thinking part with empty text and a signature is a detached signature (Gemini `thoughtSignature`
 *   on a text or functionCall part).
 * - Usage: `inputTokens` is the TOTAL prompt size, i.e. it includes `cachedInputTokens` (cache reads)
 *   and `cacheCreationInputTokens` (cache writes) — OpenAI/Gemini semantics. `outputTokens` includes
 *   `reasoningTokens`.
 */
export type CanonicalRole = 'user' | 'assistant' | 'tool';

export type CanonicalPart =
  | { type: 'text'; text: string; cacheControl?: unknown }
  | {
      type: 'image';
      url?: string;
      mediaType?: string;
      /** base64 */
      data?: string;
      detail?: string;
      cacheControl?: unknown;
    }
  | { type: 'tool_call'; id: string; name: string; /** JSON text */ arguments: string }
  | {
      type: 'tool_result';
      toolCallId: string;
      name?: string;
      content: string | CanonicalPart[];
      isError?: boolean;
      cacheControl?: unknown;
    }
  | {
      type: 'thinking';
      text: string;
      /** opaque, byte-for-byte */
      signature?: string;
      /** opaque data of redacted_thinking */
      redacted?: string;
    };

export type TextPart = Extract<CanonicalPart, { type: 'text' }>;
export type ImagePart = Extract<CanonicalPart, { type: 'image' }>;
export type ToolCallPart = Extract<CanonicalPart, { type: 'tool_call' }>;
export type ToolResultPart = Extract<CanonicalPart, { type: 'tool_result' }>;
export type ThinkingPart = Extract<CanonicalPart, { type: 'thinking' }>;

export interface CanonicalMessage {
  role: CanonicalRole;
  parts: CanonicalPart[];
}

export interface CanonicalTool {
  name: string;
  description?: string;
  /** JSON schema */
  parameters: Record<string, unknown>;
  cacheControl?: unknown;
}

export type CanonicalToolChoice = 'auto' | 'none' | 'required' | { name: string };

export interface CanonicalRequest {
  model: string;
  /** text parts (cacheControl preserved) */
  system?: CanonicalPart[];
  messages: CanonicalMessage[];
  tools?: CanonicalTool[];
  toolChoice?: CanonicalToolChoice;
  parallelToolCalls?: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  stream: boolean;
  responseFormat?:
    | { type: 'text' }
    | { type: 'json_object' }
    | { type: 'json_schema'; name?: string; schema: Record<string, unknown>; strict?: boolean };
  reasoning?: { effort?: 'low' | 'medium' | 'high'; budgetTokens?: number };
  user?: string;
  n?: number;
}

export type CanonicalStopReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

export interface CanonicalUsage {
  /** Total prompt tokens, INCLUDING cached and cache-creation tokens. */
  inputTokens: number;
  /** Output tokens, INCLUDING reasoning tokens. */
  outputTokens: number;
  cachedInputTokens?: number;
  cacheCreationInputTokens?: number;
  reasoningTokens?: number;
}

export interface CanonicalResponse {
  id: string;
  model: string;
  /** assistant output */
  parts: CanonicalPart[];
  stopReason: CanonicalStopReason;
  usage?: CanonicalUsage;
  created?: number;
}

export type CanonicalStreamEvent =
  | { type: 'start'; id: string; model: string; /** input tokens if known at start */ usage?: CanonicalUsage }
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; text: string }
  | { type: 'thinking_signature'; signature: string }
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; index: number; argumentsDelta: string }
  | { type: 'finish'; stopReason: CanonicalStopReason }
  | { type: 'usage'; usage: CanonicalUsage }
  /** An error the upstream reported, or (`malformed`) an event whose data is not JSON: a broken stream. */
  | { type: 'error'; message: string; status?: number; malformed?: boolean }
  | { type: 'done' };

export interface TranslationResult<T> {
  value: T;
  /** field names deliberately dropped, e.g. 'logprobs' */
  dropped: string[];
}

export interface SseEvent {
  event?: string;
  data: string;
}

export interface StreamEncoderOptions {
  clientModel: string;
  includeUsage: boolean;
}

export interface ProtocolCodec {
  /** Client request in this protocol → canonical. Throws TranslationError(400) naming the field. */
  decodeRequest(body: unknown): TranslationResult<CanonicalRequest>;
  /** Canonical → this protocol's request body (Gemini: model and stream live in the URL, not the body). */
  encodeRequest(req: CanonicalRequest, upstreamModel: string): TranslationResult<Record<string, unknown>>;
  /** Upstream non-stream response → canonical. */
  decodeResponse(body: unknown): CanonicalResponse;
  /** Canonical → this protocol's response; `model` is set to clientModel. */
  encodeResponse(res: CanonicalResponse, clientModel: string): Record<string, unknown>;
  /** Stateful: upstream SSE events → canonical events. */
  createStreamDecoder(): (ev: SseEvent) => CanonicalStreamEvent[];
  /** Stateful: canonical events → SSE text for the client ('' when nothing to write). */
  createStreamEncoder(opts: StreamEncoderOptions): (ev: CanonicalStreamEvent) => string;
  /** Error body in this protocol's shape. */
  encodeError(status: number, message: string, code?: string): Record<string, unknown>;
  /** Upstream error body → message (and code when the body has one). */
  decodeError(status: number, body: unknown): { message: string; code?: string };
}
