import { randomUUID } from 'node:crypto';
import type { CanonicalPart, CanonicalStreamEvent, CanonicalUsage, SseEvent, TextPart } from './canonical';
import { TranslationError } from './errors';

/** Shared helpers of the codecs: narrowing, request validation, data URIs, SSE framing, usage. */

export type JsonObject = Record<string, unknown>;

export function isRecord(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects the names of fields that were deliberately not translated (insertion order, no duplicates). */
export class Dropped {
  private readonly names = new Set<string>();
  add(name: string): void {
    this.names.add(name);
  }
  list(): string[] {
    return [...this.names];
  }
}

// ---------------------------------------------------------------- request validation (throws 400)

export function invalid(path: string, message: string): never {
  throw new TranslationError(400, `${path}: ${message}`, path);
}

export function expectRecord(v: unknown, path: string): JsonObject {
  if (!isRecord(v)) invalid(path, 'must be an object');
  return v;
}

export function expectString(v: unknown, path: string): string {
  if (typeof v !== 'string') invalid(path, 'must be a string');
  return v;
}

/** Reads a required non-empty string field. */
export function reqString(obj: JsonObject, key: string, path = key): string {
  const v = obj[key];
  if (v === undefined || v === null) invalid(path, 'is required');
  if (typeof v !== 'string') invalid(path, 'must be a string');
  if (v.length === 0) invalid(path, 'must not be empty');
  return v;
}

/** Optional fields treat `null` like absent (clients commonly send explicit nulls). */
export function optString(obj: JsonObject, key: string, path = key): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') invalid(path, 'must be a string');
  return v;
}

export function optNumber(obj: JsonObject, key: string, path = key): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) invalid(path, 'must be a number');
  return v;
}

export function optPositiveInt(obj: JsonObject, key: string, path = key): number | undefined {
  const v = optNumber(obj, key, path);
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 1) invalid(path, 'must be a positive integer');
  return v;
}

export function optBoolean(obj: JsonObject, key: string, path = key): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') invalid(path, 'must be a boolean');
  return v;
}

export function optArray(obj: JsonObject, key: string, path = key): unknown[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) invalid(path, 'must be an array');
  return v;
}

export function optRecord(obj: JsonObject, key: string, path = key): JsonObject | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) invalid(path, 'must be an object');
  return v;
}

export function optStringArray(obj: JsonObject, key: string, path = key): string[] | undefined {
  const a = optArray(obj, key, path);
  if (a === undefined) return undefined;
  return a.map((s, i) => expectString(s, `${path}[${i}]`));
}

/** A non-empty messages/contents array. */
export function reqNonEmptyArray(obj: JsonObject, key: string, path = key): unknown[] {
  const v = obj[key];
  if (v === undefined || v === null) invalid(path, 'is required');
  if (!Array.isArray(v)) invalid(path, 'must be an array');
  if (v.length === 0) invalid(path, 'must contain at least one item');
  return v;
}

/** Tool parameters: a JSON schema object; absent means "no parameters". */
export function schemaOrEmpty(v: unknown, path: string): JsonObject {
  if (v === undefined || v === null) return { type: 'object', properties: {} };
  return expectRecord(v, path);
}

// ---------------------------------------------------------------- lenient readers (responses, streams)

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function rec(v: unknown): JsonObject | undefined {
  return isRecord(v) ? v : undefined;
}

export function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Removes keys whose value is undefined (keeps JSON output and golden files tidy). */
export function compact<T extends JsonObject>(obj: T): T {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}

// ---------------------------------------------------------------- content helpers

const DATA_URI = /^data:([^;,]*)((?:;[^;,]*)*?);base64,(.*)$/s;

export function parseDataUri(url: string): { mediaType: string; data: string } | undefined {
  const m = DATA_URI.exec(url);
  if (!m) return undefined;
  return { mediaType: m[1] || 'application/octet-stream', data: m[3] };
}

export function toDataUri(mediaType: string | undefined, data: string): string {
  return `data:${mediaType ?? 'application/octet-stream'};base64,${data}`;
}

const EXT_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
};

