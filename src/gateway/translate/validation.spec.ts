import { codecs, TranslationError, type ProtocolName } from './index';

/** Invalid client input → TranslationError(400) whose message and `param` name the field. */
const msg = (content: unknown): unknown => ({ role: 'user', content });

const CASES: [ProtocolName, unknown, string, string][] = [
  ['openai', 'not json', 'body', 'body: must be an object'],
  ['openai', { messages: [msg('hi')] }, 'model', 'model: is required'],
  ['openai', { model: 42, messages: [msg('hi')] }, 'model', 'model: must be a string'],
  ['openai', { model: 'gpt' }, 'messages', 'messages: is required'],
  ['openai', { model: 'gpt', messages: {} }, 'messages', 'messages: must be an array'],
  ['openai', { model: 'gpt', messages: [] }, 'messages', 'messages: must contain at least one item'],
  [
    'openai',
    { model: 'gpt', messages: [msg('hi')], temperature: 'warm' },
    'temperature',
    'temperature: must be a number',
  ],
  [
    'openai',
    { model: 'gpt', messages: [msg('hi')], max_tokens: 0 },
    'max_tokens',
    'max_tokens: must be a positive integer',
  ],
  [
    'openai',
    { model: 'gpt', messages: [{ role: 'wizard', content: 'x' }] },
    'messages[0].role',
    "messages[0].role: unsupported role 'wizard'",
  ],
  [
    'openai',
    { model: 'gpt', messages: [{ content: 'x' }] },
    'messages[0].role',
    'messages[0].role: is required',
  ],
  [
    'openai',
    { model: 'gpt', messages: [msg(7)] },
    'messages[0].content',
    'messages[0].content: must be a string or an array of content parts',
  ],
  [
    'openai',
    {
      model: 'gpt',
      messages: [
        msg([
          { type: 'text', text: 'x' },
          { type: 'image_url', image_url: {} },
        ]),
      ],
    },
    'messages[0].content[1].image_url.url',
    'messages[0].content[1].image_url.url: is required',
  ],
  [
    'openai',
    { model: 'gpt', messages: [msg([{ type: 'video', video: {} }])] },
    'messages[0].content[0].type',
    "messages[0].content[0].type: unsupported content part type 'video'",
  ],
  [
    'openai',
    { model: 'gpt', messages: [msg('x'), { role: 'tool', content: 'r' }] },
    'messages[1].tool_call_id',
    'messages[1].tool_call_id: is required',
  ],
  [
    'openai',
    {
      model: 'gpt',
      messages: [msg('x'), { role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: {} }] }],
    },
    'messages[1].tool_calls[0].function.name',
    'messages[1].tool_calls[0].function.name: is required',
  ],
  [
    'openai',
    {
      model: 'gpt',
      messages: [msg('x')],
      tools: [{ type: 'function', function: { description: 'no name' } }],
    },
    'tools[0].function.name',
    'tools[0].function.name: is required',
  ],
  [
    'openai',
    { model: 'gpt', messages: [msg('x')], tool_choice: 'sometimes' },
    'tool_choice',
    "tool_choice: unsupported value 'sometimes'",
  ],
  ['openai', { model: 'gpt', messages: [msg('x')], stop: [1] }, 'stop[0]', 'stop[0]: must be a string'],
  [
    'openai',
    { model: 'gpt', messages: [msg('x')], reasoning_effort: 'extreme' },
    'reasoning_effort',
    "reasoning_effort: unsupported value 'extreme'",
  ],
  [
    'openai',
    { model: 'gpt', messages: [msg('x')], response_format: { type: 'yaml' } },
    'response_format.type',
    "response_format.type: unsupported value 'yaml'",
  ],
  ['anthropic', { max_tokens: 10, messages: [msg('hi')] }, 'model', 'model: is required'],
  ['anthropic', { model: 'claude', max_tokens: 10 }, 'messages', 'messages: is required'],
  [
    'anthropic',
    { model: 'claude', max_tokens: -1, messages: [msg('hi')] },
    'max_tokens',
    'max_tokens: must be a positive integer',
  ],
  [
    'anthropic',
    { model: 'claude', messages: [{ role: 'system', content: 'x' }] },
    'messages[0].role',
    "messages[0].role: must be 'user' or 'assistant'",
  ],
  [
    'anthropic',
    { model: 'claude', system: 5, messages: [msg('hi')] },
    'system',
    'system: must be a string or an array of text blocks',
  ],
  [
    'anthropic',
    { model: 'claude', messages: [msg([{ type: 'tool_use', id: 't', name: 'n', input: {} }])] },
    'messages[0].content[0].type',
    "messages[0].content[0].type: 'tool_use' blocks are only allowed in assistant messages",
  ],
  [
    'anthropic',
    { model: 'claude', messages: [msg([{ type: 'image', source: { type: 'base64', data: 'AA' } }])] },
    'messages[0].content[0].source.media_type',
    'messages[0].content[0].source.media_type: is required',
  ],
  [
    'anthropic',
    { model: 'claude', messages: [msg([{ type: 'tool_result', content: 'x' }])] },
    'messages[0].content[0].tool_use_id',
    'messages[0].content[0].tool_use_id: is required',
  ],
  [
    'anthropic',
    { model: 'claude', messages: [msg('x')], tools: [{ name: 'f' }] },
    'tools[0].input_schema',
    'tools[0].input_schema: must be an object',
  ],
  [
    'anthropic',
    { model: 'claude', messages: [msg('x')], thinking: { type: 'enabled' } },
    'thinking.budget_tokens',
    'thinking.budget_tokens: is required',
  ],
  [
    'anthropic',
    { model: 'claude', messages: [msg('x')], tool_choice: { type: 'maybe' } },
    'tool_choice.type',
    "tool_choice.type: unsupported value 'maybe'",
  ],
  [
    'anthropic',
    { model: 'claude', messages: [msg('x')], stop_sequences: 'END' },
    'stop_sequences',
    'stop_sequences: must be an array',
  ],
  ['gemini', {}, 'contents', 'contents: is required'],
  ['gemini', { contents: [{ role: 'user' }] }, 'contents[0].parts', 'contents[0].parts: is required'],
  [
    'gemini',
    { contents: [{ role: 'system', parts: [] }] },
    'contents[0].role',
    "contents[0].role: must be 'user' or 'model'",
  ],
  [
    'gemini',
    { contents: [{ parts: [{ text: 'x' }] }], generationConfig: { temperature: 'hot' } },
    'generationConfig.temperature',
    'generationConfig.temperature: must be a number',
  ],
  [
    'gemini',
    { contents: [{ parts: [{ functionCall: { name: 'f' } }] }] },
    'contents[0].parts[0].functionCall',
    "contents[0].parts[0].functionCall: is only allowed in 'model' contents",
  ],
  [
    'gemini',
    { contents: [{ parts: [{ inlineData: { data: 'AA' } }] }] },
    'contents[0].parts[0].inlineData.mimeType',
    'contents[0].parts[0].inlineData.mimeType: is required',
  ],
  [
    'gemini',
    { contents: [{ parts: [{ text: 'x' }] }], toolConfig: { functionCallingConfig: { mode: 'SOMETIMES' } } },
    'toolConfig.functionCallingConfig.mode',
    "toolConfig.functionCallingConfig.mode: unsupported value 'SOMETIMES'",
  ],
  [
    'gemini',
    { contents: [{ parts: [{ text: 'x' }] }], tools: [{ functionDeclarations: [{ description: 'x' }] }] },
    'tools[0].functionDeclarations[0].name',
    'tools[0].functionDeclarations[0].name: is required',
  ],
];

