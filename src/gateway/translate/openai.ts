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
  effortFromOpenAi,
  arr,
  compact,
  Dropped,
  expectRecord,
  expectString,
  fallbackId,
  genericDecodeError,
  invalid,
  joinText,
  type JsonObject,
  mergeUsage,
  num,
  optArray,
  optBoolean,
  optNumber,
  optPositiveInt,
  optRecord,
  optString,
  parseDataUri,
  parseSseData,
  reasoningEffort,
  rec,
  reqNonEmptyArray,
  reqString,
  schemaOrEmpty,
  sseFrame,
  str,
  toDataUri,
  unparsedEvent,
} from './util';

/** OpenAI Chat Completions (`POST /v1/chat/completions`) ⇄ canonical. */

const REQUEST_KEYS = new Set([
  'model',
  'messages',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_tokens',
  'max_completion_tokens',
  'temperature',
  'top_p',
  'top_k',
  'stop',
  'stream',
  'stream_options', // read by the front door (include_usage), not part of the canonical request
  'response_format',
  'reasoning_effort',
  'user',
  'n',
]);

// ================================================================ request decode

function decodeRequest(body: unknown): { value: CanonicalRequest; dropped: string[] } {
  const b = expectRecord(body, 'body');
  const dropped = new Dropped();
  const model = reqString(b, 'model');
  const rawMessages = reqNonEmptyArray(b, 'messages');

  const system: CanonicalPart[] = [];
  const messages: CanonicalMessage[] = [];
  const callNames = new Map<string, string>();

  rawMessages.forEach((raw, i) => {
    const path = `messages[${i}]`;
    const m = expectRecord(raw, path);
    const role = reqString(m, 'role', `${path}.role`);
    if (m.name !== undefined && m.name !== null) dropped.add('messages.name');
    switch (role) {
      case 'system':
      case 'developer':
        system.push(...decodeTextOnlyContent(m.content, `${path}.content`, true));
        break;
      case 'user':
        messages.push({ role: 'user', parts: decodeUserContent(m.content, `${path}.content`, dropped) });
        break;
      case 'assistant': {
        const parts = decodeAssistantMessage(m, path, dropped);
        for (const p of parts) if (p.type === 'tool_call') callNames.set(p.id, p.name);
        messages.push({ role: 'assistant', parts });
        break;
      }
      case 'tool': {
        const toolCallId = reqString(m, 'tool_call_id', `${path}.tool_call_id`);
        const content = decodeToolContent(m.content, `${path}.content`);
        const part: ToolResultPart = compact({
          type: 'tool_result' as const,
          toolCallId,
          name: callNames.get(toolCallId),
          content,
        });
        const last = messages[messages.length - 1];
        if (last?.role === 'tool') last.parts.push(part);
        else messages.push({ role: 'tool', parts: [part] });
        break;
      }
      default:
        invalid(`${path}.role`, `unsupported role '${role}'`);
    }
  });

  const tools = decodeTools(b, dropped);
  const maxTokens = optPositiveInt(b, 'max_completion_tokens') ?? optPositiveInt(b, 'max_tokens');
  const stop = decodeStop(b.stop);

  for (const key of Object.keys(b)) if (!REQUEST_KEYS.has(key)) dropped.add(key);

  const req: CanonicalRequest = compact({
    model,
    system: system.length ? system : undefined,
    messages,
    tools,
    toolChoice: decodeToolChoice(b.tool_choice, dropped),
    parallelToolCalls: optBoolean(b, 'parallel_tool_calls'),
    maxTokens,
    temperature: optNumber(b, 'temperature'),
    topP: optNumber(b, 'top_p'),
    topK: optNumber(b, 'top_k'),
    stop,
    stream: optBoolean(b, 'stream') ?? false,
    responseFormat: decodeResponseFormat(b, dropped),
    reasoning: decodeReasoningEffort(b),
    user: optString(b, 'user'),
    n: optPositiveInt(b, 'n'),
  });
  return { value: req, dropped: dropped.list() };
}

function decodeTextOnlyContent(content: unknown, path: string, keepCache: boolean): CanonicalPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) invalid(path, 'must be a string or an array of text parts');
  return content.map((raw, j) => {
    const p = expectRecord(raw, `${path}[${j}]`);
    if (p.type !== 'text') invalid(`${path}[${j}].type`, `must be 'text'`);
    const text = expectString(p.text, `${path}[${j}].text`);
    return compact({ type: 'text' as const, text, cacheControl: keepCache ? p.cache_control : undefined });
  });
}

