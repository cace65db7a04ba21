import { countCanonicalTokens } from '../gateway/pipeline/count-tokens';
import { codecs } from '../gateway/translate';
import type {
  CanonicalMessage,
  CanonicalPart,
  CanonicalRequest,
  CanonicalStreamEvent,
  CanonicalResponse,
} from '../gateway/translate/canonical';

/**
 * Pure helpers of the memory module: token counting, context trimming, splicing stored history into
 * a client body of each protocol, and rebuilding the assistant reply from canonical stream events.
 */

type Json = Record<string, unknown>;
export type SpliceProtocol = 'openai' | 'anthropic' | 'gemini' | 'responses';

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tokens of one canonical message, counted like `count_tokens` does (gpt-tokenizer + overhead). */
export function messageTokens(m: CanonicalMessage): number {
  return countCanonicalTokens({ model: '', messages: [m], stream: false }) - 3;
}

export function systemTokens(system: CanonicalPart[] | undefined): number {
  return system?.length ? countCanonicalTokens({ model: '', system, messages: [], stream: false }) - 3 : 0;
}

export interface StoredTurn extends CanonicalMessage {
  tokens: number;
}

export interface TrimResult<T extends StoredTurn> {
  /** The newest history that fits, starting at a user turn. */
  kept: T[];
  trimmedMessages: number;
  trimmedTokens: number;
}

/** A user message that starts a turn (not a tool result, which must follow its tool call). */
const startsTurn = (m: CanonicalMessage) =>
  m.role === 'user' && !m.parts.some((p) => p.type === 'tool_result');

/**
 * Keeps the newest stored messages that fit in `budget` minus what the request itself needs
 * (`fixedTokens`: system prompt + new messages, always sent). The kept window starts at a user turn,
 * so a tool result never loses its tool call and the upstream never sees an assistant message first.
 */
export function trimHistory<T extends StoredTurn>(
  history: T[],
  budget: number,
  fixedTokens: number,
  /**
   * The new messages continue the last turn (they start with tool results): that turn is kept even
   * over budget, since a tool result without its call is an invalid conversation.
   */
  keepLastTurn = false,
): TrimResult<T> {
  let room = budget - fixedTokens;
  let start = history.length;
  while (start > 0 && history[start - 1].tokens <= room) {
    room -= history[start - 1].tokens;
    start--;
  }
  while (start < history.length && !startsTurn(history[start])) start++;
  if (keepLastTurn && start === history.length) {
    start = history.length - 1;
    while (start > 0 && !startsTurn(history[start])) start--;
  }
  const dropped = history.slice(0, start);
  return {
    kept: history.slice(start),
    trimmedMessages: dropped.length,
    trimmedTokens: dropped.reduce((s, m) => s + m.tokens, 0),
  };
}

/** Canonical history as this protocol's message list (encoded by the protocol's own codec). */
function encodeHistory(protocol: 'openai' | 'anthropic' | 'gemini', history: CanonicalMessage[]): Json[] {
  if (!history.length) return [];
  const req: CanonicalRequest = { model: 'history', messages: history, stream: false };
  const enc = codecs[protocol].encodeRequest(req, 'history').value;
  return (protocol === 'gemini' ? enc.contents : enc.messages) as Json[];
}

/**
 * Returns the client's body with the stored history in front of its messages, in the client's own
 * protocol (for same-protocol pass-through): OpenAI after the leading system/developer messages,
 * Anthropic `messages`, Gemini `contents`. The session's system prompt is added only when the body
 * has none. Anthropic's `metadata.session_id` is removed (upstreams accept only `user_id`).
 * Responses bodies are returned as they are: that front door always goes through the canonical form.
 */
