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
  ProtocolCodec,
  StreamEncoderOptions,
} from './canonical';
import { fromGeminiSchema, toGeminiSchema } from './schema';
import {
  arr,
  compact,
  Dropped,
  expectRecord,
  expectString,
  fallbackId,
  genericDecodeError,
  guessMediaType,
  invalid,
  isRecord,
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
  parseDataUri,
  parseJsonObject,
  parseSseData,
  reasoningBudget,
  rec,
  reqNonEmptyArray,
  reqString,
  sseFrame,
  str,
  toolResultText,
  unparsedEvent,
} from './util';

/**
 * Gemini generateContent ⇄ canonical.
 *
 * The model and streaming live in the URL (`models/{model}:generateContent` or `:streamGenerateContent`),
 * so `decodeRequest` reads optional `model` / `stream` fields that the front door copies from the URL
 * into the body, and `encodeRequest` leaves both out of the body. Field names are accepted in camelCase
 * and snake_case (the REST API takes both). Gemini has no tool-call ids: calls get `call_<n>` in
 * conversation order and a functionResponse answers the oldest unanswered call with the same name.
 */

const REQUEST_KEYS = new Set([
  'model',
  'stream',
  'contents',
  'systemInstruction',
  'tools',
  'toolConfig',
  'generationConfig',
]);
const GENERATION_KEYS = new Set([
  'temperature',
  'topP',
  'topK',
  'maxOutputTokens',
  'stopSequences',
  'candidateCount',
  'responseMimeType',
  'responseSchema',
  'responseJsonSchema',
  'thinkingConfig',
]);

/** Shallow snake_case → camelCase of a protocol object's keys (user data such as args is left alone). */
function camel(obj: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = k.replace(/_([a-z])/g, (_m: string, c: string) => c.toUpperCase());
    if (!(key in out) || k === key) out[key] = v;
  }
  return out;
}

function camelRecord(v: unknown, path: string): JsonObject {
  return camel(expectRecord(v, path));
}

// ================================================================ request decode

