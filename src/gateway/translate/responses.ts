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
  SseEvent,
  StreamEncoderOptions,
  ThinkingPart,
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
  guessMediaType,
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
  parseDataUri,
  parseSseData,
  reasoningEffort,
  rec,
  reqString,
  schemaOrEmpty,
  sseFrame,
  str,
  toDataUri,
} from './util';

/**
 * OpenAI Responses API (`POST /v1/responses`) ⇄ canonical.
 *
 * Mainly a front door (Codex and other Responses clients talking to Chat, Anthropic or Gemini
 * upstreams); the upstream side is implemented too. Decisions:
 *
 * - The gateway is stateless: `previous_response_id`, `conversation`, `prompt` (stored prompt
 *   templates), `background: true` and `item_reference` input items all need stored server-side
 *   state, so they are rejected with TranslationError(400) naming the field instead of being dropped
 *   silently (which would quietly lose the conversation). Clients must resend the whole conversation in
 *   `input` (Codex does, with `store: false`).
 * - Reasoning items ⇄ canonical `thinking` parts, one for one. The summary texts (joined with a blank
 *   line; `content[].reasoning_text` when the summary is empty) are the thinking text and
 *   `encrypted_content` is the opaque `signature`: an Anthropic/Gemini signature goes out to the client as
 *   `encrypted_content`, comes back verbatim with the summary and reaches the upstream unchanged, so
 *   signed thinking survives the round trip. Redacted thinking (opaque data, no text) goes out as a
 *   reasoning item with an empty summary and `encrypted_content` = `redacted_thinking:<data>` (the `:`
 *   never occurs in base64 signatures), which decodes back to `redacted`.
 * - Output items keep the canonical part order: each thinking part is a reasoning item, each run of text
 *   parts is one message item (one `output_text` per part), each tool call a function_call item.
 * - Streams: the terminal event (`response.completed` / `response.incomplete` / `response.failed`) is
 *   written on the canonical `done` (usage arrives after `finish`); usage is always included, as the
 *   Responses API always reports it (`includeUsage` is a Chat Completions notion).
 * - Item ids are derived from the response id (`msg_<id>_<outputIndex>`, `rs_…`, `fc_…`), so output is
 *   deterministic for a given upstream id.
 * - Upstream requests are stateless too: `store: false`, function tools with `strict: false` (the API
 *   defaults to strict schemas), and thinking replayed only when it has a signature, as a reasoning item
 *   with `encrypted_content` and no `id` (ids make OpenAI look the item up, which fails without storage);
 *   `include: ['reasoning.encrypted_content']` when reasoning is requested or replayed.
 */

const REDACTED_PREFIX = 'redacted_thinking:';

const REQUEST_KEYS = new Set([
  'model',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_output_tokens',
  'temperature',
  'top_p',
  'stream',
  'text',
  'reasoning',
  'user',
  // handled explicitly below (rejected or conditionally dropped)
  'previous_response_id',
  'conversation',
  'prompt',
  'background',
  'store',
  'include',
]);

const STATELESS =
  'is not supported: this gateway is stateless and stores no responses; send the whole conversation in `input`';

// ================================================================ request decode

function decodeRequest(body: unknown): { value: CanonicalRequest; dropped: string[] } {
  const b = expectRecord(body, 'body');
  const dropped = new Dropped();
  const model = reqString(b, 'model');

  for (const key of ['previous_response_id', 'conversation', 'prompt'])
    if (b[key] !== undefined && b[key] !== null) invalid(key, STATELESS);
  if (optBoolean(b, 'background') === true) invalid('background', STATELESS);
  if (optBoolean(b, 'store') === true) dropped.add('store');
  const include = optArray(b, 'include');
  if (include?.some((v, i) => expectString(v, `include[${i}]`) !== 'reasoning.encrypted_content'))
    dropped.add('include');

  const system: CanonicalPart[] = [];
  const instructions = optString(b, 'instructions');
  if (instructions) system.push({ type: 'text', text: instructions });

  const messages: CanonicalMessage[] = [];
  const input = b.input;
  if (input === undefined || input === null) invalid('input', 'is required');
  if (typeof input === 'string') {
    messages.push({ role: 'user', parts: [{ type: 'text', text: input }] });
  } else if (Array.isArray(input)) {
    if (input.length === 0) invalid('input', 'must contain at least one item');
    decodeInputItems(input, system, messages, dropped);
  } else {
    invalid('input', 'must be a string or an array of input items');
  }

  const tools = decodeTools(b, dropped);
  const text = optRecord(b, 'text');
  if (text?.verbosity !== undefined && text.verbosity !== null) dropped.add('text.verbosity');

  for (const key of Object.keys(b)) if (!REQUEST_KEYS.has(key)) dropped.add(key);

  const req: CanonicalRequest = compact({
    model,
    system: system.length ? system : undefined,
    messages,
    tools,
    toolChoice: decodeToolChoice(b.tool_choice, dropped),
    parallelToolCalls: optBoolean(b, 'parallel_tool_calls'),
    maxTokens: optPositiveInt(b, 'max_output_tokens'),
    temperature: optNumber(b, 'temperature'),
    topP: optNumber(b, 'top_p'),
    stream: optBoolean(b, 'stream') ?? false,
    responseFormat: decodeTextFormat(text, dropped),
    reasoning: decodeReasoning(b, dropped),
    user: optString(b, 'user'),
  });
  return { value: req, dropped: dropped.list() };
}