describe('invalid client requests', () => {
  it.each(CASES)('%s: %j → %s', (protocol, body, param, message) => {
    let error: unknown;
    try {
      codecs[protocol].decodeRequest(body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TranslationError);
    expect(error).toMatchObject({ status: 400, message, param });
  });
});

describe('unmapped fields are listed, never silently dropped', () => {
  it('OpenAI', () => {
    const { dropped } = codecs.openai.decodeRequest({
      model: 'gpt',
      messages: [{ role: 'user', content: 'x', name: 'bob' }],
      frequency_penalty: 0.5,
      logit_bias: { 1: 2 },
      stream_options: { include_usage: true },
      tools: [{ type: 'web_search' }, { type: 'function', function: { name: 'f', strict: true } }],
    });
    expect(dropped).toEqual([
      'messages.name',
      'tools.web_search',
      'tools.function.strict',
      'frequency_penalty',
      'logit_bias',
    ]);
  });

  it('Anthropic', () => {
    const { dropped } = codecs.anthropic.decodeRequest({
      model: 'claude',
      max_tokens: 5,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'search_result', source: 'x' },
            { type: 'text', text: 'q' },
          ],
        },
      ],
      tools: [{ type: 'web_search_20250305', name: 'web_search' }],
      container: 'c1',
    });
    expect(dropped).toEqual(['content.search_result', 'container', 'tools.web_search_20250305']);
  });

  it('Gemini', () => {
    const { dropped } = codecs.gemini.decodeRequest({
      contents: [{ role: 'user', parts: [{ text: 'q' }, { executableCode: { code: '1' } }] }],
      generationConfig: { presencePenalty: 1, responseLogprobs: true },
      cachedContent: 'cachedContents/1',
      tools: [{ codeExecution: {} }],
    });
    expect(dropped).toEqual([
      'parts.executableCode',
      'generationConfig.presencePenalty',
      'generationConfig.responseLogprobs',
      'cachedContent',
      'tools.codeExecution',
    ]);
  });
});