function decodeUserContent(content: unknown, path: string, dropped: Dropped): CanonicalPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) invalid(path, 'must be a string or an array of content parts');
  const parts: CanonicalPart[] = [];
  content.forEach((raw, j) => {
    const pp = `${path}[${j}]`;
    const p = expectRecord(raw, pp);
    const type = reqString(p, 'type', `${pp}.type`);
    if (type === 'text') {
      parts.push(
        compact({
          type: 'text' as const,
          text: expectString(p.text, `${pp}.text`),
          cacheControl: p.cache_control,
        }),
      );
    } else if (type === 'image_url') {
      const iu =
        typeof p.image_url === 'string' ? { url: p.image_url } : expectRecord(p.image_url, `${pp}.image_url`);
      const url = reqString(iu, 'url', `${pp}.image_url.url`);
      const detail = optString(iu, 'detail', `${pp}.image_url.detail`);
      const data = parseDataUri(url);
      parts.push(
        compact({
          type: 'image' as const,
          url: data ? undefined : url,
          mediaType: data?.mediaType,
          data: data?.data,
          detail,
          cacheControl: p.cache_control,
        }),
      );
    } else if (type === 'file') {
      const f = expectRecord(p.file, `${pp}.file`);
      const fileData = optString(f, 'file_data', `${pp}.file.file_data`);
      if (fileData === undefined) {
        dropped.add('file.file_id');
        return;
      }
      if (f.filename !== undefined) dropped.add('file.filename');
      const parsed = parseDataUri(fileData) ?? { mediaType: 'application/pdf', data: fileData };
      parts.push(
        compact({
          type: 'image' as const,
          mediaType: parsed.mediaType,
          data: parsed.data,
          cacheControl: p.cache_control,
        }),
      );
    } else if (type === 'input_audio') {
      dropped.add('input_audio');
    } else {
      invalid(`${pp}.type`, `unsupported content part type '${type}'`);
    }
  });
  return parts;
}

function decodeAssistantMessage(m: JsonObject, path: string, dropped: Dropped): CanonicalPart[] {
  const parts: CanonicalPart[] = [];
  const reasoning = optString(m, 'reasoning_content', `${path}.reasoning_content`) ?? str(m.reasoning);
  if (reasoning) parts.push({ type: 'thinking', text: reasoning });
  const content = m.content;
  if (typeof content === 'string') {
    if (content) parts.push({ type: 'text', text: content });
  } else if (Array.isArray(content)) {
    content.forEach((raw, j) => {
      const p = expectRecord(raw, `${path}.content[${j}]`);
      if (p.type === 'text')
        parts.push({ type: 'text', text: expectString(p.text, `${path}.content[${j}].text`) });
      else if (p.type === 'refusal')
        parts.push({ type: 'text', text: expectString(p.refusal, `${path}.content[${j}].refusal`) });
      else
        invalid(`${path}.content[${j}].type`, `unsupported assistant content part type '${String(p.type)}'`);
    });
  } else if (content !== undefined && content !== null) {
    invalid(`${path}.content`, 'must be a string, an array or null');
  }
  if (m.refusal !== undefined && m.refusal !== null) dropped.add('messages.refusal');
  if (m.function_call !== undefined && m.function_call !== null) dropped.add('messages.function_call');
  if (m.audio !== undefined && m.audio !== null) dropped.add('messages.audio');
  const calls = optArray(m, 'tool_calls', `${path}.tool_calls`) ?? [];
  calls.forEach((raw, k) => {
    const cp = `${path}.tool_calls[${k}]`;
    const c = expectRecord(raw, cp);
    if (c.type !== undefined && c.type !== 'function') {
      dropped.add(`tool_calls.${String(c.type)}`);
      return;
    }
    const fn = expectRecord(c.function, `${cp}.function`);
    const args = fn.arguments;
    parts.push({
      type: 'tool_call',
      id: reqString(c, 'id', `${cp}.id`),
      name: reqString(fn, 'name', `${cp}.function.name`),
      arguments:
        typeof args === 'string' ? args : args === undefined || args === null ? '{}' : JSON.stringify(args),
    });
  });
  return parts;
}