export function spliceHistory(
  protocol: SpliceProtocol,
  body: Json,
  history: CanonicalMessage[],
  systemPrompt: string | null,
  /** Extra system text after the system prompt (the summary of trimmed history). */
  note?: string,
): Json {
  if (protocol === 'responses') return body;
  const out: Json = { ...body };
  const encoded = encodeHistory(protocol, history);
  if (protocol === 'openai') {
    const messages = Array.isArray(body.messages) ? (body.messages as Json[]) : [];
    let lead = 0;
    while (
      lead < messages.length &&
      (messages[lead].role === 'system' || messages[lead].role === 'developer')
    )
      lead++;
    const system: Json[] = lead
      ? messages.slice(0, lead)
      : systemPrompt
        ? [{ role: 'system', content: systemPrompt }]
        : [];
    if (note) system.push({ role: 'system', content: note });
    out.messages = [...system, ...encoded, ...messages.slice(lead)];
  } else if (protocol === 'anthropic') {
    out.messages = [...encoded, ...(Array.isArray(body.messages) ? (body.messages as Json[]) : [])];
    if (body.system === undefined && systemPrompt) out.system = systemPrompt;
    if (note) {
      const sys = out.system;
      out.system = Array.isArray(sys)
        ? [...(sys as Json[]), { type: 'text', text: note }]
        : typeof sys === 'string' && sys
          ? `${sys}\n\n${note}`
          : note;
    }
    const md = body.metadata;
    if (md && typeof md === 'object' && 'session_id' in md) {
      const rest = { ...(md as Json) };
      delete rest.session_id;
      if (Object.keys(rest).length) out.metadata = rest;
      else delete out.metadata;
    }
  } else {
    out.contents = [...encoded, ...(Array.isArray(body.contents) ? (body.contents as Json[]) : [])];
    if (body.systemInstruction === undefined && body.system_instruction === undefined && systemPrompt)
      out.systemInstruction = { parts: [{ text: systemPrompt }] };
    if (note) {
      const key = body.system_instruction !== undefined ? 'system_instruction' : 'systemInstruction';
      const si = out[key] as { parts?: unknown[] } | undefined;
      out[key] = { ...si, parts: [...(Array.isArray(si?.parts) ? si.parts : []), { text: note }] };
    }
  }
  return out;
}

/** The canonical request with the history in front (for translated requests). */
export function prependCanonical(
  req: CanonicalRequest,
  history: CanonicalMessage[],
  systemPrompt: string | null,
  note?: string,
): CanonicalRequest {
  const system: CanonicalPart[] = req.system?.length
    ? [...req.system]
    : systemPrompt
      ? [{ type: 'text', text: systemPrompt }]
      : [];
  if (note) system.push({ type: 'text', text: note });
  return { ...req, system: system.length ? system : req.system, messages: [...history, ...req.messages] };
}

/** The system note that carries the summary of trimmed history. */
export function summaryNote(summary: string, through: number): string {
  return `Summary of the earlier part of this conversation (messages 0-${through}, no longer shown):\n${summary}`;
}

/** A plain transcript for the summariser: one "Role: text" block per message, tool calls named. */
export function transcriptText(msgs: { role: string; parts: CanonicalPart[] }[]): string {
  return msgs
    .map((m) => {
      const bits = m.parts.map((p) =>
        p.type === 'tool_call'
          ? `[called ${p.name}(${p.arguments})]`
          : p.type === 'tool_result'
            ? `[tool result: ${typeof p.content === 'string' ? p.content : partsText(p.content)}]`
            : p.type === 'text'
              ? p.text
              : p.type === 'image'
                ? '[image]'
                : '',
      );
      const role = m.role === 'assistant' ? 'Assistant' : m.role === 'tool' ? 'Tool' : 'User';
      return `${role}: ${bits.filter(Boolean).join(' ')}`;
    })
    .join('\n\n');
}

/** The assistant message of a non-streamed answer. */
export function replyFromResponse(res: CanonicalResponse): CanonicalPart[] {
  return res.parts;
}

/** Rebuilds the assistant message (text, thinking with signatures, tool calls) from stream events. */
export class ReplyCollector {
  private readonly parts: CanonicalPart[] = [];
  private readonly calls = new Map<number, Extract<CanonicalPart, { type: 'tool_call' }>>();

  push(ev: CanonicalStreamEvent): void {
    const last = this.parts[this.parts.length - 1];
    switch (ev.type) {
      case 'text_delta':
        if (last?.type === 'text') last.text += ev.text;
        else this.parts.push({ type: 'text', text: ev.text });
        break;
      case 'thinking_delta':
        if (last?.type === 'thinking' && last.signature === undefined) last.text += ev.text;
        else this.parts.push({ type: 'thinking', text: ev.text });
        break;
      case 'thinking_signature': {
        const t = [...this.parts].reverse().find((p) => p.type === 'thinking');
        if (t && t.type === 'thinking' && t.signature === undefined) t.signature = ev.signature;
        else this.parts.push({ type: 'thinking', text: '', signature: ev.signature });
        break;
      }
      case 'tool_call_start': {
        const call = { type: 'tool_call' as const, id: ev.id, name: ev.name, arguments: '' };
        this.calls.set(ev.index, call);
        this.parts.push(call);
        break;
      }
      case 'tool_call_delta': {
        const call = this.calls.get(ev.index);
        if (call) call.arguments += ev.argumentsDelta;
        break;
      }
      default:
        break;
    }
  }

  result(): CanonicalPart[] {
    return this.parts.filter((p) => p.type !== 'text' || p.text !== '');
  }
}

/** Plain text of a message (titles, search previews, Markdown export). */
export function partsText(parts: CanonicalPart[]): string {
  return parts
    .map((p) =>
      p.type === 'text' ? p.text : p.type === 'tool_result' && typeof p.content === 'string' ? p.content : '',
    )
    .filter(Boolean)
    .join('\n');
}
