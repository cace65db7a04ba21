import { errorBody } from '../../common/http/protocol-errors';
import type {
  CanonicalMessage,
  CanonicalPart,
  CanonicalRequest,
  CanonicalResponse,
  CanonicalStopReason,
  CanonicalStreamEvent,
  CanonicalTool,
  CanonicalToolChoice,
  CanonicalUsage,
  ImagePart,
  ProtocolCodec,
  StreamEncoderOptions,
  ToolResultPart,
} from './canonical';
import {
  arr,
  compact,
  Dropped,
  expectRecord,
  expectString,
  fallbackId,
  genericDecodeError,
  invalid,
  type JsonObject,
  mergeUsage,
  num,
  optArray,
  optBoolean,
  optNumber,
  optPositiveInt,
  optRecord,
  optString,
  optStringArray,
  parseJsonObject,
  parseSseData,
  reasoningBudget,
  rec,
  reqNonEmptyArray,
  reqString,
  sseFrame,
  str,
  unparsedEvent,
} from './util';

/** Anthropic Messages (`POST /v1/messages`) ⇄ canonical. */

/** Anthropic requires max_tokens; used when the client did not send a limit. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;
const MIN_THINKING_BUDGET = 1024;

const REQUEST_KEYS = new Set([
  'model',
  'messages',
  'system',
  'max_tokens',
  'metadata',
  'stop_sequences',
  'stream',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
]);

// ================================================================ request decode

function decodeRequest(body: unknown): { value: CanonicalRequest; dropped: string[] } {
  const b = expectRecord(body, 'body');
  const dropped = new Dropped();
  const model = reqString(b, 'model');
  const rawMessages = reqNonEmptyArray(b, 'messages');

  const messages: CanonicalMessage[] = [];
  const callNames = new Map<string, string>();
  const push = (role: CanonicalMessage['role'], parts: CanonicalPart[]): void => {
    const last = messages[messages.length - 1];
    if (role === 'tool' && last?.role === 'tool') last.parts.push(...parts);
    else messages.push({ role, parts });
  };

  rawMessages.forEach((raw, i) => {
    const path = `messages[${i}]`;
    const m = expectRecord(raw, path);
    const role = reqString(m, 'role', `${path}.role`);
    if (role !== 'user' && role !== 'assistant') invalid(`${path}.role`, `must be 'user' or 'assistant'`);
    const blocks = decodeContentBlocks(m.content, `${path}.content`);
    if (role === 'assistant') {
      const parts: CanonicalPart[] = [];
      blocks.forEach(({ block, path: bp }) => {
        const p = decodeAssistantBlock(block, bp, dropped);
        if (p) parts.push(p);
        if (p?.type === 'tool_call') callNames.set(p.id, p.name);
      });
      push('assistant', parts);
      return;
    }
    // User turns: runs of tool_result blocks become canonical `tool` messages, the rest stays `user`.
    let run: CanonicalPart[] = [];
    let runIsTool = false;
    const flush = (): void => {
      if (run.length) push(runIsTool ? 'tool' : 'user', run);
      run = [];
    };
    blocks.forEach(({ block, path: bp }) => {
      const p = decodeUserBlock(block, bp, callNames, dropped);
      if (!p) return;
      const isTool = p.type === 'tool_result';
      if (isTool !== runIsTool) flush();
      runIsTool = isTool;
      run.push(p);
    });
    flush();
  });

  const thinking = optRecord(b, 'thinking');
  let reasoning: CanonicalRequest['reasoning'];
  if (thinking) {
    const t = reqString(thinking, 'type', 'thinking.type');
    if (t === 'enabled') {
      const budget = optPositiveInt(thinking, 'budget_tokens', 'thinking.budget_tokens');
      if (budget === undefined) invalid('thinking.budget_tokens', 'is required');
      reasoning = { budgetTokens: budget };
    } else if (t === 'adaptive') {
      reasoning = { effort: 'medium' };
    } else if (t !== 'disabled') {
      invalid('thinking.type', `unsupported value '${t}'`);
    }
  }
  const metadata = optRecord(b, 'metadata');
  if (metadata) for (const k of Object.keys(metadata)) if (k !== 'user_id') dropped.add(`metadata.${k}`);

  const { toolChoice, parallelToolCalls } = decodeToolChoice(b);
  for (const key of Object.keys(b)) if (!REQUEST_KEYS.has(key)) dropped.add(key);

  const system = decodeSystem(b.system);
  return {
    value: compact({
      model,
      system: system?.length ? system : undefined,
      messages,
      tools: decodeTools(b, dropped),
      toolChoice,
      parallelToolCalls,
      maxTokens: optPositiveInt(b, 'max_tokens'),
      temperature: optNumber(b, 'temperature'),
      topP: optNumber(b, 'top_p'),
      topK: optNumber(b, 'top_k'),
      stop: optStringArray(b, 'stop_sequences'),
      stream: optBoolean(b, 'stream') ?? false,
      reasoning,
      user: metadata ? optString(metadata, 'user_id', 'metadata.user_id') : undefined,
    }),
    dropped: dropped.list(),
  };
}

function decodeSystem(v: unknown): CanonicalPart[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v ? [{ type: 'text', text: v }] : [];
  if (!Array.isArray(v)) invalid('system', 'must be a string or an array of text blocks');
  return v.map((raw, i) => {
    const blk = expectRecord(raw, `system[${i}]`);
    if (blk.type !== 'text') invalid(`system[${i}].type`, `must be 'text'`);
    return compact({
      type: 'text' as const,
      text: expectString(blk.text, `system[${i}].text`),
      cacheControl: blk.cache_control,
    });
  });
}

function decodeContentBlocks(content: unknown, path: string): { block: JsonObject; path: string }[] {
  if (typeof content === 'string') return [{ block: { type: 'text', text: content }, path }];
  if (!Array.isArray(content)) invalid(path, 'must be a string or an array of content blocks');
  return content.map((raw, j) => ({ block: expectRecord(raw, `${path}[${j}]`), path: `${path}[${j}]` }));
}

function decodeSource(
  block: JsonObject,
  path: string,
  dropped: Dropped,
): ImagePart | CanonicalPart | undefined {
  const src = expectRecord(block.source, `${path}.source`);
  const type = reqString(src, 'type', `${path}.source.type`);
  const cacheControl = block.cache_control;
  if (type === 'base64') {
    return compact({
      type: 'image' as const,
      mediaType: reqString(src, 'media_type', `${path}.source.media_type`),
      data: reqString(src, 'data', `${path}.source.data`),
      cacheControl,
    });
  }
  if (type === 'url') {
    return compact({
      type: 'image' as const,
      url: reqString(src, 'url', `${path}.source.url`),
      mediaType: block.type === 'document' ? 'application/pdf' : undefined,
      cacheControl,
    });
  }
  if (type === 'text' && block.type === 'document') {
    return compact({
      type: 'text' as const,
      text: reqString(src, 'data', `${path}.source.data`),
      cacheControl,
    });
  }
  dropped.add(`${String(block.type)}.source.${type}`);
  return undefined;
}

function decodeUserBlock(
  block: JsonObject,
  path: string,
  callNames: Map<string, string>,
  dropped: Dropped,
): CanonicalPart | undefined {
  const type = reqString(block, 'type', `${path}.type`);
  switch (type) {
    case 'text':
      if (block.citations !== undefined && block.citations !== null) dropped.add('text.citations');
      return compact({
        type: 'text' as const,
        text: expectString(block.text, `${path}.text`),
        cacheControl: block.cache_control,
      });
    case 'image':
    case 'document':
      for (const k of ['title', 'context', 'citations'])
        if (block[k] !== undefined && block[k] !== null) dropped.add(`document.${k}`);
      return decodeSource(block, path, dropped);
    case 'tool_result': {
      const toolCallId = reqString(block, 'tool_use_id', `${path}.tool_use_id`);
      const raw = block.content;
      let content: string | CanonicalPart[];
      if (raw === undefined || raw === null) content = '';
      else if (typeof raw === 'string') content = raw;
      else if (Array.isArray(raw)) {
        content = [];
        for (const [k, inner] of raw.entries()) {
          const ip = `${path}.content[${k}]`;
          const ib = expectRecord(inner, ip);
          const it = reqString(ib, 'type', `${ip}.type`);
          if (it !== 'text' && it !== 'image' && it !== 'document') {
            dropped.add(`tool_result.content.${it}`);
            continue;
          }
          const p = decodeUserBlock(ib, ip, callNames, dropped);
          if (p) content.push(p);
        }
      } else invalid(`${path}.content`, 'must be a string or an array of content blocks');
      const part: ToolResultPart = compact({
        type: 'tool_result' as const,
        toolCallId,
        name: callNames.get(toolCallId),
        content,
        isError: optBoolean(block, 'is_error', `${path}.is_error`),
        cacheControl: block.cache_control,
      });
      return part;
    }
    case 'tool_use':
    case 'thinking':
    case 'redacted_thinking':
      return invalid(`${path}.type`, `'${type}' blocks are only allowed in assistant messages`);
    default:
      dropped.add(`content.${type}`);
      return undefined;
  }
}

function decodeAssistantBlock(block: JsonObject, path: string, dropped: Dropped): CanonicalPart | undefined {
  const type = reqString(block, 'type', `${path}.type`);
  switch (type) {
    case 'text':
      if (block.citations !== undefined && block.citations !== null) dropped.add('text.citations');
      return compact({
        type: 'text' as const,
        text: expectString(block.text, `${path}.text`),
        cacheControl: block.cache_control,
      });
    case 'thinking':
      return compact({
        type: 'thinking' as const,
        text: expectString(block.thinking, `${path}.thinking`),
        signature: optString(block, 'signature', `${path}.signature`),
      });
    case 'redacted_thinking':
      return { type: 'thinking', text: '', redacted: reqString(block, 'data', `${path}.data`) };
    case 'tool_use': {
      if (block.cache_control !== undefined) dropped.add('cache_control');
      const input = block.input ?? {};
      return {
        type: 'tool_call',
        id: reqString(block, 'id', `${path}.id`),
        name: reqString(block, 'name', `${path}.name`),
        arguments: JSON.stringify(expectRecord(input, `${path}.input`)),
      };
    }
    default:
      dropped.add(`content.${type}`);
      return undefined;
  }
}

function decodeTools(b: JsonObject, dropped: Dropped): CanonicalTool[] | undefined {
  const raw = optArray(b, 'tools');
  if (!raw) return undefined;
  const tools: CanonicalTool[] = [];
  raw.forEach((t, i) => {
    const tr = expectRecord(t, `tools[${i}]`);
    if (tr.type !== undefined && tr.type !== null && tr.type !== 'custom') {
      dropped.add(`tools.${String(tr.type)}`);
      return;
    }
    tools.push(
      compact({
        name: reqString(tr, 'name', `tools[${i}].name`),
        description: optString(tr, 'description', `tools[${i}].description`),
        parameters: expectRecord(tr.input_schema, `tools[${i}].input_schema`),
        cacheControl: tr.cache_control,
      }),
    );
  });
  return tools;
}

function decodeToolChoice(b: JsonObject): { toolChoice?: CanonicalToolChoice; parallelToolCalls?: boolean } {
  const tc = optRecord(b, 'tool_choice');
  if (!tc) return {};
  const type = reqString(tc, 'type', 'tool_choice.type');
  const disable = optBoolean(tc, 'disable_parallel_tool_use', 'tool_choice.disable_parallel_tool_use');
  const parallelToolCalls = disable === undefined ? undefined : !disable;
  let toolChoice: CanonicalToolChoice;
  if (type === 'auto') toolChoice = 'auto';
  else if (type === 'any') toolChoice = 'required';
  else if (type === 'none') toolChoice = 'none';
  else if (type === 'tool') toolChoice = { name: reqString(tc, 'name', 'tool_choice.name') };
  else return invalid('tool_choice.type', `unsupported value '${type}'`);
  return compact({ toolChoice, parallelToolCalls });
}

// ================================================================ request encode

function encodeRequest(
  req: CanonicalRequest,
  upstreamModel: string,
): { value: JsonObject; dropped: string[] } {
  const dropped = new Dropped();
  const built: { role: 'user' | 'assistant'; blocks: JsonObject[]; hasToolResult: boolean }[] = [];
  for (const m of req.messages) {
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks = encodeBlocks(m.parts, dropped);
    if (!blocks.length) continue;
    const hasToolResult = blocks.some((b) => b.type === 'tool_result');
    const last = built[built.length - 1];
    // Consecutive tool results (and a user turn right after them) form one user message.
    if (last && last.role === 'user' && role === 'user' && last.hasToolResult) {
      last.blocks.push(...blocks);
    } else {
      built.push({ role, blocks, hasToolResult });
    }
  }
  const messages = built.map((m) => ({ role: m.role, content: simplifyBlocks(m.blocks) }));

  let system: string | JsonObject[] | undefined;
  if (req.system?.length) {
    const blocks = encodeBlocks(req.system, dropped);
    system = simplifyBlocks(blocks);
  }

  const hasTools = !!req.tools?.length;
  let toolChoice: JsonObject | undefined;
  if (hasTools && req.toolChoice !== undefined) {
    const c = req.toolChoice;
    toolChoice =
      c === 'auto'
        ? { type: 'auto' }
        : c === 'required'
          ? { type: 'any' }
          : c === 'none'
            ? { type: 'none' }
            : { type: 'tool', name: c.name };
  }
  if (hasTools && req.parallelToolCalls === false && toolChoice?.type !== 'none') {
    toolChoice = { ...(toolChoice ?? { type: 'auto' }), disable_parallel_tool_use: true };
  }

  // Extended thinking: budget ≥ 1024 and < max_tokens; no forced tool use; sampling limits.
  let maxTokens = req.maxTokens;
  let thinking: JsonObject | undefined;
  const budget = req.reasoning ? reasoningBudget(req.reasoning) : undefined;
  if (budget !== undefined && budget > 0) {
    const forced = toolChoice?.type === 'any' || toolChoice?.type === 'tool';
    let b = Math.max(MIN_THINKING_BUDGET, budget);
    if (maxTokens === undefined) maxTokens = b + ANTHROPIC_DEFAULT_MAX_TOKENS;
    else if (b >= maxTokens) b = Math.floor(maxTokens / 2);
    if (forced || b < MIN_THINKING_BUDGET) dropped.add('reasoning');
    else thinking = { type: 'enabled', budget_tokens: b };
  }
  let { temperature, topP, topK } = req;
  if (thinking) {
    if (temperature !== undefined && temperature !== 1) {
      dropped.add('temperature');
      temperature = undefined;
    }
    if (topK !== undefined) {
      dropped.add('top_k');
      topK = undefined;
    }
    if (topP !== undefined && topP < 0.95) {
      dropped.add('top_p');
      topP = undefined;
    }
  }
  // Current Claude models reject temperature and top_p together; temperature is the more common knob.
  if (temperature !== undefined && topP !== undefined) {
    dropped.add('top_p');
    topP = undefined;
  }

  if (req.responseFormat && req.responseFormat.type !== 'text') dropped.add('response_format');
  if (req.n !== undefined && req.n > 1) dropped.add('n');

  const body = compact({
    model: upstreamModel,
    max_tokens: maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    system,
    messages,
    tools: req.tools?.map((t) =>
      compact({
        name: t.name,
        description: t.description,
        input_schema: t.parameters,
        cache_control: t.cacheControl,
      }),
    ),
    tool_choice: toolChoice,
    thinking,
    temperature,
    top_p: topP,
    top_k: topK,
    stop_sequences: req.stop,
    metadata: req.user !== undefined ? { user_id: req.user } : undefined,
    stream: req.stream,
  });
  return { value: body, dropped: dropped.list() };
}

/** A single plain text block is sent as a string, like clients usually write it. */
function simplifyBlocks(blocks: JsonObject[]): string | JsonObject[] {
  if (blocks.length === 1 && blocks[0].type === 'text' && blocks[0].cache_control === undefined) {
    return blocks[0].text as string;
  }
  return blocks;
}