function decodeRequest(body: unknown): { value: CanonicalRequest; dropped: string[] } {
  const b = camelRecord(body, 'body');
  const dropped = new Dropped();
  const model = (optString(b, 'model') ?? '').replace(/^models\//, '');
  const contents = reqNonEmptyArray(b, 'contents');

  const messages: CanonicalMessage[] = [];
  const ids = new CallIds();
  const push = (role: CanonicalMessage['role'], parts: CanonicalPart[]): void => {
    const last = messages[messages.length - 1];
    if (role === 'tool' && last?.role === 'tool') last.parts.push(...parts);
    else messages.push({ role, parts });
  };

  contents.forEach((raw, i) => {
    const path = `contents[${i}]`;
    const c = camelRecord(raw, path);
    const role = optString(c, 'role', `${path}.role`) ?? 'user';
    if (role !== 'user' && role !== 'model' && role !== 'function' && role !== 'tool')
      invalid(`${path}.role`, `must be 'user' or 'model'`);
    const rawParts = optArray(c, 'parts', `${path}.parts`);
    if (!rawParts) invalid(`${path}.parts`, 'is required');
    if (role === 'model') {
      const parts: CanonicalPart[] = [];
      rawParts.forEach((rp, j) =>
        decodeModelPart(parts, camelRecord(rp, `${path}.parts[${j}]`), `${path}.parts[${j}]`, ids, dropped),
      );
      push('assistant', parts);
      return;
    }
    let run: CanonicalPart[] = [];
    let runIsTool = false;
    const flush = (): void => {
      if (run.length) push(runIsTool ? 'tool' : 'user', run);
      run = [];
    };
    rawParts.forEach((rp, j) => {
      const p = decodeUserPart(camelRecord(rp, `${path}.parts[${j}]`), `${path}.parts[${j}]`, ids, dropped);
      if (!p) return;
      const isTool = p.type === 'tool_result';
      if (isTool !== runIsTool) flush();
      runIsTool = isTool;
      run.push(p);
    });
    flush();
  });

  const gc =
    b.generationConfig === undefined || b.generationConfig === null
      ? {}
      : camelRecord(b.generationConfig, 'generationConfig');
  for (const k of Object.keys(gc)) if (!GENERATION_KEYS.has(k)) dropped.add(`generationConfig.${k}`);
  for (const k of Object.keys(b)) if (!REQUEST_KEYS.has(k)) dropped.add(k);

  const system = decodeSystem(b.systemInstruction);
  const req: CanonicalRequest = compact({
    model,
    system: system.length ? system : undefined,
    messages,
    tools: decodeTools(b, dropped),
    toolChoice: decodeToolConfig(b, dropped),
    maxTokens: optPositiveInt(gc, 'maxOutputTokens', 'generationConfig.maxOutputTokens'),
    temperature: optNumber(gc, 'temperature', 'generationConfig.temperature'),
    topP: optNumber(gc, 'topP', 'generationConfig.topP'),
    topK: optNumber(gc, 'topK', 'generationConfig.topK'),
    stop: optStringArray(gc, 'stopSequences', 'generationConfig.stopSequences'),
    stream: optBoolean(b, 'stream') ?? false,
    responseFormat: decodeResponseFormat(gc, dropped),
    reasoning: decodeThinking(gc),
    n: optPositiveInt(gc, 'candidateCount', 'generationConfig.candidateCount'),
  });
  return { value: req, dropped: dropped.list() };
}

/** Synthesized call ids (`call_<n>`) and name-based matching of function responses. */
class CallIds {
  private next = 0;
  private readonly pending: { id: string; name: string }[] = [];
  call(name: string, explicit?: string): string {
    const id = explicit ?? `call_${this.next++}`;
    this.pending.push({ id, name });
    return id;
  }
  response(name: string, explicit?: string): string {
    const i = this.pending.findIndex((p) => (explicit ? p.id === explicit : p.name === name));
    if (i >= 0) return this.pending.splice(i, 1)[0].id;
    return explicit ?? `call_${this.next++}`;
  }
}

function decodeSystem(v: unknown): CanonicalPart[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [{ type: 'text', text: v }];
  const si = camelRecord(v, 'systemInstruction');
  const parts = optArray(si, 'parts', 'systemInstruction.parts') ?? [];
  return parts.map((raw, i) => {
    const p = expectRecord(raw, `systemInstruction.parts[${i}]`);
    return { type: 'text' as const, text: expectString(p.text, `systemInstruction.parts[${i}].text`) };
  });
}

function decodeMedia(p: JsonObject, path: string): CanonicalPart | undefined {
  if (p.inlineData !== undefined) {
    const d = camelRecord(p.inlineData, `${path}.inlineData`);
    return {
      type: 'image',
      mediaType: reqString(d, 'mimeType', `${path}.inlineData.mimeType`),
      data: reqString(d, 'data', `${path}.inlineData.data`),
    };
  }
  if (p.fileData !== undefined) {
    const d = camelRecord(p.fileData, `${path}.fileData`);
    return compact({
      type: 'image' as const,
      url: reqString(d, 'fileUri', `${path}.fileData.fileUri`),
      mediaType: optString(d, 'mimeType', `${path}.fileData.mimeType`),
    });
  }
  return undefined;
}

/**
 * Appends one `model` part. Consecutive thought fragments (a streamed thought arrives in many parts,
 * its signature on the last one) are merged into one thinking part; a signature on any other part is
 * kept as a detached signature (thinking part with empty text) placed before it.
 */
function decodeModelPart(
  out: CanonicalPart[],
  p: JsonObject,
  path: string,
  ids: CallIds,
  dropped: Dropped,
): void {
  const signature = optString(p, 'thoughtSignature', `${path}.thoughtSignature`);
  const detach = (): void => {
    if (signature) out.push({ type: 'thinking', text: '', signature });
  };
  if (typeof p.text === 'string' && p.thought === true) {
    const prev = out[out.length - 1];
    if (
      prev?.type === 'thinking' &&
      prev.text &&
      prev.signature === undefined &&
      prev.redacted === undefined
    ) {
      prev.text += p.text;
      if (signature) prev.signature = signature;
    } else {
      out.push(compact({ type: 'thinking' as const, text: p.text, signature }));
    }
    return;
  }
  if (p.text !== undefined) {
    const text = expectString(p.text, `${path}.text`);
    detach();
    if (text) out.push({ type: 'text', text });
    return;
  }
  if (p.functionCall !== undefined) {
    const fc = camelRecord(p.functionCall, `${path}.functionCall`);
    const name = reqString(fc, 'name', `${path}.functionCall.name`);
    const args =
      fc.args === undefined || fc.args === null ? {} : expectRecord(fc.args, `${path}.functionCall.args`);
    const id = ids.call(name, optString(fc, 'id', `${path}.functionCall.id`));
    detach();
    out.push({ type: 'tool_call', id, name, arguments: JSON.stringify(args) });
    return;
  }
  const media = decodeMedia(p, path);
  detach();
  if (media) out.push(media);
  else
    for (const k of Object.keys(p))
      if (k !== 'thoughtSignature' && k !== 'thought') dropped.add(`parts.${k}`);
}

function decodeUserPart(
  p: JsonObject,
  path: string,
  ids: CallIds,
  dropped: Dropped,
): CanonicalPart | undefined {
  if (p.text !== undefined) return { type: 'text', text: expectString(p.text, `${path}.text`) };
  const media = decodeMedia(p, path);
  if (media) return media;
  if (p.functionResponse !== undefined) {
    const fr = camelRecord(p.functionResponse, `${path}.functionResponse`);
    const name = reqString(fr, 'name', `${path}.functionResponse.name`);
    const response =
      fr.response === undefined || fr.response === null
        ? {}
        : expectRecord(fr.response, `${path}.functionResponse.response`);
    const { content, isError } = decodeFunctionResponse(response);
    return compact({
      type: 'tool_result' as const,
      toolCallId: ids.response(name, optString(fr, 'id', `${path}.functionResponse.id`)),
      name,
      content,
      isError,
    });
  }
  if (p.functionCall !== undefined)
    return invalid(`${path}.functionCall`, "is only allowed in 'model' contents");
  for (const k of Object.keys(p)) dropped.add(`parts.${k}`);
  return undefined;
}

/** Gemini convention: `{output}` is the result, `{error}` a failure; any other object is the result. */
function decodeFunctionResponse(r: JsonObject): { content: string; isError?: boolean } {
  const keys = Object.keys(r);
  const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  if (keys.length === 1 && keys[0] === 'output') return { content: asText(r.output) };
  if (keys.length === 1 && keys[0] === 'error') return { content: asText(r.error), isError: true };
  return { content: JSON.stringify(r) };
}

function encodeFunctionResponse(content: string | CanonicalPart[], isError: boolean | undefined): JsonObject {
  const text = toolResultText(content);
  const obj = parseJsonObject(text);
  if (isError) return { error: obj ?? text };
  return obj ?? { output: text };
}

function decodeTools(b: JsonObject, dropped: Dropped): CanonicalTool[] | undefined {
  const raw = optArray(b, 'tools');
  if (!raw) return undefined;
  const tools: CanonicalTool[] = [];
  raw.forEach((t, i) => {
    const tr = camelRecord(t, `tools[${i}]`);
    for (const k of Object.keys(tr)) if (k !== 'functionDeclarations') dropped.add(`tools.${k}`);
    const decls = optArray(tr, 'functionDeclarations', `tools[${i}].functionDeclarations`) ?? [];
    decls.forEach((d, j) => {
      const dp = `tools[${i}].functionDeclarations[${j}]`;
      const fd = camelRecord(d, dp);
      for (const k of Object.keys(fd))
        if (!['name', 'description', 'parameters', 'parametersJsonSchema'].includes(k))
          dropped.add(`functionDeclarations.${k}`);
      const json = optRecord(fd, 'parametersJsonSchema', `${dp}.parametersJsonSchema`);
      const schema = optRecord(fd, 'parameters', `${dp}.parameters`);
      tools.push(
        compact({
          name: reqString(fd, 'name', `${dp}.name`),
          description: optString(fd, 'description', `${dp}.description`),
          parameters: json ?? (schema ? fromGeminiSchema(schema) : { type: 'object', properties: {} }),
        }),
      );
    });
  });
  return tools;
}

function decodeToolConfig(b: JsonObject, dropped: Dropped): CanonicalToolChoice | undefined {
  const tc =
    b.toolConfig === undefined || b.toolConfig === null ? undefined : camelRecord(b.toolConfig, 'toolConfig');
  if (!tc) return undefined;
  for (const k of Object.keys(tc)) if (k !== 'functionCallingConfig') dropped.add(`toolConfig.${k}`);
  if (tc.functionCallingConfig === undefined) return undefined;
  const fcc = camelRecord(tc.functionCallingConfig, 'toolConfig.functionCallingConfig');
  const mode = (optString(fcc, 'mode', 'toolConfig.functionCallingConfig.mode') ?? 'AUTO').toUpperCase();
  const allowed = optStringArray(
    fcc,
    'allowedFunctionNames',
    'toolConfig.functionCallingConfig.allowedFunctionNames',
  );
  if (mode === 'AUTO' || mode === 'MODE_UNSPECIFIED') return 'auto';
  if (mode === 'NONE') return 'none';
  if (mode === 'VALIDATED') {
    dropped.add('toolConfig.functionCallingConfig.mode');
    return 'auto';
  }
  if (mode !== 'ANY') return invalid('toolConfig.functionCallingConfig.mode', `unsupported value '${mode}'`);
  if (allowed?.length === 1) return { name: allowed[0] };
  if (allowed && allowed.length > 1) dropped.add('toolConfig.functionCallingConfig.allowedFunctionNames');
  return 'required';
}

function decodeResponseFormat(gc: JsonObject, dropped: Dropped): CanonicalRequest['responseFormat'] {
  const mime = optString(gc, 'responseMimeType', 'generationConfig.responseMimeType');
  const jsonSchema = optRecord(gc, 'responseJsonSchema', 'generationConfig.responseJsonSchema');
  const schema = optRecord(gc, 'responseSchema', 'generationConfig.responseSchema');
  if (mime === undefined) {
    if (jsonSchema || schema) dropped.add('generationConfig.responseSchema');
    return undefined;
  }
  if (mime === 'text/plain') return { type: 'text' };
  if (mime !== 'application/json') {
    dropped.add('generationConfig.responseMimeType');
    return undefined;
  }
  const s = jsonSchema ?? (schema ? fromGeminiSchema(schema) : undefined);
  return s ? { type: 'json_schema', schema: s } : { type: 'json_object' };
}

function decodeThinking(gc: JsonObject): CanonicalRequest['reasoning'] {
  const tc =
    gc.thinkingConfig === undefined || gc.thinkingConfig === null
      ? undefined
      : camelRecord(gc.thinkingConfig, 'generationConfig.thinkingConfig');
  if (!tc) return undefined;
  const budget = optNumber(tc, 'thinkingBudget', 'generationConfig.thinkingConfig.thinkingBudget');
  const level = optString(
    tc,
    'thinkingLevel',
    'generationConfig.thinkingConfig.thinkingLevel',
  )?.toLowerCase();
  if (budget !== undefined) {
    if (budget === 0) return undefined;
    if (budget < 0) return { effort: 'medium' }; // -1: dynamic
    return { budgetTokens: budget };
  }
  if (level === undefined) return undefined;
  if (level === 'minimal' || level === 'low') return { effort: 'low' };
  if (level === 'medium') return { effort: 'medium' };
  if (level === 'high') return { effort: 'high' };
  return invalid('generationConfig.thinkingConfig.thinkingLevel', `unsupported value '${level}'`);
}

// ================================================================ request encode

function encodeRequest(
  req: CanonicalRequest,
  _upstreamModel: string,
): { value: JsonObject; dropped: string[] } {
  const dropped = new Dropped();
  const callNames = new Map<string, string>();
  for (const m of req.messages)
    for (const p of m.parts) if (p.type === 'tool_call') callNames.set(p.id, p.name);

  const contents: JsonObject[] = [];
  for (const m of req.messages) {
    const parts = encodeParts(m.parts, callNames, dropped);
    if (parts.length) contents.push({ role: m.role === 'assistant' ? 'model' : 'user', parts });
  }

  let systemInstruction: JsonObject | undefined;
  if (req.system?.length) {
    for (const p of req.system)
      if (p.type === 'text' && p.cacheControl !== undefined) dropped.add('cache_control');
    systemInstruction = {
      parts: req.system.flatMap((p) => (p.type === 'text' ? [{ text: p.text }] : [])),
    };
  }

  let tools: JsonObject[] | undefined;
  if (req.tools?.length) {
    tools = [
      {
        functionDeclarations: req.tools.map((t) => {
          if (t.cacheControl !== undefined) dropped.add('cache_control');
          const props = t.parameters.properties;
          const noParams = !isRecord(props) || Object.keys(props).length === 0;
          return compact({
            name: t.name,
            description: t.description,
            // Gemini rejects an OBJECT schema with no properties: a parameterless function has none.
            parameters: noParams ? undefined : toGeminiSchema(t.parameters, 'tools.parameters', dropped),
          });
        }),
      },
    ];
  }

  let toolConfig: JsonObject | undefined;
  const c = req.toolChoice;
  if (c !== undefined && tools) {
    const fcc =
      c === 'auto'
        ? { mode: 'AUTO' }
        : c === 'none'
          ? { mode: 'NONE' }
          : c === 'required'
            ? { mode: 'ANY' }
            : { mode: 'ANY', allowedFunctionNames: [c.name] };
    toolConfig = { functionCallingConfig: fcc };
  }
  if (req.parallelToolCalls === false) dropped.add('parallel_tool_calls');
  if (req.user !== undefined) dropped.add('user');

  let responseMimeType: string | undefined;
  let responseSchema: JsonObject | undefined;
  const rf = req.responseFormat;
  if (rf?.type === 'json_object') responseMimeType = 'application/json';
  else if (rf?.type === 'json_schema') {
    responseMimeType = 'application/json';
    responseSchema = toGeminiSchema(rf.schema, 'response_format.schema', dropped);
    if (rf.name !== undefined) dropped.add('response_format.json_schema.name');
    if (rf.strict !== undefined) dropped.add('response_format.json_schema.strict');
  }

  const budget = req.reasoning ? reasoningBudget(req.reasoning) : undefined;
  const generationConfig = compact({
    temperature: req.temperature,
    topP: req.topP,
    topK: req.topK,
    maxOutputTokens: req.maxTokens,
    stopSequences: req.stop,
    candidateCount: req.n,
    responseMimeType,
    responseSchema,
    thinkingConfig: budget !== undefined ? { thinkingBudget: budget, includeThoughts: true } : undefined,
  });

  return {
    value: compact({
      contents,
      systemInstruction,
      tools,
      toolConfig,
      generationConfig: Object.keys(generationConfig).length ? generationConfig : undefined,
    }),
    dropped: dropped.list(),
  };
}

function encodeParts(parts: CanonicalPart[], callNames: Map<string, string>, dropped: Dropped): JsonObject[] {
  const out: JsonObject[] = [];
  let signature: string | undefined; // a detached thoughtSignature waiting for the next part
  const emit = (part: JsonObject): void => {
    if (signature !== undefined) part.thoughtSignature = signature;
    signature = undefined;
    out.push(part);
  };
  for (const p of parts) {
    switch (p.type) {
      case 'text':
        if (p.cacheControl !== undefined) dropped.add('cache_control');
        if (p.text) emit({ text: p.text });
        break;
      case 'thinking':
        if (p.redacted !== undefined) dropped.add('redacted_thinking');
        else if (p.text) {
          if (signature !== undefined) emit({ text: '' });
          out.push(compact({ text: p.text, thought: true, thoughtSignature: p.signature }));
        } else if (p.signature) signature = p.signature;
        break;
      case 'image': {
        if (p.detail !== undefined) dropped.add('image_url.detail');
        if (p.cacheControl !== undefined) dropped.add('cache_control');
        const inline =
          p.data !== undefined ? { mediaType: p.mediaType, data: p.data } : parseDataUri(p.url ?? '');
        if (inline) emit({ inlineData: { mimeType: inline.mediaType ?? 'image/jpeg', data: inline.data } });
        else if (p.url)
          emit({ fileData: compact({ mimeType: p.mediaType ?? guessMediaType(p.url), fileUri: p.url }) });
        break;
      }
      case 'tool_call': {
        const args = parseJsonObject(p.arguments || '{}');
        if (!args) dropped.add('tool_call.arguments');
        emit({ functionCall: { name: p.name, args: args ?? {} } });
        break;
      }
      case 'tool_result':
        if (typeof p.content !== 'string' && p.content.some((x) => x.type !== 'text'))
          dropped.add('tool_result.image');
        if (p.cacheControl !== undefined) dropped.add('cache_control');
        emit({
          functionResponse: {
            name: p.name ?? callNames.get(p.toolCallId) ?? p.toolCallId,
            response: encodeFunctionResponse(p.content, p.isError),
          },
        });
        break;
    }
  }
  if (signature !== undefined) out.push({ text: '', thoughtSignature: signature });
  return out;
}

// ================================================================ response

const FINISH_IN: Record<string, CanonicalStopReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content_filter',
  RECITATION: 'content_filter',
  BLOCKLIST: 'content_filter',
  PROHIBITED_CONTENT: 'content_filter',
  SPII: 'content_filter',
  IMAGE_SAFETY: 'content_filter',
  MALFORMED_FUNCTION_CALL: 'error',
  UNEXPECTED_TOOL_CALL: 'error',
};
const FINISH_OUT: Record<CanonicalStopReason, string> = {
  stop: 'STOP',
  length: 'MAX_TOKENS',
  tool_calls: 'STOP',
  content_filter: 'SAFETY',
  error: 'OTHER',
};

