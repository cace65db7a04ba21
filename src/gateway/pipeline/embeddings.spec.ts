import { embeddingInputs, geminiToOpenAiEmbeddings, openAiToGeminiEmbeddings } from './embeddings';

describe('embeddings translation', () => {
  it('OpenAI request → Gemini batchEmbedContents', () => {
    expect(
      openAiToGeminiEmbeddings({ model: 'e', input: ['a', 'b'], dimensions: 8 }, 'text-embedding-004'),
    ).toEqual({
      requests: [
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] }, outputDimensionality: 8 },
        { model: 'models/text-embedding-004', content: { parts: [{ text: 'b' }] }, outputDimensionality: 8 },
      ],
    });
    expect(embeddingInputs({ input: 'one' })).toEqual(['one']);
    expect(() => embeddingInputs({ input: [[1, 2, 3]] })).toThrow(/array of strings/);
  });

  it('Gemini response → OpenAI list, as floats or base64', () => {
    const json = { embeddings: [{ values: [0.5, -1] }, { values: [0.25, 0] }] };
    expect(geminiToOpenAiEmbeddings(json, 'pub', 'float', 3)).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: [0.5, -1] },
        { object: 'embedding', index: 1, embedding: [0.25, 0] },
      ],
      model: 'pub',
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
    const b64 = geminiToOpenAiEmbeddings(json, 'pub', 'base64', 3) as { data: { embedding: string }[] };
    const buf = Buffer.from(b64.data[0].embedding, 'base64');
    const back = Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4));
    expect(back).toEqual([0.5, -1]);
  });
});