function encodeImageBlock(p: ImagePart, dropped: Dropped): JsonObject | undefined {
  if (p.detail !== undefined) dropped.add('image_url.detail');
  const isImage = !p.mediaType || p.mediaType.startsWith('image/');
  let source: JsonObject;
  if (p.data !== undefined)
    source = { type: 'base64', media_type: p.mediaType ?? 'image/jpeg', data: p.data };
  else if (p.url !== undefined) source = { type: 'url', url: p.url };
  else return undefined;
  return compact({ type: isImage ? 'image' : 'document', source, cache_control: p.cacheControl });
}

function encodeBlocks(parts: CanonicalPart[], dropped: Dropped): JsonObject[] {
  const out: JsonObject[] = [];
  for (const p of parts) {
    switch (p.type) {
      case 'text':
        if (p.text) out.push(compact({ type: 'text', text: p.text, cache_control: p.cacheControl }));
        break;
      case 'image': {
        const blk = encodeImageBlock(p, dropped);
        if (blk) out.push(blk);
        break;
      }
      case 'thinking':
        if (p.redacted !== undefined) out.push({ type: 'redacted_thinking', data: p.redacted });
        else if (p.signature) out.push({ type: 'thinking', thinking: p.text, signature: p.signature });
        // Anthropic only accepts thinking it signed itself.
        else dropped.add('thinking');
        break;
      case 'tool_call': {
        const input = parseJsonObject(p.arguments || '{}');
        if (!input) dropped.add('tool_call.arguments');
        out.push({ type: 'tool_use', id: p.id, name: p.name, input: input ?? {} });
        break;
      }
      case 'tool_result': {
        const content = typeof p.content === 'string' ? p.content : encodeBlocks(p.content, dropped);
        out.push(
          compact({
            type: 'tool_result',
            tool_use_id: p.toolCallId,
            content,
            is_error: p.isError,
            cache_control: p.cacheControl,
          }),
        );
        break;
      }
    }
  }
  return out;
}

