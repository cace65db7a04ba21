/**
 * The upstream's JSON text with its top-level `model` value replaced by the public name, or undefined
 * when that cannot be done safely by splicing: no string `model`, or its `"model": "…"` pair not found
 * exactly once in the text (compact or with a space, as OpenAI pretty-prints). Inside JSON strings every
 * quote is escaped, so the pair can only be a key of the answer's objects.
 */
export function withModelName(
  text: string,
  json: Record<string, unknown>,
  publicName: string,
): string | undefined {
  const model = json.model;
  if (typeof model !== 'string') return undefined;
  if (model === publicName) return text;
  const value = JSON.stringify(model);
  for (const key of ['"model":', '"model": ']) {
    const at = text.indexOf(key + value);
    if (at < 0) continue;
    const end = at + key.length + value.length;
    if (text.indexOf('"model"', end) >= 0 || text.lastIndexOf('"model"', at - 1) >= 0) return undefined;
    return `${text.slice(0, at)}${key}${JSON.stringify(publicName)}${text.slice(end)}`;
  }
  return undefined;
}