function stopReasonOf(finish: string, sawToolCall: boolean): CanonicalStopReason {
  const r = FINISH_IN[finish] ?? 'stop';
  return r === 'stop' && sawToolCall ? 'tool_calls' : r;
}

/** candidatesTokenCount excludes thoughts; canonical outputTokens include them. */
export function decodeGeminiUsage(u: unknown): CanonicalUsage | undefined {
  const r = rec(u);
  if (!r) return undefined;
  const thoughts = num(r.thoughtsTokenCount);
  return compact({
    inputTokens: (num(r.promptTokenCount) ?? 0) + (num(r.toolUsePromptTokenCount) ?? 0),
    outputTokens: (num(r.candidatesTokenCount) ?? 0) + (thoughts ?? 0),
    cachedInputTokens: num(r.cachedContentTokenCount),
    reasoningTokens: thoughts,
  });
}

export function encodeGeminiUsage(u: CanonicalUsage): JsonObject {
  return compact({
    promptTokenCount: u.inputTokens,
    candidatesTokenCount: Math.max(0, u.outputTokens - (u.reasoningTokens ?? 0)),
    totalTokenCount: u.inputTokens + u.outputTokens,
    cachedContentTokenCount: u.cachedInputTokens,
    thoughtsTokenCount: u.reasoningTokens,
  });
}