// ================================================================ response

const STOP_IN: Record<string, CanonicalStopReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};
const STOP_OUT: Record<CanonicalStopReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
  error: 'end_turn',
};

/** Anthropic input_tokens exclude cache reads and writes; canonical inputTokens include them. */
export function decodeAnthropicUsage(u: unknown): CanonicalUsage | undefined {
  const r = rec(u);
  if (!r) return undefined;
  const cacheRead = num(r.cache_read_input_tokens);
  const cacheCreation = num(r.cache_creation_input_tokens);
  return compact({
    inputTokens: (num(r.input_tokens) ?? 0) + (cacheRead ?? 0) + (cacheCreation ?? 0),
    outputTokens: num(r.output_tokens) ?? 0,
    cachedInputTokens: cacheRead,
    cacheCreationInputTokens: cacheCreation,
  });
}

export function encodeAnthropicUsage(u: CanonicalUsage): JsonObject {
  const cacheRead = u.cachedInputTokens ?? 0;
  const cacheCreation = u.cacheCreationInputTokens ?? 0;
  return compact({
    input_tokens: Math.max(0, u.inputTokens - cacheRead - cacheCreation),
    output_tokens: u.outputTokens,
    cache_creation_input_tokens: u.cacheCreationInputTokens,
    cache_read_input_tokens: u.cachedInputTokens,
  });
}