function decodeToolContent(content: unknown, path: string): string | CanonicalPart[] {
  if (typeof content === 'string') return content;
  return decodeTextOnlyContent(content, path, false);
}

function decodeTools(b: JsonObject, dropped: Dropped): CanonicalTool[] | undefined {
  const raw = optArray(b, 'tools');
  if (!raw) return undefined;
  const tools: CanonicalTool[] = [];
  raw.forEach((t, i) => {
    const tr = expectRecord(t, `tools[${i}]`);
    if (tr.type !== 'function') {
      dropped.add(`tools.${String(tr.type)}`);
      return;
    }
    const fn = expectRecord(tr.function, `tools[${i}].function`);
    if (fn.strict === true) dropped.add('tools.function.strict');
    tools.push(
      compact({
        name: reqString(fn, 'name', `tools[${i}].function.name`),
        description: optString(fn, 'description', `tools[${i}].function.description`),
        parameters: schemaOrEmpty(fn.parameters, `tools[${i}].function.parameters`),
        cacheControl: tr.cache_control,
      }),
    );
  });
  return tools;
}

function decodeToolChoice(v: unknown, dropped: Dropped): CanonicalToolChoice | undefined {
  if (v === undefined || v === null) return undefined;
  if (v === 'auto' || v === 'none' || v === 'required') return v;
  if (typeof v === 'string') invalid('tool_choice', `unsupported value '${v}'`);
  const r = expectRecord(v, 'tool_choice');
  if (r.type === 'function') {
    const fn = expectRecord(r.function, 'tool_choice.function');
    return { name: reqString(fn, 'name', 'tool_choice.function.name') };
  }
  dropped.add('tool_choice');
  return undefined;
}

function decodeStop(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) invalid('stop', 'must be a string or an array of strings');
  return v.map((s, i) => expectString(s, `stop[${i}]`));
}

function decodeResponseFormat(b: JsonObject, dropped: Dropped): CanonicalRequest['responseFormat'] {
  const rf = optRecord(b, 'response_format');
  if (!rf) return undefined;
  const type = reqString(rf, 'type', 'response_format.type');
  if (type === 'text' || type === 'json_object') return { type };
  if (type !== 'json_schema') invalid('response_format.type', `unsupported value '${type}'`);
  const js = expectRecord(rf.json_schema, 'response_format.json_schema');
  if (js.description !== undefined) dropped.add('response_format.json_schema.description');
  return compact({
    type: 'json_schema' as const,
    name: optString(js, 'name', 'response_format.json_schema.name'),
    schema: schemaOrEmpty(js.schema, 'response_format.json_schema.schema'),
    strict: optBoolean(js, 'strict', 'response_format.json_schema.strict'),
  });
}

function decodeReasoningEffort(b: JsonObject): CanonicalRequest['reasoning'] {
  const effort = effortFromOpenAi(optString(b, 'reasoning_effort'), 'reasoning_effort');
  return effort ? { effort } : undefined;
}

// ================================================================ request encode

function encodeRequest(
  req: CanonicalRequest,
  upstreamModel: string,
): { value: JsonObject; dropped: string[] } {
  const dropped = new Dropped();
  const messages: JsonObject[] = [];
  if (req.system?.length) messages.push({ role: 'system', content: encodeTextParts(req.system, dropped) });

  for (const m of req.messages) {
    // Tool results become role:tool messages wherever they sit (canonical puts them in role 'tool').
    for (const p of m.parts) {
      if (p.type !== 'tool_result') continue;
      if (p.cacheControl !== undefined) dropped.add('cache_control');
      if (p.isError) dropped.add('tool_result.is_error');
      messages.push({
        role: 'tool',
        tool_call_id: p.toolCallId,
        content: encodeToolResultContent(p, dropped),
      });
    }
    const rest = m.parts.filter((p) => p.type !== 'tool_result');
    if (m.role === 'assistant') {
      const msg = encodeAssistant(rest, dropped);
      if (msg) messages.push(msg);
    } else if (m.role === 'user' || rest.length) {
      messages.push({ role: 'user', content: encodeUserParts(rest, dropped) });
    }
  }

  if (req.topK !== undefined) dropped.add('top_k');
  const effort = req.reasoning ? reasoningEffort(req.reasoning) : undefined;

  const body = compact({
    model: upstreamModel,
    messages,
    tools: req.tools?.map((t) => {
      if (t.cacheControl !== undefined) dropped.add('cache_control');
      return {
        type: 'function',
        function: compact({ name: t.name, description: t.description, parameters: t.parameters }),
      };
    }),
    tool_choice: encodeToolChoice(req.toolChoice),
    parallel_tool_calls: req.tools?.length ? req.parallelToolCalls : undefined,
    max_completion_tokens: req.maxTokens,
    temperature: req.temperature,
    top_p: req.topP,
    stop: req.stop,
    n: req.n,
    user: req.user,
    response_format: encodeResponseFormat(req.responseFormat),
    reasoning_effort: effort,
    stream: req.stream,
    stream_options: req.stream ? { include_usage: true } : undefined,
  });
  return { value: body, dropped: dropped.list() };
}