/** Media type from a URL's file extension, when it has a well-known one. */
export function guessMediaType(url: string): string | undefined {
  const path = url.split(/[?#]/, 1)[0];
  const m = /\.([a-z0-9]+)$/i.exec(path);
  return m ? EXT_TYPES[m[1].toLowerCase()] : undefined;
}

/** Parses JSON text that must be an object; undefined otherwise. */
export function parseJsonObject(text: string): JsonObject | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return isRecord(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

export function joinText(parts: CanonicalPart[], sep = ''): string {
  return parts
    .filter((p): p is TextPart => p.type === 'text')
    .map((p) => p.text)
    .join(sep);
}

/** A tool result's content as plain text (for protocols whose tool results are text only). */
export function toolResultText(content: string | CanonicalPart[]): string {
  return typeof content === 'string' ? content : joinText(content, '\n');
}

// ---------------------------------------------------------------- reasoning

export type Effort = 'low' | 'medium' | 'high';

const EFFORT_BUDGET: Record<Effort, number> = { low: 1024, medium: 8192, high: 24576 };

/** OpenAI's reasoning effort names (`minimal` … `xhigh`, `none`) → the canonical three, or undefined for none. */
export function effortFromOpenAi(e: string | undefined, path: string): Effort | undefined {
  if (e === undefined || e === 'none') return undefined;
  if (e === 'minimal' || e === 'low') return 'low';
  if (e === 'medium') return 'medium';
  if (e === 'high' || e === 'xhigh') return 'high';
  return invalid(path, `unsupported value '${e}'`);
}

export function effortToBudget(effort: Effort): number {
  return EFFORT_BUDGET[effort];
}

export function budgetToEffort(budget: number): Effort {
  if (budget < 4096) return 'low';
  if (budget < 16384) return 'medium';
  return 'high';
}

export function reasoningBudget(r: { effort?: Effort; budgetTokens?: number }): number | undefined {
  if (r.budgetTokens !== undefined) return r.budgetTokens;
  return r.effort ? effortToBudget(r.effort) : undefined;
}

export function reasoningEffort(r: { effort?: Effort; budgetTokens?: number }): Effort | undefined {
  if (r.effort) return r.effort;
  return r.budgetTokens !== undefined ? budgetToEffort(r.budgetTokens) : undefined;
}

// ---------------------------------------------------------------- usage

/** Later values win field by field (stream usage arrives in pieces: input at start, output at the end). */
export function mergeUsage(
  a: CanonicalUsage | undefined,
  b: CanonicalUsage | undefined,
): CanonicalUsage | undefined {
  if (!a) return b;
  if (!b) return a;
  return compact({
    inputTokens: b.inputTokens || a.inputTokens,
    outputTokens: b.outputTokens || a.outputTokens,
    cachedInputTokens: b.cachedInputTokens ?? a.cachedInputTokens,
    cacheCreationInputTokens: b.cacheCreationInputTokens ?? a.cacheCreationInputTokens,
    reasoningTokens: b.reasoningTokens ?? a.reasoningTokens,
  });
}

// ---------------------------------------------------------------- SSE

/** One complete SSE frame with compact JSON data. */
export function sseFrame(data: unknown, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}

export function parseSseData(ev: SseEvent): unknown {
  try {
    return JSON.parse(ev.data) as unknown;
  } catch {
    return undefined;
  }
}

export const MALFORMED_EVENT_MESSAGE = 'upstream sent a stream event that is not valid JSON';

/**
 * What a stream decoder makes of an event whose data did not parse: nothing for an empty event, else a
 * `malformed` error — the upstream's stream is broken, and skipping the event would lose part of the
 * answer without anyone noticing.
 */
export function unparsedEvent(ev: SseEvent): CanonicalStreamEvent[] {
  return ev.data.trim()
    ? [{ type: 'error', message: MALFORMED_EVENT_MESSAGE, status: 502, malformed: true }]
    : [];
}

// ---------------------------------------------------------------- errors

/** Best-effort message/code from any of the three error shapes (or plain text). */
export function genericDecodeError(status: number, body: unknown): { message: string; code?: string } {
  const b = Array.isArray(body) ? body[0] : body;
  if (typeof b === 'string') {
    const parsed = ((): unknown => {
      try {
        return JSON.parse(b) as unknown;
      } catch {
        return undefined;
      }
    })();
    if (parsed !== undefined && typeof parsed !== 'string') return genericDecodeError(status, parsed);
    return { message: b.trim() || `Upstream error (HTTP ${status})` };
  }
  const err = rec(rec(b)?.error);
  if (err) {
    const message = str(err.message) ?? `Upstream error (HTTP ${status})`;
    // OpenAI: code ?? type; Anthropic: type; Gemini: status (e.g. RESOURCE_EXHAUSTED).
    const code = str(err.code) ?? str(err.status) ?? str(err.type);
    return compact({ message, code });
  }
  const message = str(rec(b)?.message);
  if (message) return { message };
  return { message: `Upstream error (HTTP ${status})` };
}

/** An id for responses whose upstream sent none (the only non-deterministic output of the codecs). */
export function fallbackId(prefix: string): string {
  return `${prefix}${randomUUID().replace(/-/g, '')}`;
}