function decodeResponse(body: unknown): CanonicalResponse {
  const b = rec(body) ?? {};
  const parts: CanonicalPart[] = [];
  for (const raw of arr(b.content)) {
    const c = rec(raw);
    if (!c) continue;
    if (c.type === 'text') parts.push({ type: 'text', text: str(c.text) ?? '' });
    else if (c.type === 'thinking')
      parts.push(
        compact({ type: 'thinking' as const, text: str(c.thinking) ?? '', signature: str(c.signature) }),
      );
    else if (c.type === 'redacted_thinking')
      parts.push({ type: 'thinking', text: '', redacted: str(c.data) ?? '' });
    else if (c.type === 'tool_use')
      parts.push({
        type: 'tool_call',
        id: str(c.id) ?? '',
        name: str(c.name) ?? '',
        arguments: JSON.stringify(c.input ?? {}),
      });
  }
  return compact({
    id: str(b.id) ?? '',
    model: str(b.model) ?? '',
    parts,
    stopReason: STOP_IN[str(b.stop_reason) ?? 'end_turn'] ?? 'stop',
    usage: decodeAnthropicUsage(b.usage),
  });
}

function encodeContent(parts: CanonicalPart[]): JsonObject[] {
  const out: JsonObject[] = [];
  for (const p of parts) {
    if (p.type === 'text') out.push({ type: 'text', text: p.text });
    else if (p.type === 'thinking') {
      if (p.redacted !== undefined) out.push({ type: 'redacted_thinking', data: p.redacted });
      else out.push({ type: 'thinking', thinking: p.text, signature: p.signature ?? '' });
    } else if (p.type === 'tool_call') {
      out.push({
        type: 'tool_use',
        id: p.id,
        name: p.name,
        input: parseJsonObject(p.arguments || '{}') ?? {},
      });
    }
  }
  return out;
}