function encodeTextParts(parts: CanonicalPart[], dropped: Dropped): string | JsonObject[] {
  for (const p of parts) if (p.type === 'text' && p.cacheControl !== undefined) dropped.add('cache_control');
  const texts = parts.filter((p) => p.type === 'text');
  if (texts.length === 1) return texts[0].text;
  return texts.map((p) => ({ type: 'text', text: p.text }));
}

function encodeUserParts(parts: CanonicalPart[], dropped: Dropped): string | JsonObject[] {
  if (parts.every((p) => p.type === 'text')) return encodeTextParts(parts, dropped);
  const out: JsonObject[] = [];
  for (const p of parts) {
    if (p.type === 'text') {
      if (p.cacheControl !== undefined) dropped.add('cache_control');
      out.push({ type: 'text', text: p.text });
    } else if (p.type === 'image') {
      if (p.cacheControl !== undefined) dropped.add('cache_control');
      const enc = encodeImage(p, dropped);
      if (enc) out.push(enc);
    }
  }
  return out;
}

function encodeImage(p: ImagePart, dropped: Dropped): JsonObject | undefined {
  const isImage = !p.mediaType || p.mediaType.startsWith('image/');
  if (!isImage) {
    // Documents (PDF …) travel as file parts; OpenAI only takes them inline.
    if (p.data !== undefined) return { type: 'file', file: { file_data: toDataUri(p.mediaType, p.data) } };
    dropped.add('document.url');
    return undefined;
  }
  const url = p.data !== undefined ? toDataUri(p.mediaType, p.data) : p.url;
  if (url === undefined) return undefined;
  return { type: 'image_url', image_url: compact({ url, detail: p.detail }) };
}

function encodeToolResultContent(p: ToolResultPart, dropped: Dropped): string | JsonObject[] {
  if (typeof p.content === 'string') return p.content;
  if (p.content.some((c) => c.type !== 'text')) dropped.add('tool_result.image');
  return encodeTextParts(p.content, dropped);
}

function encodeAssistant(parts: CanonicalPart[], dropped: Dropped): JsonObject | undefined {
  const text = joinText(parts);
  const toolCalls = parts.flatMap((p) =>
    p.type === 'tool_call'
      ? [{ id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments } }]
      : [],
  );
  // Replaying reasoning is not part of the Chat Completions input schema (strict servers reject it).
  if (parts.some((p) => p.type === 'thinking')) dropped.add('reasoning_content');
  if (!parts.length) return undefined;
  return compact({
    role: 'assistant',
    content: text || (toolCalls.length ? null : ''),
    tool_calls: toolCalls.length ? toolCalls : undefined,
  });
}

function encodeToolChoice(c: CanonicalToolChoice | undefined): unknown {
  if (c === undefined || typeof c === 'string') return c;
  return { type: 'function', function: { name: c.name } };
}

function encodeResponseFormat(rf: CanonicalRequest['responseFormat']): JsonObject | undefined {
  if (!rf) return undefined;
  if (rf.type !== 'json_schema') return { type: rf.type };
  return {
    type: 'json_schema',
    json_schema: compact({ name: rf.name ?? 'response', schema: rf.schema, strict: rf.strict }),
  };
}

// ================================================================ response

const FINISH_IN: Record<string, CanonicalStopReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};
const FINISH_OUT: Record<CanonicalStopReason, string> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  content_filter: 'content_filter',
  error: 'stop',
};

