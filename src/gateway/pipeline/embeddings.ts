/** OpenAI `/v1/embeddings` ⇄ Gemini `batchEmbedContents`, as pure functions. */

type Json = Record<string, unknown>;

export function embeddingInputs(body: Json): string[] {
  const input = body.input;
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.every((x) => typeof x === 'string')) return input as string[];
  // Token-id arrays cannot be sent to Gemini, which takes text only.
  throw new TypeError("'input' must be a string or an array of strings for this model's upstream");
}

export function openAiToGeminiEmbeddings(body: Json, upstreamModel: string): Json {
  const dims = typeof body.dimensions === 'number' ? { outputDimensionality: body.dimensions } : {};
  return {
    requests: embeddingInputs(body).map((text) => ({
      model: `models/${upstreamModel}`,
      content: { parts: [{ text }] },
      ...dims,
    })),
  };
}

function toBase64(values: number[]): string {
  return Buffer.from(new Float32Array(values).buffer).toString('base64');
}

export function geminiToOpenAiEmbeddings(
  json: Json,
  publicModel: string,
  encoding: unknown,
  promptTokens: number,
): Json {
  const list = (Array.isArray(json.embeddings) ? json.embeddings : []) as { values?: number[] }[];
  return {
    object: 'list',
    data: list.map((e, index) => ({
      object: 'embedding',
      index,
      embedding: encoding === 'base64' ? toBase64(e.values ?? []) : (e.values ?? []),
    })),
    model: publicModel,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  };
}
