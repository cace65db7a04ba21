import type { OpenAPIObject } from '@nestjs/swagger';

type Op = Record<string, unknown>;

const security = [{ 'api-key': [] }, { 'x-api-key': [] }, { 'x-goog-api-key': [] }];

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
  504: openAiError(504, 'server_error', 'upstream_timeout', "Upstream timed out for 'gpt-4o'"),
};

function post(
  summary: string,
  description: string,
  example: unknown,
  response: unknown,
  stream?: string,
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
          description: 'The upstream answer in OpenAI format (the model field is the public model name)',
          content: {
            'application/json': { example: response },
            ...(stream ? { 'text/event-stream': { schema: { type: 'string' }, example: stream } } : {}),
          },
        },
        ...errors,
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
  doc.paths['/v1/chat/completions'] = chat;
  doc.paths['/v1/completions'] = completions;
  doc.paths['/v1/embeddings'] = embeddings;
  doc.paths['/v1/models'] = models;
  return doc;
}