function decodeResponse(body: unknown): CanonicalResponse {
  const b = rec(body) ?? {};
  const cand = rec(arr(b.candidates)[0]);
  const parts: CanonicalPart[] = [];
  const ids = new CallIds();
  const sink = new Dropped();
  for (const raw of arr(rec(cand?.content)?.parts)) {
    const p = rec(raw);
    if (!p) continue;
    try {
      decodeModelPart(parts, camel(p), 'part', ids, sink);
    } catch {
      // lenient: skip a malformed upstream part
    }
  }
  const blocked = !cand && str(rec(b.promptFeedback)?.blockReason) !== undefined;
  const stopReason = blocked
    ? 'content_filter'
    : stopReasonOf(
        str(cand?.finishReason) ?? 'STOP',
        parts.some((p) => p.type === 'tool_call'),
      );
  return compact({
    id: str(b.responseId) ?? '',
    model: str(b.modelVersion) ?? '',
    parts,
    stopReason,
    usage: decodeGeminiUsage(b.usageMetadata),
  });
}

function encodeResponse(res: CanonicalResponse, clientModel: string): JsonObject {
  const parts = encodeParts(res.parts, new Map(), new Dropped());
  return compact({
    candidates: [{ content: { role: 'model', parts }, finishReason: FINISH_OUT[res.stopReason], index: 0 }],
    usageMetadata: res.usage ? encodeGeminiUsage(res.usage) : undefined,
    modelVersion: clientModel,
    responseId: res.id || fallbackId(''),
  });
}

