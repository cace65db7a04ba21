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

/**
 * The client's own JSON text for a same-protocol upstream, so that it is not serialised again (a
 * chat history of hundreds of KB costs milliseconds to `JSON.stringify`): `model` swapped for the
 * upstream's by `withModelName`, and with `addStreamUsage` an OpenAI stream's
 * `stream_options.include_usage` put in front of the other fields. Undefined when splicing cannot do
 * it (then the caller serialises the object): the model pair not found exactly once, or
 * `stream_options` already present.
 */
export function spliceRequest(
  text: string,
  body: Record<string, unknown>,
  upstreamModel: string,
  addStreamUsage: boolean,
): string | undefined {
  const out = withModelName(text, body, upstreamModel);
  if (out === undefined || !addStreamUsage) return out;
  if (body.stream_options !== undefined) return undefined;
  const open = out.indexOf('{'); // the body is a JSON object: its first non-blank character
  return `${out.slice(0, open + 1)}"stream_options":{"include_usage":true},${out.slice(open + 1)}`;
}