/** Appends parts to the trailing assistant message (reasoning, text and calls of one turn are one message). */
function assistantParts(messages: CanonicalMessage[]): CanonicalPart[] {
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant') return last.parts;
  const m: CanonicalMessage = { role: 'assistant', parts: [] };
  messages.push(m);
  return m.parts;
}

function decodeInputItems(
  items: unknown[],
  system: CanonicalPart[],
  messages: CanonicalMessage[],
  dropped: Dropped,
): void {
  const callNames = new Map<string, string>();
  items.forEach((raw, i) => {
    const path = `input[${i}]`;
    const item = expectRecord(raw, path);
    const type = optString(item, 'type', `${path}.type`) ?? (item.role !== undefined ? 'message' : undefined);
    switch (type) {
      case undefined:
        return invalid(`${path}.type`, 'is required');
      case 'message':
        return decodeMessageItem(item, path, system, messages, dropped);
      case 'function_call': {
        const args = item.arguments;
        const part: CanonicalPart = {
          type: 'tool_call',
          id: reqString(item, 'call_id', `${path}.call_id`),
          name: reqString(item, 'name', `${path}.name`),
          arguments:
            typeof args === 'string'
              ? args
              : args === undefined || args === null
                ? '{}'
                : invalid(`${path}.arguments`, 'must be a string'),
        };
        callNames.set(part.id, part.name);
        assistantParts(messages).push(part);
        return;
      }
      case 'function_call_output': {
        const toolCallId = reqString(item, 'call_id', `${path}.call_id`);
        const part: ToolResultPart = compact({
          type: 'tool_result' as const,
          toolCallId,
          name: callNames.get(toolCallId),
          content: decodeToolOutput(item.output, `${path}.output`, dropped),
        });
        const last = messages[messages.length - 1];
        if (last?.role === 'tool') last.parts.push(part);
        else messages.push({ role: 'tool', parts: [part] });
        return;
      }
      case 'reasoning': {
        const part = decodeReasoningItem(item, path);
        if (part) assistantParts(messages).push(part);
        return;
      }
      case 'item_reference':
        return invalid(path, `item_reference ${STATELESS}`);
      default:
        dropped.add(`input.${type}`);
    }
  });
}

function decodeMessageItem(
  item: JsonObject,
  path: string,
  system: CanonicalPart[],
  messages: CanonicalMessage[],
  dropped: Dropped,
): void {
  const role = reqString(item, 'role', `${path}.role`);
  const cpath = `${path}.content`;
  switch (role) {
    case 'system':
    case 'developer':
      system.push(...decodeTextContent(item.content, cpath));
      return;
    case 'user':
      messages.push({ role: 'user', parts: decodeUserContent(item.content, cpath, dropped) });
      return;
    case 'assistant':
      assistantParts(messages).push(...decodeTextContent(item.content, cpath).filter((p) => p.text !== ''));
      return;
    default:
      invalid(`${path}.role`, `unsupported role '${role}'`);
  }
}

/** System, developer and assistant content: a string or text parts (input_text, output_text, refusal). */
function decodeTextContent(content: unknown, path: string): { type: 'text'; text: string }[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) invalid(path, 'must be a string or an array of content parts');
  return content.map((raw, j) => {
    const pp = `${path}[${j}]`;
    const p = expectRecord(raw, pp);
    const type = reqString(p, 'type', `${pp}.type`);
    if (type === 'input_text' || type === 'output_text')
      return { type: 'text', text: expectString(p.text, `${pp}.text`) };
    if (type === 'refusal') return { type: 'text', text: expectString(p.refusal, `${pp}.refusal`) };
    return invalid(`${pp}.type`, `unsupported content part type '${type}' (text only)`);
  });
}

function decodeUserContent(content: unknown, path: string, dropped: Dropped): CanonicalPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) invalid(path, 'must be a string or an array of content parts');
  const parts: CanonicalPart[] = [];
  content.forEach((raw, j) => {
    const part = decodeContentPart(raw, `${path}[${j}]`, dropped);
    if (part) parts.push(part);
  });
  return parts;
}