function encodeResponse(res: CanonicalResponse, clientModel: string): JsonObject {
  return {
    id: res.id || fallbackId('msg_'),
    type: 'message',
    role: 'assistant',
    model: clientModel,
    content: encodeContent(res.parts),
    stop_reason: STOP_OUT[res.stopReason],
    stop_sequence: null,
    usage: encodeAnthropicUsage(res.usage ?? { inputTokens: 0, outputTokens: 0 }),
  };
}

// ================================================================ streams

const ERROR_STATUS: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

function createStreamDecoder(): (ev: { event?: string; data: string }) => CanonicalStreamEvent[] {
  let startUsage: JsonObject = {};
  let nextTool = 0;
  const toolByBlock = new Map<number, number>();

  return (ev) => {
    const parsed = parseSseData(ev);
    const d = rec(parsed);
    if (!d) return parsed === undefined ? unparsedEvent(ev) : [];
    const type = str(d.type) ?? ev.event;
    const out: CanonicalStreamEvent[] = [];
    switch (type) {
      case 'message_start': {
        const msg = rec(d.message) ?? {};
        startUsage = rec(msg.usage) ?? {};
        out.push(
          compact({
            type: 'start' as const,
            id: str(msg.id) ?? '',
            model: str(msg.model) ?? '',
            usage: decodeAnthropicUsage(msg.usage),
          }),
        );
        break;
      }
      case 'content_block_start': {
        const blockIndex = num(d.index) ?? 0;
        const cb = rec(d.content_block) ?? {};
        if (cb.type === 'text') {
          const text = str(cb.text);
          if (text) out.push({ type: 'text_delta', text });
        } else if (cb.type === 'thinking') {
          const text = str(cb.thinking);
          if (text) out.push({ type: 'thinking_delta', text });
          const signature = str(cb.signature);
          if (signature) out.push({ type: 'thinking_signature', signature });
        } else if (cb.type === 'tool_use') {
          const index = nextTool++;
          toolByBlock.set(blockIndex, index);
          out.push({ type: 'tool_call_start', index, id: str(cb.id) ?? '', name: str(cb.name) ?? '' });
          const input = rec(cb.input);
          if (input && Object.keys(input).length)
            out.push({ type: 'tool_call_delta', index, argumentsDelta: JSON.stringify(input) });
        }
        break;
      }
      case 'content_block_delta': {
        const delta = rec(d.delta) ?? {};
        const blockIndex = num(d.index) ?? 0;
        if (delta.type === 'text_delta') {
          const text = str(delta.text);
          if (text) out.push({ type: 'text_delta', text });
        } else if (delta.type === 'thinking_delta') {
          const text = str(delta.thinking);
          if (text) out.push({ type: 'thinking_delta', text });
        } else if (delta.type === 'signature_delta') {
          const signature = str(delta.signature);
          if (signature) out.push({ type: 'thinking_signature', signature });
        } else if (delta.type === 'input_json_delta') {
          const index = toolByBlock.get(blockIndex);
          const partial = str(delta.partial_json);
          if (index !== undefined && partial)
            out.push({ type: 'tool_call_delta', index, argumentsDelta: partial });
        }
        break;
      }
      case 'message_delta': {
        const stop = str(rec(d.delta)?.stop_reason);
        if (stop) out.push({ type: 'finish', stopReason: STOP_IN[stop] ?? 'stop' });
        const u = rec(d.usage);
        if (u) {
          const usage = decodeAnthropicUsage({ ...startUsage, ...u });
          if (usage) out.push({ type: 'usage', usage });
        }
        break;
      }
      case 'message_stop':
        out.push({ type: 'done' });
        break;
      case 'error': {
        const err = rec(d.error) ?? {};
        out.push({
          type: 'error',
          message: str(err.message) ?? 'Upstream stream error',
          status: ERROR_STATUS[str(err.type) ?? ''] ?? 500,
        });
        break;
      }
    }
    return out;
  };
}

