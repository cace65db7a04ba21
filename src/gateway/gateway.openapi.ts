import type { OpenAPIObject } from '@nestjs/swagger';

type Op = Record<string, unknown>;

const security: Record<string, string[]>[] = [
  { 'api-key': [] },
  { 'x-api-key': [] },
  { 'x-goog-api-key': [] },
];

const openAiError = (status: number, type: string, code: string, message: string) => ({
  description: message,
  content: { 'application/json': { example: { error: { message, type, param: null, code } } } },
});

const errors = {
  400: openAiError(400, 'invalid_request_error', 'invalid_json', "'messages' must be a non-empty array"),
  401: openAiError(401, 'authentication_error', 'invalid_api_key', 'Invalid API key'),
  403: openAiError(
    403,
    'permission_error',
    'model_not_allowed',
    "This API key may not use the model 'gpt-4o'",
  ),
  404: openAiError(404, 'not_found_error', 'model_not_found', "The model 'gpt-5' does not exist"),
  413: openAiError(
    413,
    'invalid_request_error',
    'request_too_large',
    'Request body too large (limit 20971520 bytes)',
  ),
  429: openAiError(
    429,
    'rate_limit_error',
    'rate_limit_exceeded',
    "All upstreams for 'gpt-4o' are rate limited",
  ),
  502: openAiError(502, 'server_error', 'upstream_error', "No upstream could answer for 'gpt-4o'"),
  503: {
    ...openAiError(
      503,
      'service_unavailable',
      'database_unavailable',
      'Database unavailable, try again shortly',
    ),
    description:
      'model_unavailable: the model has no usable route; database_unavailable (with Retry-After): the ' +
      'request needs the database while it is unreachable — a key this instance has not seen yet, or a ' +
      'session (X-Session-Id). Other requests are served from memory during a database outage.',
  },
  504: openAiError(504, 'server_error', 'upstream_timeout', "Upstream timed out for 'gpt-4o'"),
};

function post(
  summary: string,
  description: string,
  example: unknown,
  response: unknown,
  stream?: string,
  errs: Record<number, unknown> = errors,
): Op {
  return {
    post: {
      tags: ['gateway'],
      summary,
      description,
      security,
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object' }, example } },
      },
      responses: {
        200: {
          description: 'The answer in the front door’s own format (the model field is the public model name)',
          content: {
            'application/json': { example: response },
            ...(stream ? { 'text/event-stream': { schema: { type: 'string' }, example: stream } } : {}),
          },
        },
        ...errs,
      },
    },
  };
}

/**
 * The `/v1` gateway routes are served by a raw `node:http` listener, not by Nest controllers, so
 * they are added to the OpenAPI document here.
 */
