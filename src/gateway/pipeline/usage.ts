import { encode } from 'gpt-tokenizer';

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  /** Input tokens written to a prompt cache (Anthropic); priced at the cache-write rate. */
  cacheWriteTokens?: number;
  estimated: boolean;
}

export const emptyUsage = (): Usage => ({
  inputTokens: 0,
  outputTokens: 0,
  cachedTokens: 0,
  reasoningTokens: 0,
  estimated: false,
});

/** Reads an OpenAI `usage` object. */
export function fromOpenAiUsage(u: unknown): Usage | undefined {
  if (!u || typeof u !== 'object') return undefined;
  const x = u as {
    prompt_tokens?: number;
    completion_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number };
    completion_tokens_details?: { reasoning_tokens?: number };
  };
  if (typeof x.prompt_tokens !== 'number' && typeof x.completion_tokens !== 'number') return undefined;
  return {
    inputTokens: x.prompt_tokens ?? 0,
    outputTokens: x.completion_tokens ?? 0,
    cachedTokens: x.prompt_tokens_details?.cached_tokens ?? 0,
    reasoningTokens: x.completion_tokens_details?.reasoning_tokens ?? 0,
    estimated: false,
  };
}

/** Counts tokens with the cl100k/o200k tokenizer when the upstream reported none. */
export function countTokens(text: string): number {
  return text ? encode(text).length : 0;
}

/** Text of an OpenAI chat request's messages (for estimating input tokens). */
export function promptText(body: Record<string, unknown>): string {
  const parts: string[] = [];
  const visit = (v: unknown) => {
    if (typeof v === 'string') parts.push(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      const o = v as { text?: unknown; content?: unknown };
      if (typeof o.text === 'string') parts.push(o.text);
      if (o.content !== undefined) visit(o.content);
    }
  };
  visit(body.messages ?? body.prompt ?? body.input);
  return parts.join('\n');
}