const THINKING_BLOCK = { type: 'thinking', thinking: '', signature: '' };

type OpenBlock = { kind: 'text' | 'thinking' | 'tool'; index: number };

function createStreamEncoder(opts: StreamEncoderOptions): (ev: CanonicalStreamEvent) => string {
  let started = false;
  let ended = false;
  let nextBlock = 0;
  let open: OpenBlock | undefined;
  const toolBlocks = new Map<number, number>();
  let usage: CanonicalUsage | undefined;
  let stopReason: CanonicalStopReason | undefined;

  const start = (id = '', startUsage?: CanonicalUsage): string => {
    if (started) return '';
    started = true;
    usage = mergeUsage(usage, startUsage);
    return sseFrame(
      {
        type: 'message_start',
        message: {
          id: id || fallbackId('msg_'),
          type: 'message',
          role: 'assistant',
          model: opts.clientModel,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: encodeAnthropicUsage(usage ?? { inputTokens: 0, outputTokens: 0 }),
        },
      },
      'message_start',
    );
  };
  const close = (): string => {
    if (!open) return '';
    const s = sseFrame({ type: 'content_block_stop', index: open.index }, 'content_block_stop');
    open = undefined;
    return s;
  };
  /** Makes sure a block of this kind is open (closing any other) and returns its frames and index. */
  const ensureBlock = (
    kind: OpenBlock['kind'],
    contentBlock: JsonObject,
    fresh = false,
  ): [string, number] => {
    if (open?.kind === kind && !fresh) return ['', open.index];
    const s = close();
    const index = nextBlock++;
    open = { kind, index };
    return [
      s +
        sseFrame({ type: 'content_block_start', index, content_block: contentBlock }, 'content_block_start'),
      index,
    ];
  };
  const delta = (index: number, d: JsonObject): string =>
    sseFrame({ type: 'content_block_delta', index, delta: d }, 'content_block_delta');

  return (ev) => {
    if (ended) return '';
    switch (ev.type) {
      case 'start':
        return start(ev.id, ev.usage);
      case 'text_delta': {
        const s = start();
        const [opened, index] = ensureBlock('text', { type: 'text', text: '' });
        return s + opened + delta(index, { type: 'text_delta', text: ev.text });
      }
      case 'thinking_delta': {
        const s = start();
        const [opened, index] = ensureBlock('thinking', THINKING_BLOCK);
        return s + opened + delta(index, { type: 'thinking_delta', thinking: ev.text });
      }
      case 'thinking_signature': {
        const s = start();
        const [opened, index] = ensureBlock('thinking', THINKING_BLOCK);
        return s + opened + delta(index, { type: 'signature_delta', signature: ev.signature });
      }
      case 'tool_call_start': {
        const s = start();
        const [opened, index] = ensureBlock(
          'tool',
          { type: 'tool_use', id: ev.id, name: ev.name, input: {} },
          true,
        );
        toolBlocks.set(ev.index, index);
        return s + opened;
      }
      case 'tool_call_delta': {
        // Forwarded as it arrives; a late delta for an earlier call still names that call's block.
        const index = toolBlocks.get(ev.index);
        if (index === undefined) return '';
        return delta(index, { type: 'input_json_delta', partial_json: ev.argumentsDelta });
      }
      case 'finish':
        stopReason = ev.stopReason;
        return start() + close();
      case 'usage':
        usage = mergeUsage(usage, ev.usage);
        return '';
      case 'error':
        ended = true;
        return sseFrame(errorBody('anthropic', { status: ev.status ?? 500, message: ev.message }), 'error');
      case 'done': {
        ended = true;
        const s = start() + close();
        return (
          s +
          sseFrame(
            {
              type: 'message_delta',
              delta: { stop_reason: STOP_OUT[stopReason ?? 'stop'], stop_sequence: null },
              usage: encodeAnthropicUsage(usage ?? { inputTokens: 0, outputTokens: 0 }),
            },
            'message_delta',
          ) +
          sseFrame({ type: 'message_stop' }, 'message_stop')
        );
      }
    }
  };
}

export const anthropicCodec: ProtocolCodec = {
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  createStreamDecoder,
  createStreamEncoder,
  encodeError: (status, message, code) => errorBody('anthropic', { status, message, code }),
  decodeError: genericDecodeError,
};