// ================================================================ streams

function createStreamDecoder(): (ev: { event?: string; data: string }) => CanonicalStreamEvent[] {
  let started = false;
  let finished = false;
  let sawToolCall = false;
  let nextTool = 0;

  const one = (d: JsonObject): CanonicalStreamEvent[] => {
    const err = rec(d.error);
    if (err) {
      return [
        compact({
          type: 'error' as const,
          message: str(err.message) ?? 'Upstream stream error',
          status: num(err.code),
        }),
      ];
    }
    const out: CanonicalStreamEvent[] = [];
    const usage = decodeGeminiUsage(d.usageMetadata);
    if (!started) {
      started = true;
      out.push(
        compact({
          type: 'start' as const,
          id: str(d.responseId) ?? '',
          model: str(d.modelVersion) ?? '',
          usage: usage
            ? compact({
                inputTokens: usage.inputTokens,
                outputTokens: 0,
                cachedInputTokens: usage.cachedInputTokens,
              })
            : undefined,
        }),
      );
    }
    const cand = rec(arr(d.candidates)[0]);
    for (const raw of arr(rec(cand?.content)?.parts)) {
      const p = rec(raw);
      if (!p) continue;
      const part = camel(p);
      const signature = str(part.thoughtSignature);
      const text = str(part.text);
      if (text !== undefined && part.thought === true) {
        if (text) out.push({ type: 'thinking_delta', text });
        if (signature) out.push({ type: 'thinking_signature', signature });
        continue;
      }
      if (signature) out.push({ type: 'thinking_signature', signature });
      if (text) out.push({ type: 'text_delta', text });
      const fc = rec(part.functionCall);
      if (fc) {
        const index = nextTool++;
        sawToolCall = true;
        out.push({
          type: 'tool_call_start',
          index,
          id: str(fc.id) ?? `call_${index}`,
          name: str(fc.name) ?? '',
        });
        out.push({ type: 'tool_call_delta', index, argumentsDelta: JSON.stringify(fc.args ?? {}) });
      }
    }
    const finish = str(cand?.finishReason);
    if (finish) {
      finished = true;
      out.push({ type: 'finish', stopReason: stopReasonOf(finish, sawToolCall) });
    } else if (!cand && str(rec(d.promptFeedback)?.blockReason)) {
      finished = true;
      out.push({ type: 'finish', stopReason: 'content_filter' });
    }
    if (finished && usage) out.push({ type: 'usage', usage });
    return out;
  };

  return (ev) => {
    const d = parseSseData(ev);
    if (d === undefined) return unparsedEvent(ev);
    if (Array.isArray(d)) return d.flatMap((x) => (isRecord(x) ? one(x) : []));
    return isRecord(d) ? one(d) : [];
  };
}

