import type { CanonicalPart, CanonicalRequest } from '../translate/canonical';
import { countTokens } from './usage';

/** Per-message and per-tool overheads, as OpenAI's cookbook counts chat formatting. */
const PER_MESSAGE = 3;
const PER_TOOL = 8;
const PER_IMAGE = 85;

function partTokens(p: CanonicalPart): number {
  switch (p.type) {
    case 'text':
      return countTokens(p.text);
    case 'thinking':
      return countTokens(p.text);
    case 'tool_call':
      return countTokens(p.name) + countTokens(p.arguments);
    case 'tool_result':
      return typeof p.content === 'string'
        ? countTokens(p.content)
        : p.content.reduce((s, x) => s + partTokens(x), 0);
    case 'image':
      return PER_IMAGE;
    default:
      return 0;
  }
}

/**
 * Input tokens of a request, counted locally with the o200k tokenizer (gpt-tokenizer). Upstreams use
 * their own tokenizers, so this is an estimate: within about ±15 % of Claude's and Gemini's counts
 * for ordinary English text.
 */
export function countCanonicalTokens(req: CanonicalRequest): number {
  let n = 3;
  for (const p of req.system ?? []) n += partTokens(p);
  for (const m of req.messages) n += PER_MESSAGE + m.parts.reduce((s, p) => s + partTokens(p), 0);
  for (const t of req.tools ?? [])
    n +=
      PER_TOOL +
      countTokens(t.name) +
      countTokens(t.description ?? '') +
      countTokens(JSON.stringify(t.parameters));
  return n;
}
