import type { ProviderType } from '../provider.entity';
import { AnthropicAdapter } from './anthropic/anthropic.adapter';
import { GeminiAdapter } from './gemini/gemini.adapter';
import { MockAdapter } from './mock/mock.adapter';
import { OpenAiAdapter } from './openai/openai.adapter';
import type { ProviderAdapter } from './types';

export * from './types';

const openai = new OpenAiAdapter();
const adapters: Record<ProviderType, ProviderAdapter> = {
  openai,
  'openai-compatible': openai,
  anthropic: new AnthropicAdapter(),
  gemini: new GeminiAdapter(),
  mock: new MockAdapter(),
};

export function adapterFor(type: ProviderType): ProviderAdapter {
  return adapters[type];
}