export function addGatewayPaths(doc: OpenAPIObject): OpenAPIObject {
  const chat = post(
    'OpenAI Chat Completions (stream and non-stream) routed to any upstream',
    'Routed by the model name to the routes of that public model (strategy, capability filter, failover ' +
      'before the first byte). Same-format upstreams get the body with only `model` rewritten; Anthropic and ' +
      'Gemini upstreams get a translated request, and fields that cannot be mapped are listed in the ' +
      '`x-gateway-dropped-fields` response header. Also served at `/openai/v1/chat/completions`.',
    { model: 'demo-chat', messages: [{ role: 'user', content: 'Hello!' }], stream: false },
    {
      id: 'chatcmpl-123',
      object: 'chat.completion',
      created: 1795632000,
      model: 'demo-chat',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi there!' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
    },
    'data: {"id":"chatcmpl-123","object":"chat.completion.chunk","model":"demo-chat","choices":[{"index":0,"delta":{"content":"Hi"}}]}\n\ndata: [DONE]\n\n',
  );
  const completions = post(
    'OpenAI legacy Completions (OpenAI-protocol upstreams only)',
    'Also served at `/openai/v1/completions`.',
    { model: 'demo-chat', prompt: 'Say hello', max_tokens: 16 },
    {
      id: 'cmpl-1',
      object: 'text_completion',
      model: 'demo-chat',
      choices: [{ index: 0, text: 'Hello', finish_reason: 'stop' }],
    },
    'data: {"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":"Hello"}]}\n\ndata: [DONE]\n\n',
  );
  const embeddings = post(
    'OpenAI Embeddings (models of type embedding)',
    'Also served at `/openai/v1/embeddings`.',
    { model: 'demo-embed', input: ['first text', 'second text'] },
    {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.01, -0.02] }],
      model: 'demo-embed',
      usage: { prompt_tokens: 4, total_tokens: 4 },
    },
  );
  const models: Op = {
    get: {
      tags: ['gateway'],
      summary: 'The public models this API key may use (OpenAI list shape)',
      security,
      responses: {
        200: {
          description: 'Model list',
          content: {
            'application/json': {
              example: {
                object: 'list',
                data: [{ id: 'demo-chat', object: 'model', created: 0, owned_by: 'llm-router-platform' }],
              },
            },
          },
        },
        401: errors[401],
      },
    },
  };
  const anthropicErr = (status: number, type: string, message: string) => ({
    description: message,
    content: { 'application/json': { example: { type: 'error', error: { type, message } } } },
  });
  const geminiErr = (code: number, status: string, message: string) => ({
    description: message,
    content: { 'application/json': { example: { error: { code, message, status } } } },
  });
  const op = (
    summary: string,
    description: string,
    example: unknown,
    ok: unknown,
    errs: Record<number, unknown>,
    stream?: string,
  ) => post(summary, description, example, ok, stream, errs);
  const aErrs = {
    400: anthropicErr(400, 'invalid_request_error', 'messages: is required'),
    401: anthropicErr(401, 'authentication_error', 'Invalid API key'),
    404: anthropicErr(404, 'not_found_error', "The model 'x' does not exist"),
    429: anthropicErr(429, 'rate_limit_error', 'All upstreams are rate limited'),
    503: {
      ...anthropicErr(503, 'overloaded_error', 'Database unavailable, try again shortly'),
      description: errors[503].description,
    },
  };
  const gErrs = {
    400: geminiErr(400, 'INVALID_ARGUMENT', 'contents: must be an array'),
    401: geminiErr(401, 'UNAUTHENTICATED', 'Invalid API key'),
    404: geminiErr(404, 'NOT_FOUND', "The model 'x' does not exist"),
    429: geminiErr(429, 'RESOURCE_EXHAUSTED', 'All upstreams are rate limited'),
    503: {
      ...geminiErr(503, 'UNAVAILABLE', 'Database unavailable, try again shortly'),
      description: errors[503].description,
    },
  };
  doc.paths['/v1/responses'] = post(
    'OpenAI Responses API (stream and non-stream) routed to any upstream',
    'Translated through the canonical form to the routed upstream (OpenAI Chat, Anthropic, Gemini, mock); typed ' +
      'event stream from `response.created` to `response.completed`. Also at `/openai/v1/responses`.',
    { model: 'demo-chat', input: 'Hello!' },
    {
      id: 'resp_1',
      object: 'response',
      status: 'completed',
      model: 'demo-chat',
      output: [{ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Hi!' }] }],
    },
    'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":"Hi"}\n\n',
  );
  doc.paths['/v1/messages'] = op(
    'Anthropic Messages (stream and non-stream) routed to any upstream',
    'Auth by `x-api-key` (or Bearer). Same-format upstreams get the body with only `model` rewritten and ' +
      '`anthropic-version`/`anthropic-beta` passed through (thinking signatures and cache_control untouched). ' +
      'Also at `/anthropic/v1/messages`.',
    { model: 'claude-sonnet', max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }] },
    {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet',
      content: [{ type: 'text', text: 'Hi!' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 9, output_tokens: 3 },
    },
    aErrs,
    'event: message_start\ndata: {"type":"message_start",...}\n\n',
  );
  doc.paths['/v1/messages/count_tokens'] = op(
    'Anthropic count_tokens (counted locally with the o200k tokenizer; ±15 % of Claude’s own count)',
    'Also at `/anthropic/v1/messages/count_tokens`.',
    { model: 'claude-sonnet', messages: [{ role: 'user', content: 'Hello' }] },
    { input_tokens: 9 },
    aErrs,
  );
  doc.paths['/anthropic/v1/models'] = {
    get: {
      tags: ['gateway'],
      summary: 'Models this key may use, Anthropic list shape',
      security,
      responses: { 200: { description: 'Model list' }, 401: aErrs[401] },
    },
  };
  const gExample = { contents: [{ role: 'user', parts: [{ text: 'Hello' }] }] };
  const gOk = {
    candidates: [{ content: { role: 'model', parts: [{ text: 'Hi!' }] }, finishReason: 'STOP' }],
    usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 2, totalTokenCount: 5 },
  };
  const modelParam = [
    { name: 'model', in: 'path', required: true, schema: { type: 'string' }, example: 'gemini-flash' },
  ];
  const withParams = (o: Op): Op => ({ post: { ...(o.post as Op), parameters: modelParam } });
  doc.paths['/gemini/v1beta/models/{model}:generateContent'] = withParams(
    op(
      'Gemini generateContent routed to any upstream',
      'Auth by `x-goog-api-key` or `?key=`.',
      gExample,
      gOk,
      gErrs,
    ),
  );
  doc.paths['/gemini/v1beta/models/{model}:streamGenerateContent'] = withParams(
    op(
      'Gemini streamGenerateContent: SSE with `?alt=sse`, else a streamed JSON array',
      'Auth by `x-goog-api-key` or `?key=`.',
      gExample,
      [gOk],
      gErrs,
      'data: {"candidates":[...]}\r\n\r\n',
    ),
  );
  doc.paths['/gemini/v1beta/models/{model}:countTokens'] = withParams(
    op(
      'Gemini countTokens (counted locally with the o200k tokenizer)',
      'Auth by `x-goog-api-key` or `?key=`.',
      gExample,
      { totalTokens: 3 },
      gErrs,
    ),
  );
  doc.paths['/gemini/v1beta/models/{model}:embedContent'] = withParams(
    op(
      'Gemini embedContent on an embedding model (OpenAI or Gemini upstream)',
      'Auth by `x-goog-api-key` or `?key=`.',
      { content: { parts: [{ text: 'Hello' }] } },
      { embedding: { values: [0.01, -0.02] } },
      gErrs,
    ),
  );
  doc.paths['/gemini/v1beta/models'] = {
    get: {
      tags: ['gateway'],
      summary: 'Models this key may use, Gemini list shape',
      security,
      responses: { 200: { description: 'Model list' }, 401: gErrs[401] },
    },
  };
  doc.paths['/v1/chat/completions'] = chat;
  doc.paths['/v1/completions'] = completions;
  doc.paths['/v1/embeddings'] = embeddings;
  doc.paths['/v1/models'] = models;
  return doc;
}
