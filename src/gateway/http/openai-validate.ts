import type { Operation } from '../../providers/adapters';

type Json = Record<string, unknown>;

/** The first problem in an OpenAI request, as OpenAI reports it (`param` names the field). */
export interface RequestProblem {
  message: string;
  param: string;
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

function num(body: Json, key: string, min: number, max: number, integer = false): RequestProblem | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)))
    return { param: key, message: `'${key}' must be ${integer ? 'an integer' : 'a number'}` };
  if (v < min || v > max) return { param: key, message: `'${key}' must be between ${min} and ${max}` };
  return undefined;
}

function type(
  body: Json,
  key: string,
  want: 'boolean' | 'string' | 'object' | 'array',
): RequestProblem | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  const ok = want === 'array' ? Array.isArray(v) : want === 'object' ? isObj(v) : typeof v === want;
  return ok
    ? undefined
    : { param: key, message: `'${key}' must be ${want === 'array' ? 'an array' : `a ${want}`}` };
}

/** A prompt / embedding input: a string, an array of strings, an array of token ids or of token-id arrays. */
function textOrTokens(v: unknown): boolean {
  if (typeof v === 'string') return true;
  if (!Array.isArray(v) || v.length === 0) return false;
  return (
    v.every((x) => typeof x === 'string') ||
    v.every(isInt) ||
    v.every((x) => Array.isArray(x) && x.length > 0 && x.every(isInt))
  );
}

function messages(v: unknown): RequestProblem | undefined {
  if (!Array.isArray(v) || v.length === 0)
    return { param: 'messages', message: "'messages' must be a non-empty array" };
  for (let i = 0; i < v.length; i++) {
    const m = v[i] as unknown;
    const p = `messages[${i}]`;
    if (!isObj(m)) return { param: p, message: `'${p}' must be an object` };
    if (typeof m.role !== 'string' || !ROLES.has(m.role))
      return { param: `${p}.role`, message: `'${p}.role' must be one of ${[...ROLES].join(', ')}` };
    const c = m.content;
    const toolCalls = m.role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0;
    if (c === undefined || c === null) {
      if (!toolCalls && m.role !== 'assistant')
        return { param: `${p}.content`, message: `'${p}.content' is required` };
    } else if (typeof c !== 'string') {
      if (!Array.isArray(c))
        return { param: `${p}.content`, message: `'${p}.content' must be a string or an array` };
      for (let j = 0; j < c.length; j++)
        if (!isObj(c[j]) || typeof (c[j] as Json).type !== 'string')
          return {
            param: `${p}.content[${j}]`,
            message: `'${p}.content[${j}]' must be an object with a type`,
          };
    }
  }
  return undefined;
}

function tools(v: unknown): RequestProblem | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return { param: 'tools', message: "'tools' must be an array" };
  for (let i = 0; i < v.length; i++) {
    const t = v[i] as unknown;
    const fn = isObj(t) ? t.function : undefined;
    if (
      !isObj(t) ||
      typeof t.type !== 'string' ||
      (t.type === 'function' && (!isObj(fn) || typeof fn.name !== 'string'))
    )
      return {
        param: `tools[${i}]`,
        message: `'tools[${i}]' must be {type: 'function', function: {name, …}}`,
      };
  }
  return undefined;
}

/**
 * Type checks of the OpenAI request fields the gateway forwards as they are (same-protocol
 * pass-through never decodes the body): wrong types and out-of-range values are the client's 400,
 * not an upstream's error or a crash further down. Unknown fields pass through untouched.
 */
export function validateOpenAiRequest(op: Operation, body: Json): RequestProblem | undefined {
  const common =
    type(body, 'stream', 'boolean') ??
    type(body, 'stream_options', 'object') ??
    type(body, 'user', 'string') ??
    num(body, 'n', 1, 128, true) ??
    num(body, 'seed', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER, true);
  if (common) return common;
  if (op === 'embeddings') {
    if (!textOrTokens(body.input))
      return {
        param: 'input',
        message: "'input' must be a string, an array of strings or an array of token ids",
      };
    const f = body.encoding_format;
    if (f !== undefined && f !== 'float' && f !== 'base64')
      return { param: 'encoding_format', message: "'encoding_format' must be 'float' or 'base64'" };
    return num(body, 'dimensions', 1, 65536, true);
  }
  const sampling =
    num(body, 'max_tokens', 1, 10_000_000, true) ??
    num(body, 'max_completion_tokens', 1, 10_000_000, true) ??
    num(body, 'temperature', 0, 2) ??
    num(body, 'top_p', 0, 1) ??
    num(body, 'presence_penalty', -2, 2) ??
    num(body, 'frequency_penalty', -2, 2) ??
    num(body, 'top_logprobs', 0, 20, true);
  if (sampling) return sampling;
  const stop = body.stop;
  if (
    stop !== undefined &&
    stop !== null &&
    typeof stop !== 'string' &&
    !(Array.isArray(stop) && stop.every((s) => typeof s === 'string'))
  )
    return { param: 'stop', message: "'stop' must be a string or an array of strings" };
  if (op === 'completions') {
    if (!textOrTokens(body.prompt))
      return {
        param: 'prompt',
        message: "'prompt' must be a string, an array of strings or an array of token ids",
      };
    return undefined;
  }
  return (
    messages(body.messages) ??
    tools(body.tools) ??
    type(body, 'response_format', 'object') ??
    type(body, 'parallel_tool_calls', 'boolean') ??
    (body.tool_choice !== undefined &&
    body.tool_choice !== null &&
    typeof body.tool_choice !== 'string' &&
    !isObj(body.tool_choice)
      ? { param: 'tool_choice', message: "'tool_choice' must be a string or an object" }
      : undefined)
  );
}