function createStreamEncoder(opts: StreamEncoderOptions): (ev: CanonicalStreamEvent) => string {
  let id = '';
  let usage: CanonicalUsage | undefined;
  let stopReason: CanonicalStopReason | undefined;
  let ended = false;
  let inThought = false;
  let signature: string | undefined; // a signature that belongs to the next part (text or functionCall)
  const pending = new Map<number, { name: string; args: string; signature?: string }>();

  const chunk = (parts: JsonObject[], final = false): string =>
    sseFrame(
      compact({
        candidates: [
          compact({
            content: { role: 'model', parts },
            finishReason: final ? FINISH_OUT[stopReason ?? 'stop'] : undefined,
            index: 0,
          }),
        ],
        usageMetadata: final && usage ? encodeGeminiUsage(usage) : undefined,
        modelVersion: opts.clientModel,
        responseId: id || (id = fallbackId('')),
      }),
    );
  const takeSignature = (): string | undefined => {
    const s = signature;
    signature = undefined;
    return s;
  };

  return (ev) => {
    if (ended) return '';
    switch (ev.type) {
      case 'start':
        id = ev.id;
        usage = mergeUsage(usage, ev.usage);
        return '';
      case 'text_delta':
        inThought = false;
        return chunk([compact({ text: ev.text, thoughtSignature: takeSignature() })]);
      case 'thinking_delta':
        inThought = true;
        return chunk([{ text: ev.text, thought: true }]);
      case 'thinking_signature':
        // Right after thought text it closes that thought; otherwise it rides on the next part.
        if (inThought) {
          inThought = false;
          return chunk([{ text: '', thought: true, thoughtSignature: ev.signature }]);
        }
        signature = ev.signature;
        return '';
      case 'tool_call_start':
        // A functionCall part carries the whole args object, so arguments are collected until the end.
        inThought = false;
        pending.set(ev.index, compact({ name: ev.name, args: '', signature: takeSignature() }));
        return '';
      case 'tool_call_delta': {
        const call = pending.get(ev.index);
        if (call) call.args += ev.argumentsDelta;
        return '';
      }
      case 'finish':
        stopReason = ev.stopReason;
        return '';
      case 'usage':
        usage = mergeUsage(usage, ev.usage);
        return '';
      case 'error':
        ended = true;
        return sseFrame(errorBody('gemini', { status: ev.status ?? 500, message: ev.message }));
      case 'done': {
        ended = true;
        const parts: JsonObject[] = [...pending.entries()]
          .sort(([a], [b]) => a - b)
          .map(([, c]) =>
            compact({
              functionCall: { name: c.name, args: parseJsonObject(c.args || '{}') ?? {} },
              thoughtSignature: c.signature,
            }),
          );
        const last = takeSignature();
        if (last !== undefined) parts.push({ text: '', thoughtSignature: last });
        return chunk(parts.length ? parts : [{ text: '' }], true);
      }
    }
  };
}

export const geminiCodec: ProtocolCodec = {
  decodeRequest,
  encodeRequest,
  decodeResponse,
  encodeResponse,
  createStreamDecoder,
  createStreamEncoder,
  encodeError: (status, message, code) => errorBody('gemini', { status, message, code }),
  decodeError: genericDecodeError,
};