export function decodeOpenAIUsage(u: unknown): CanonicalUsage | undefined {
  const r = rec(u);
  if (!r) return undefined;
  const details = rec(r.prompt_tokens_details);
  const out = rec(r.completion_tokens_details);
  return compact({
    inputTokens: num(r.prompt_tokens) ?? 0,
    outputTokens: num(r.completion_tokens) ?? 0,
    cachedInputTokens: num(details?.cached_tokens) ?? num(r.prompt_cache_hit_tokens),
    reasoningTokens: num(out?.reasoning_tokens),
  });
}

export function encodeOpenAIUsage(u: CanonicalUsage): JsonObject {
  return compact({
    prompt_tokens: u.inputTokens,
    completion_tokens: u.outputTokens,
    total_tokens: u.inputTokens + u.outputTokens,
    prompt_tokens_details:
      u.cachedInputTokens !== undefined ? { cached_tokens: u.cachedInputTokens } : undefined,
    completion_tokens_details:
      u.reasoningTokens !== undefined ? { reasoning_tokens: u.reasoningTokens } : undefined,
  });
}

function decodeResponse(body: unknown): CanonicalResponse {
  const b = rec(body) ?? {};
  const choices = arr(b.choices).map(rec);
  const choice = choices.find((c) => c?.index === 0) ?? choices[0] ?? {};
  const msg = rec(choice.message) ?? {};
  const parts: CanonicalPart[] = [];
  const reasoning = str(msg.reasoning_content) ?? str(msg.reasoning);
  if (reasoning) parts.push({ type: 'thinking', text: reasoning });
  if (typeof msg.content === 'string') {
    if (msg.content) parts.push({ type: 'text', text: msg.content });
  } else {
    for (const c of arr(msg.content)) {
      const text = str(rec(c)?.text);
      if (text) parts.push({ type: 'text', text });
    }
  }
  const refusal = str(msg.refusal);
  if (refusal && !parts.some((p) => p.type === 'text')) parts.push({ type: 'text', text: refusal });
  for (const raw of arr(msg.tool_calls)) {
    const c = rec(raw);
    const fn = rec(c?.function);
    if (!c || !fn) continue;
    const args = fn.arguments;
    parts.push({
      type: 'tool_call',
      id: str(c.id) ?? '',
      name: str(fn.name) ?? '',
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    });
  }
  let stopReason = FINISH_IN[str(choice.finish_reason) ?? 'stop'] ?? 'stop';
  if (stopReason === 'stop' && parts.some((p) => p.type === 'tool_call')) stopReason = 'tool_calls';
  return compact({
    id: str(b.id) ?? '',
    model: str(b.model) ?? '',
    parts,
    stopReason,
    usage: decodeOpenAIUsage(b.usage),
    created: num(b.created),
  });
}

function encodeResponse(res: CanonicalResponse, clientModel: string): JsonObject {
  const text = joinText(res.parts);
  const thinking = res.parts
    .filter((p) => p.type === 'thinking')
    .map((p) => p.text)
    .join('');
  const toolCalls = res.parts.flatMap((p) =>
    p.type === 'tool_call'
      ? [{ id: p.id, type: 'function', function: { name: p.name, arguments: p.arguments } }]
      : [],
  );
  return compact({
    id: res.id || fallbackId('chatcmpl-'),
    object: 'chat.completion',
    created: res.created ?? Math.floor(Date.now() / 1000),
    model: clientModel,
    choices: [
      {
        index: 0,
        message: compact({
          role: 'assistant',
          content: text || (toolCalls.length ? null : ''),
          reasoning_content: thinking || undefined,
          tool_calls: toolCalls.length ? toolCalls : undefined,
        }),
        logprobs: null,
        finish_reason: FINISH_OUT[res.stopReason],
      },
    ],
    usage: res.usage ? encodeOpenAIUsage(res.usage) : undefined,
  });
}

// ================================================================ streams

