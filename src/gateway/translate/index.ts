import { anthropicCodec } from './anthropic';
import { geminiCodec } from './gemini';
import { openaiCodec } from './openai';
import { responsesCodec } from './responses';

export * from './canonical';
export { TranslationError } from './errors';
export { anthropicCodec, ANTHROPIC_DEFAULT_MAX_TOKENS } from './anthropic';
export { geminiCodec } from './gemini';
export { openaiCodec } from './openai';
export { responsesCodec } from './responses';

/** One codec per protocol the gateway speaks (client side and upstream side). */
export const codecs = {
  openai: openaiCodec,
  anthropic: anthropicCodec,
  gemini: geminiCodec,
  responses: responsesCodec,
};
/** Every protocol with a codec (the client front doors). */
export type CodecName = keyof typeof codecs;
/** The wire protocols upstream providers speak (and the golden fixtures cover pairwise). */
export type ProtocolName = Exclude<CodecName, 'responses'>;