/** One input content part (user messages and function_call_output arrays). */
function decodeContentPart(raw: unknown, pp: string, dropped: Dropped): CanonicalPart | undefined {
  const p = expectRecord(raw, pp);
  const type = reqString(p, 'type', `${pp}.type`);
  switch (type) {
    case 'input_text':
    case 'output_text':
      return { type: 'text', text: expectString(p.text, `${pp}.text`) };
    case 'input_image': {
      const url = optString(p, 'image_url', `${pp}.image_url`);
      const detail = optString(p, 'detail', `${pp}.detail`);
      if (url === undefined) {
        if (optString(p, 'file_id', `${pp}.file_id`) !== undefined) {
          dropped.add('input_image.file_id');
          return undefined;
        }
        return invalid(`${pp}.image_url`, 'is required');
      }
      const data = parseDataUri(url);
      return compact({
        type: 'image' as const,
        url: data ? undefined : url,
        mediaType: data?.mediaType,
        data: data?.data,
        detail,
      });
    }
    case 'input_file': {
      const fileData = optString(p, 'file_data', `${pp}.file_data`);
      const fileUrl = optString(p, 'file_url', `${pp}.file_url`);
      if (fileData !== undefined) {
        const parsed = parseDataUri(fileData) ?? { mediaType: 'application/pdf', data: fileData };
        return { type: 'image', mediaType: parsed.mediaType, data: parsed.data };
      }
      if (fileUrl !== undefined)
        return { type: 'image', url: fileUrl, mediaType: guessMediaType(fileUrl) ?? 'application/pdf' };
      if (optString(p, 'file_id', `${pp}.file_id`) !== undefined) {
        dropped.add('input_file.file_id');
        return undefined;
      }
      return invalid(`${pp}.file_data`, 'is required');
    }
    case 'input_audio':
      dropped.add('input_audio');
      return undefined;
    default:
      return invalid(`${pp}.type`, `unsupported content part type '${type}'`);
  }
}

function decodeToolOutput(output: unknown, path: string, dropped: Dropped): string | CanonicalPart[] {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) invalid(path, 'must be a string or an array of content parts');
  const parts: CanonicalPart[] = [];
  output.forEach((raw, j) => {
    const part = decodeContentPart(raw, `${path}[${j}]`, dropped);
    if (part) parts.push(part);
  });
  return parts;
}

function decodeReasoningItem(item: JsonObject, path: string): ThinkingPart | undefined {
  const summary = (optArray(item, 'summary', `${path}.summary`) ?? []).map((raw, j) => {
    const s = expectRecord(raw, `${path}.summary[${j}]`);
    return expectString(s.text, `${path}.summary[${j}].text`);
  });
  const content = (optArray(item, 'content', `${path}.content`) ?? []).map((raw, j) => {
    const c = expectRecord(raw, `${path}.content[${j}]`);
    return expectString(c.text, `${path}.content[${j}].text`);
  });
  const text = (summary.length ? summary : content).join('\n\n');
  const encrypted = optString(item, 'encrypted_content', `${path}.encrypted_content`);
  if (encrypted?.startsWith(REDACTED_PREFIX))
    return { type: 'thinking', text: '', redacted: encrypted.slice(REDACTED_PREFIX.length) };
  if (!text && !encrypted) return undefined;
  return compact({ type: 'thinking' as const, text, signature: encrypted || undefined });
}