function createStreamDecoder(): (ev: { event?: string; data: string }) => CanonicalStreamEvent[] {
  let started = false;
  let sawToolCall = false;
  let nextTool = 0;
  const tools = new Map<number, { index: number; id: string }>();

  return (ev) => {
    if (ev.data.trim() === '[DONE]') return [{ type: 'done' }];
    const parsed = parseSseData(ev);
    const c = rec(parsed);
    if (!c) return parsed === undefined ? unparsedEvent(ev) : [];
    const err = rec(c.error);
    if (err) {
      const status = num(err.code) ?? num(c.status);
      return [
        compact({ type: 'error' as const, message: str(err.message) ?? 'Upstream stream error', status }),
      ];
    }
    const out: CanonicalStreamEvent[] = [];
    if (!started) {
      started = true;
      out.push({ type: 'start', id: str(c.id) ?? '', model: str(c.model) ?? '' });
    }
    const choices = arr(c.choices).map(rec);
    const choice = choices.find((x) => x?.index === 0) ?? choices[0];
    if (choice) {
      const delta = rec(choice.delta) ?? {};
      const reasoning = str(delta.reasoning_content) ?? str(delta.reasoning);
      if (reasoning) out.push({ type: 'thinking_delta', text: reasoning });
      const content = str(delta.content);
      if (content) out.push({ type: 'text_delta', text: content });
      for (const raw of arr(delta.tool_calls)) {
        const tc = rec(raw);
        if (!tc) continue;
        const upstreamIndex = num(tc.index) ?? 0;
        const id = str(tc.id);
        const fn = rec(tc.function);
        let entry = tools.get(upstreamIndex);
        // A new id at a known index means a new call (some servers reuse index 0 for every call).
        if (!entry || (id && id !== entry.id)) {
          const index = nextTool++;
          entry = { index, id: id ?? `call_${index}` };
          tools.set(upstreamIndex, entry);
          sawToolCall = true;
          out.push({ type: 'tool_call_start', index, id: entry.id, name: str(fn?.name) ?? '' });
        }
        const args = str(fn?.arguments);
        if (args) out.push({ type: 'tool_call_delta', index: entry.index, argumentsDelta: args });
      }
      const finish = str(choice.finish_reason);
      if (finish) {
        let stopReason = FINISH_IN[finish] ?? 'stop';
        if (stopReason === 'stop' && sawToolCall) stopReason = 'tool_calls';
        out.push({ type: 'finish', stopReason });
      }
    }
    const usage = decodeOpenAIUsage(c.usage);
    if (usage) out.push({ type: 'usage', usage });
    return out;
  };
}

function createStreamEncoder(opts: StreamEncoderOptions): (ev: CanonicalStreamEvent) => string {
  let id = '';
  let created = 0;
  let started = false;
  let finished = false;
  let done = false;
  let usage: CanonicalUsage | undefined;

  const chunk = (delta: JsonObject, finishReason: string | null = null): string =>
    sseFrame({
      id,
      object: 'chat.completion.chunk',
      created,
      model: opts.clientModel,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    });
  const start = (ev?: { id: string; usage?: CanonicalUsage }): string => {
    if (started) return '';
    started = true;
    id = ev?.id || fallbackId('chatcmpl-');
    created = Math.floor(Date.now() / 1000);
    usage = mergeUsage(usage, ev?.usage);
    return chunk({ role: 'assistant', content: '' });
  };

  return (ev) => {
    if (done) return '';
    switch (ev.type) {
      case 'start':
        return start(ev);
      case 'text_delta':
        return start() + chunk({ content: ev.text });
      case 'thinking_delta':
        return start() + chunk({ reasoning_content: ev.text });
      case 'thinking_signature':
        return '';
      case 'tool_call_start':
        return (
          start() +
          chunk({
            tool_calls: [
              { index: ev.index, id: ev.id, type: 'function', function: { name: ev.name, arguments: '' } },
            ],
          })
        );
      case 'tool_call_delta':
        return (
          start() + chunk({ tool_calls: [{ index: ev.index, function: { arguments: ev.argumentsDelta } }] })
        );
      case 'finish':
        if (finished) return '';
        finished = true;
        return start() + chunk({}, FINISH_OUT[ev.stopReason]);
      case 'usage':
        usage = mergeUsage(usage, ev.usage);
        return '';
      case 'error':
        return sseFrame(errorBody('openai', { status: ev.status ?? 500, message: ev.message }));
      case 'done': {
        done = true;
        let s = '';
        if (opts.includeUsage && usage) {
          s += sseFrame({
            id,
            object: 'chat.completion.chunk',
            created,
            model: opts.clientModel,
            choices: [],
            usage: encodeOpenAIUsage(usage),
          });
        }
        return s + 'data: [DONE]\n\n';
      }
    }
  };
}

export const openaiCodec: ProtocolCodec = {
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  createStreamDecoder,
  createStreamEncoder,
  encodeError: (status, message, code) => errorBody('openai', { status, message, code }),
  decodeError: genericDecodeError,
};