function decodeTools(b: JsonObject, dropped: Dropped): CanonicalTool[] | undefined {
  const raw = optArray(b, 'tools');
  if (!raw) return undefined;
  const tools: CanonicalTool[] = [];
  raw.forEach((t, i) => {
    const path = `tools[${i}]`;
    const tr = expectRecord(t, path);
    const type = reqString(tr, 'type', `${path}.type`);
    if (type !== 'function') {
      dropped.add(`tools.${type}`);
      return;
    }
    if (tr.strict === true) dropped.add('tools.strict');
    tools.push(
      compact({
        name: reqString(tr, 'name', `${path}.name`),
        description: optString(tr, 'description', `${path}.description`),
        parameters: schemaOrEmpty(tr.parameters, `${path}.parameters`),
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
  if (r.type === 'function') return { name: reqString(r, 'name', 'tool_choice.name') };
  // allowed_tools, hosted tools (web_search_preview …), mcp, custom
  dropped.add('tool_choice');
  return undefined;
}

function decodeTextFormat(
  text: JsonObject | undefined,
  dropped: Dropped,
): CanonicalRequest['responseFormat'] {
  const f = text ? optRecord(text, 'format', 'text.format') : undefined;
  if (!f) return undefined;
  const type = reqString(f, 'type', 'text.format.type');
  if (type === 'text' || type === 'json_object') return { type };
  if (type !== 'json_schema') invalid('text.format.type', `unsupported value '${type}'`);
  if (f.description !== undefined && f.description !== null) dropped.add('text.format.description');
  if (f.schema === undefined || f.schema === null) invalid('text.format.schema', 'is required');
  return compact({
    type: 'json_schema' as const,
    name: optString(f, 'name', 'text.format.name'),
    schema: expectRecord(f.schema, 'text.format.schema'),
    strict: optBoolean(f, 'strict', 'text.format.strict'),
  });
}

function decodeReasoning(b: JsonObject, dropped: Dropped): CanonicalRequest['reasoning'] {
  const r = optRecord(b, 'reasoning');
  if (!r) return undefined;
  if ((r.summary ?? r.generate_summary ?? null) !== null) dropped.add('reasoning.summary');
  const effort = effortFromOpenAi(optString(r, 'effort', 'reasoning.effort'), 'reasoning.effort');
  return effort ? { effort } : undefined;
}

// ================================================================ request encode

function encodeRequest(
  req: CanonicalRequest,
  upstreamModel: string,
): { value: JsonObject; dropped: string[] } {
  const dropped = new Dropped();
  const input: JsonObject[] = [];
  const system = (req.system ?? []).filter((p) => p.type === 'text');
  for (const p of system) if (p.cacheControl !== undefined) dropped.add('cache_control');
  let instructions: string | undefined;
  if (system.length === 1) instructions = system[0].text;
  else if (system.length > 1)
    input.push({
      type: 'message',
      role: 'system',
      content: system.map((p) => ({ type: 'input_text', text: p.text })),
    });

  let replaysReasoning = false;
  for (const m of req.messages) {
    for (const p of m.parts) {
      if (p.type !== 'tool_result') continue;
      if (p.cacheControl !== undefined) dropped.add('cache_control');
      if (p.isError) dropped.add('tool_result.is_error');
      input.push({
        type: 'function_call_output',
        call_id: p.toolCallId,
        output: typeof p.content === 'string' ? p.content : encodeInputParts(p.content, dropped),
      });
    }
    const rest = m.parts.filter((p) => p.type !== 'tool_result');
    if (m.role !== 'assistant') {
      if (m.role === 'user' || rest.length)
        input.push({ type: 'message', role: 'user', content: encodeInputParts(rest, dropped) });
      continue;
    }
    let texts: JsonObject[] | undefined;
    for (const p of rest) {
      if (p.type !== 'text') texts = undefined;
      if (p.type === 'text') {
        if (!texts) {
          texts = [];
          input.push({ type: 'message', role: 'assistant', content: texts });
        }
        texts.push({ type: 'output_text', text: p.text });
      } else if (p.type === 'tool_call') {
        input.push({ type: 'function_call', call_id: p.id, name: p.name, arguments: p.arguments });
      } else if (p.type === 'thinking') {
        // Replaying reasoning without stored state needs the opaque encrypted_content (no id: ids make
        // OpenAI look the item up, which fails with store: false).
        if (p.signature && p.redacted === undefined) {
          replaysReasoning = true;
          input.push({
            type: 'reasoning',
            summary: p.text ? [{ type: 'summary_text', text: p.text }] : [],
            encrypted_content: p.signature,
          });
        } else dropped.add('reasoning');
      } else if (p.type === 'image') dropped.add('assistant.image');
    }
  }

  if (req.topK !== undefined) dropped.add('top_k');
  if (req.stop?.length) dropped.add('stop');
  if (req.n !== undefined && req.n !== 1) dropped.add('n');
  const effort = req.reasoning ? reasoningEffort(req.reasoning) : undefined;

  const body = compact({
    model: upstreamModel,
    instructions,
    input,
    tools: req.tools?.map((t) => {
      if (t.cacheControl !== undefined) dropped.add('cache_control');
      // Responses function tools default to strict mode, which most client schemas do not satisfy.
      return compact({
        type: 'function',
        name: t.name,
        description: t.description,
        parameters: t.parameters,
        strict: false,
      });
    }),
    tool_choice: encodeToolChoice(req.toolChoice),
    parallel_tool_calls: req.tools?.length ? req.parallelToolCalls : undefined,
    max_output_tokens: req.maxTokens,
    temperature: req.temperature,
    top_p: req.topP,
    text: req.responseFormat ? { format: encodeTextFormat(req.responseFormat) } : undefined,
    reasoning: effort ? { effort } : undefined,
    user: req.user,
    stream: req.stream,
    store: false,
    include: effort || replaysReasoning ? ['reasoning.encrypted_content'] : undefined,
  });
  return { value: body, dropped: dropped.list() };
}

function encodeInputParts(parts: CanonicalPart[], dropped: Dropped): JsonObject[] {
  const out: JsonObject[] = [];
  for (const p of parts) {
    if ((p.type === 'text' || p.type === 'image') && p.cacheControl !== undefined)
      dropped.add('cache_control');
    if (p.type === 'text') out.push({ type: 'input_text', text: p.text });
    else if (p.type === 'image') {
      const enc = encodeImage(p, dropped);
      if (enc) out.push(enc);
    }
  }
  return out;
}

function encodeImage(p: ImagePart, dropped: Dropped): JsonObject | undefined {
  const isImage = !p.mediaType || p.mediaType.startsWith('image/');
  if (!isImage) {
    if (p.data !== undefined) {
      const ext = p.mediaType?.split('/')[1]?.replace(/[^a-z0-9]/gi, '') || 'bin';
      return { type: 'input_file', filename: `document.${ext}`, file_data: toDataUri(p.mediaType, p.data) };
    }
    if (p.url !== undefined) return { type: 'input_file', file_url: p.url };
    dropped.add('document');
    return undefined;
  }
  const url = p.data !== undefined ? toDataUri(p.mediaType, p.data) : p.url;
  if (url === undefined) return undefined;
  return compact({ type: 'input_image', image_url: url, detail: p.detail });
}

function encodeToolChoice(c: CanonicalToolChoice | undefined): unknown {
  if (c === undefined || typeof c === 'string') return c;
  return { type: 'function', name: c.name };
}

function encodeTextFormat(rf: NonNullable<CanonicalRequest['responseFormat']>): JsonObject {
  if (rf.type !== 'json_schema') return { type: rf.type };
  return compact({ type: 'json_schema', name: rf.name ?? 'response', schema: rf.schema, strict: rf.strict });
}

// ================================================================ usage and response objects

function encodeUsage(u: CanonicalUsage): JsonObject {
  return {
    input_tokens: u.inputTokens,
    input_tokens_details: {
      cached_tokens: u.cachedInputTokens ?? 0,
      cache_write_tokens: u.cacheCreationInputTokens ?? 0,
    },
    output_tokens: u.outputTokens,
    output_tokens_details: { reasoning_tokens: u.reasoningTokens ?? 0 },
    total_tokens: u.inputTokens + u.outputTokens,
  };
}

/** Zero details are treated as absent (the encoder always writes them). */
function decodeUsage(v: unknown): CanonicalUsage | undefined {
  const u = rec(v);
  if (!u) return undefined;
  const positive = (n: number | undefined): number | undefined => (n ? n : undefined);
  const inDetails = rec(u.input_tokens_details);
  return compact({
    inputTokens: num(u.input_tokens) ?? 0,
    outputTokens: num(u.output_tokens) ?? 0,
    cachedInputTokens: positive(num(inDetails?.cached_tokens)),
    cacheCreationInputTokens: positive(num(inDetails?.cache_write_tokens)),
    reasoningTokens: positive(num(rec(u.output_tokens_details)?.reasoning_tokens)),
  });
}

type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

function statusOf(stopReason: CanonicalStopReason | undefined): {
  status: ResponseStatus;
  incomplete?: JsonObject;
  error?: JsonObject;
} {
  switch (stopReason) {
    case 'length':
      return { status: 'incomplete', incomplete: { reason: 'max_output_tokens' } };
    case 'content_filter':
      return { status: 'incomplete', incomplete: { reason: 'content_filter' } };
    case 'error':
      return {
        status: 'failed',
        error: { code: 'server_error', message: 'The upstream model stopped with an error.' },
      };
    default:
      return { status: 'completed' };
  }
}

/** A full Response object (fields the request would echo get the API defaults: the codec never sees it). */
function responseObject(o: {
  id: string;
  createdAt: number;
  model: string;
  status: ResponseStatus;
  output: JsonObject[];
  usage?: CanonicalUsage;
  incomplete?: JsonObject;
  error?: JsonObject;
}): JsonObject {
  return {
    id: o.id,
    object: 'response',
    created_at: o.createdAt,
    status: o.status,
    background: false,
    error: o.error ?? null,
    incomplete_details: o.incomplete ?? null,
    instructions: null,
    max_output_tokens: null,
    model: o.model,
    output: o.output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: null,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: null,
    truncation: 'disabled',
    usage: o.usage ? encodeUsage(o.usage) : null,
    metadata: {},
  };
}

function responseId(id: string | undefined): string {
  if (!id) return fallbackId('resp_');
  return id.startsWith('resp_') ? id : `resp_${id}`;
}

/** Item ids derived from the response id (minus its usual prefixes): `msg_<id>_<outputIndex>` etc. */
function itemIdFactory(respId: string): (prefix: string, index: number) => string {
  const base = respId.replace(/^resp_/, '').replace(/^(?:msg_|chatcmpl-)/, '');
  return (prefix, index) => `${prefix}_${base}_${index}`;
}

function reasoningItem(id: string, p: { text: string; signature?: string; redacted?: string }): JsonObject {
  const encrypted = p.redacted !== undefined ? REDACTED_PREFIX + p.redacted : p.signature;
  return compact({
    id,
    type: 'reasoning',
    summary: p.text ? [{ type: 'summary_text', text: p.text }] : [],
    encrypted_content: encrypted || undefined,
  });
}

function outputText(text: string): JsonObject {
  return { type: 'output_text', text, annotations: [] };
}

function messageItem(id: string, status: string, content: JsonObject[]): JsonObject {
  return { id, type: 'message', status, role: 'assistant', content };
}

function functionCallItem(
  id: string,
  callId: string,
  name: string,
  args: string,
  status: string,
): JsonObject {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name };
}

// ================================================================ response encode / decode

function encodeResponse(res: CanonicalResponse, clientModel: string): JsonObject {
  const id = responseId(res.id);
  const itemId = itemIdFactory(id);
  const output: JsonObject[] = [];
  let texts: JsonObject[] | undefined;
  for (const p of res.parts) {
    if (p.type !== 'text') texts = undefined;
    if (p.type === 'text') {
      if (!texts) {
        texts = [];
        output.push(messageItem(itemId('msg', output.length), 'completed', texts));
      }
      texts.push(outputText(p.text));
    } else if (p.type === 'thinking') {
      output.push(reasoningItem(itemId('rs', output.length), p));
    } else if (p.type === 'tool_call') {
      output.push(functionCallItem(itemId('fc', output.length), p.id, p.name, p.arguments, 'completed'));
    }
  }
  const { status, incomplete, error } = statusOf(res.stopReason);
  const last = output[output.length - 1];
  if (status === 'incomplete' && last && last.type !== 'reasoning') last.status = 'incomplete';
  return responseObject({
    id,
    createdAt: res.created ?? Math.floor(Date.now() / 1000),
    model: clientModel,
    status,
    output,
    usage: res.usage,
    incomplete,
    error,
  });
}

function decodeOutputItems(items: unknown[]): CanonicalPart[] {
  const parts: CanonicalPart[] = [];
  for (const raw of items) {
    const item = rec(raw);
    if (!item) continue;
    if (item.type === 'reasoning') {
      const summary = arr(item.summary).flatMap((s) => str(rec(s)?.text) ?? []);
      const content = arr(item.content).flatMap((c) => str(rec(c)?.text) ?? []);
      const text = (summary.length ? summary : content).join('\n\n');
      const encrypted = str(item.encrypted_content);
      if (encrypted?.startsWith(REDACTED_PREFIX))
        parts.push({ type: 'thinking', text: '', redacted: encrypted.slice(REDACTED_PREFIX.length) });
      else if (text || encrypted)
        parts.push(compact({ type: 'thinking' as const, text, signature: encrypted || undefined }));
    } else if (item.type === 'message') {
      for (const c of arr(item.content)) {
        const cr = rec(c);
        const text = cr?.type === 'refusal' ? str(cr.refusal) : str(cr?.text);
        if (text) parts.push({ type: 'text', text });
      }
    } else if (item.type === 'function_call') {
      const args = item.arguments;
      parts.push({
        type: 'tool_call',
        id: str(item.call_id) ?? str(item.id) ?? '',
        name: str(item.name) ?? '',
        arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
      });
    }
    // hosted tool calls (web_search_call …) have no canonical form
  }
  return parts;
}

function stopReasonOf(r: JsonObject, sawToolCall: boolean): CanonicalStopReason {
  const status = str(r.status);
  if (status === 'failed') return 'error';
  if (status === 'incomplete') {
    const reason = str(rec(r.incomplete_details)?.reason);
    return reason === 'content_filter' ? 'content_filter' : 'length';
  }
  return sawToolCall ? 'tool_calls' : 'stop';
}

function decodeResponse(body: unknown): CanonicalResponse {
  const b = rec(body) ?? {};
  const parts = decodeOutputItems(arr(b.output));
  return compact({
    id: str(b.id) ?? '',
    model: str(b.model) ?? '',
    parts,
    stopReason: stopReasonOf(
      b,
      parts.some((p) => p.type === 'tool_call'),
    ),
    usage: decodeUsage(b.usage),
    created: num(b.created_at),
  });
}

// ================================================================ stream decode (upstream Responses events)

function createStreamDecoder(): (ev: SseEvent) => CanonicalStreamEvent[] {
  let started = false;
  let finished = false;
  let nextTool = 0;
  /** function_call item id (or output index) → canonical tool index and whether arguments were seen */
  const tools = new Map<string, { index: number; streamed: boolean }>();
  const toolKey = (d: JsonObject): string => str(d.item_id) ?? `#${num(d.output_index) ?? 0}`;

  const start = (r: JsonObject | undefined): CanonicalStreamEvent[] => {
    if (started) return [];
    started = true;
    return [{ type: 'start', id: str(r?.id) ?? '', model: str(r?.model) ?? '' }];
  };

  return (ev) => {
    const d = rec(parseSseData(ev));
    if (!d) return [];
    const type = str(d.type) ?? ev.event ?? '';
    const out: CanonicalStreamEvent[] = [];
    switch (type) {
      case 'response.created':
      case 'response.in_progress':
        return start(rec(d.response));
      case 'response.output_item.added': {
        out.push(...start(undefined));
        const item = rec(d.item);
        if (item?.type !== 'function_call') return out;
        const index = nextTool++;
        const key = str(item.id) ?? `#${num(d.output_index) ?? 0}`;
        const args = str(item.arguments) ?? '';
        tools.set(key, { index, streamed: args !== '' });
        out.push({
          type: 'tool_call_start',
          index,
          id: str(item.call_id) ?? str(item.id) ?? `call_${index}`,
          name: str(item.name) ?? '',
        });
        if (args) out.push({ type: 'tool_call_delta', index, argumentsDelta: args });
        return out;
      }
      case 'response.function_call_arguments.delta': {
        const t = tools.get(toolKey(d));
        const delta = str(d.delta);
        if (!t || !delta) return [];
        t.streamed = true;
        return [{ type: 'tool_call_delta', index: t.index, argumentsDelta: delta }];
      }
      case 'response.function_call_arguments.done': {
        // Only servers that skip the deltas need this.
        const t = tools.get(toolKey(d));
        const args = str(d.arguments);
        if (!t || t.streamed || !args) return [];
        t.streamed = true;
        return [{ type: 'tool_call_delta', index: t.index, argumentsDelta: args }];
      }
      case 'response.output_text.delta':
      case 'response.refusal.delta': {
        const text = str(d.delta);
        return text ? [...start(undefined), { type: 'text_delta', text }] : [];
      }
      case 'response.reasoning_summary_part.added':
        // Summary parts decode as one thinking text joined by blank lines (as in decodeResponse).
        return (num(d.summary_index) ?? 0) > 0 ? [{ type: 'thinking_delta', text: '\n\n' }] : [];
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta': {
        const text = str(d.delta);
        return text ? [...start(undefined), { type: 'thinking_delta', text }] : [];
      }
      case 'response.output_item.done': {
        const item = rec(d.item);
        const encrypted = str(item?.encrypted_content);
        if (item?.type === 'reasoning' && encrypted)
          return [{ type: 'thinking_signature', signature: encrypted }];
        return [];
      }
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed': {
        const r = rec(d.response) ?? {};
        out.push(...start(r));
        if (type === 'response.failed') {
          const err = rec(r.error);
          return [...out, { type: 'error', message: str(err?.message) ?? 'Upstream response failed' }];
        }
        if (!finished) {
          finished = true;
          out.push({ type: 'finish', stopReason: stopReasonOf(r, nextTool > 0) });
        }
        const usage = decodeUsage(r.usage);
        if (usage) out.push({ type: 'usage', usage });
        out.push({ type: 'done' });
        return out;
      }
      case 'error': {
        const err = rec(d.error) ?? d;
        return [{ type: 'error', message: str(err.message) ?? 'Upstream stream error' }];
      }
      default:
        return [];
    }
  };
}

// ================================================================ stream encode (client Responses events)

interface OpenBlock {
  kind: 'message' | 'reasoning';
  outputIndex: number;
  id: string;
  text: string;
  signature?: string;
}

interface ToolItem {
  outputIndex: number;
  id: string;
  callId: string;
  name: string;
  args: string;
  open: boolean;
}

function createStreamEncoder(opts: StreamEncoderOptions): (ev: CanonicalStreamEvent) => string {
  let seq = 0;
  let id = '';
  let createdAt = 0;
  let itemId: (prefix: string, index: number) => string = () => '';
  let started = false;
  let ended = false;
  let stopReason: CanonicalStopReason | undefined;
  let usage: CanonicalUsage | undefined;
  let block: OpenBlock | undefined;
  const tools = new Map<number, ToolItem>();
  /** finished output items by output index */
  const output: JsonObject[] = [];
  let nextOutput = 0;

  const frame = (type: string, fields: JsonObject): string =>
    sseFrame({ type, ...fields, sequence_number: seq++ }, type);
  const snapshot = (status: ResponseStatus, extra: { incomplete?: JsonObject; error?: JsonObject } = {}) =>
    responseObject({
      id,
      createdAt,
      model: opts.clientModel,
      status,
      output: status === 'in_progress' ? [] : output.filter((o) => o !== undefined),
      usage: status === 'in_progress' ? undefined : usage,
      ...extra,
    });

  const start = (ev?: { id: string; usage?: CanonicalUsage }): string => {
    if (started) return '';
    started = true;
    id = responseId(ev?.id);
    itemId = itemIdFactory(id);
    createdAt = Math.floor(Date.now() / 1000);
    usage = mergeUsage(usage, ev?.usage);
    const response = snapshot('in_progress');
    return frame('response.created', { response }) + frame('response.in_progress', { response });
  };

  const closeBlock = (status = 'completed'): string => {
    const b = block;
    if (!b) return '';
    block = undefined;
    const at = { item_id: b.id, output_index: b.outputIndex };
    if (b.kind === 'message') {
      const part = outputText(b.text);
      const item = messageItem(b.id, status, [part]);
      output[b.outputIndex] = item;
      return (
        frame('response.output_text.done', { ...at, content_index: 0, text: b.text, logprobs: [] }) +
        frame('response.content_part.done', { ...at, content_index: 0, part }) +
        frame('response.output_item.done', { output_index: b.outputIndex, item })
      );
    }
    const item = reasoningItem(b.id, b);
    output[b.outputIndex] = item;
    let s = '';
    if (b.text) {
      const part = { type: 'summary_text', text: b.text };
      s +=
        frame('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: b.text }) +
        frame('response.reasoning_summary_part.done', { ...at, summary_index: 0, part });
    }
    return s + frame('response.output_item.done', { output_index: b.outputIndex, item });
  };

  const closeTools = (status = 'completed'): string => {
    let s = '';
    for (const t of [...tools.values()].sort((a, b) => a.outputIndex - b.outputIndex)) {
      if (!t.open) continue;
      t.open = false;
      const item = functionCallItem(t.id, t.callId, t.name, t.args, status);
      output[t.outputIndex] = item;
      s +=
        frame('response.function_call_arguments.done', {
          item_id: t.id,
          output_index: t.outputIndex,
          name: t.name,
          arguments: t.args,
        }) + frame('response.output_item.done', { output_index: t.outputIndex, item });
    }
    return s;
  };

  const closeAll = (): string => {
    const status = stopReason === 'length' ? 'incomplete' : 'completed';
    return closeBlock(status) + closeTools(status);
  };

  const openBlock = (kind: OpenBlock['kind']): string => {
    const s = closeBlock() + closeTools();
    const outputIndex = nextOutput++;
    const b: OpenBlock = {
      kind,
      outputIndex,
      id: itemId(kind === 'message' ? 'msg' : 'rs', outputIndex),
      text: '',
    };
    block = b;
    if (kind === 'message') {
      return (
        s +
        frame('response.output_item.added', {
          output_index: outputIndex,
          item: messageItem(b.id, 'in_progress', []),
        }) +
        frame('response.content_part.added', {
          item_id: b.id,
          output_index: outputIndex,
          content_index: 0,
          part: outputText(''),
        })
      );
    }
    return (
      s + frame('response.output_item.added', { output_index: outputIndex, item: reasoningItem(b.id, b) })
    );
  };

  const startTool = (index: number, callId: string, name: string): string => {
    // Calls are written one after the other, as OpenAI does.
    const s = closeBlock() + closeTools();
    const outputIndex = nextOutput++;
    const t: ToolItem = { outputIndex, id: itemId('fc', outputIndex), callId, name, args: '', open: true };
    tools.set(index, t);
    return (
      s +
      frame('response.output_item.added', {
        output_index: outputIndex,
        item: functionCallItem(t.id, callId, name, '', 'in_progress'),
      })
    );
  };

  const terminal = (): string => {
    const { status, incomplete, error } = statusOf(stopReason);
    const type =
      status === 'incomplete'
        ? 'response.incomplete'
        : status === 'failed'
          ? 'response.failed'
          : 'response.completed';
    return frame(type, { response: snapshot(status, { incomplete, error }) });
  };

  return (ev) => {
    if (ended) return '';
    switch (ev.type) {
      case 'start':
        return start(ev);
      case 'text_delta': {
        if (!ev.text) return '';
        let s = start();
        if (block?.kind !== 'message') s += openBlock('message');
        const b = block as OpenBlock;
        b.text += ev.text;
        return (
          s +
          frame('response.output_text.delta', {
            item_id: b.id,
            output_index: b.outputIndex,
            content_index: 0,
            delta: ev.text,
            logprobs: [],
          })
        );
      }
      case 'thinking_delta': {
        if (!ev.text) return '';
        let s = start();
        // A signature ends a thinking block; more thinking after it is a new block.
        if (block?.kind !== 'reasoning' || block.signature !== undefined) s += openBlock('reasoning');
        const b = block as OpenBlock;
        const at = { item_id: b.id, output_index: b.outputIndex, summary_index: 0 };
        if (!b.text)
          s += frame('response.reasoning_summary_part.added', {
            ...at,
            part: { type: 'summary_text', text: '' },
          });
        b.text += ev.text;
        return s + frame('response.reasoning_summary_text.delta', { ...at, delta: ev.text });
      }
      case 'thinking_signature': {
        let s = start();
        if (block?.kind === 'reasoning' && block.signature === undefined) {
          block.signature = ev.signature;
          return s;
        }
        // A detached signature (Gemini thoughtSignature on a text or functionCall part): its own item.
        s += openBlock('reasoning');
        (block as OpenBlock).signature = ev.signature;
        return s + closeBlock();
      }
      case 'tool_call_start':
        return start() + startTool(ev.index, ev.id, ev.name);
      case 'tool_call_delta': {
        let s = start();
        let t = tools.get(ev.index);
        if (!t) {
          s += startTool(ev.index, `call_${ev.index}`, '');
          t = tools.get(ev.index) as ToolItem;
        }
        if (!ev.argumentsDelta) return s;
        t.args += ev.argumentsDelta;
        // A late delta for a call already closed (interleaving upstream): still streamed, and the final
        // response carries the complete arguments.
        const closed = output[t.outputIndex];
        if (closed) closed.arguments = t.args;
        return (
          s +
          frame('response.function_call_arguments.delta', {
            item_id: t.id,
            output_index: t.outputIndex,
            delta: ev.argumentsDelta,
          })
        );
      }
      case 'finish':
        if (stopReason !== undefined) return '';
        stopReason = ev.stopReason;
        return start() + closeAll();
      case 'usage':
        usage = mergeUsage(usage, ev.usage);
        return '';
      case 'error': {
        ended = true;
        const s = start();
        const error = { code: 'server_error', message: ev.message };
        return s + frame('response.failed', { response: snapshot('failed', { error }) });
      }
      case 'done':
        ended = true;
        return start() + closeAll() + terminal();
    }
  };
}

export const responsesCodec: ProtocolCodec = {
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  createStreamDecoder,
  createStreamEncoder,
  encodeError: (status, message, code) => errorBody('openai', { status, message, code }),
  decodeError: genericDecodeError,
};
