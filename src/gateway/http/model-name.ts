/**
 * The upstream's JSON text with its top-level `model` value replaced by the public name, or undefined
 * when that cannot be done safely by splicing: no string `model`, or its `"model": "…"` pair not found
 * exactly once in the text (compact or with a space, as OpenAI pretty-prints). Inside JSON strings every
 * quote is escaped, so the pair can only be a key of the answer's objects.
 *
 * `bytes`, the text's UTF-8 bytes if the caller has them, are searched instead when they are as many as
 * the text's characters (then every character is one byte and the offsets agree): a Buffer's native
 * search is ~6× faster than a string's here, which matters on a request of hundreds of KB.
 */
export function withModelName(
  text: string,
  json: Record<string, unknown>,
  publicName: string,
  bytes?: Buffer,
): string | undefined {
  const model = json.model;
  if (typeof model !== 'string') return undefined;
  if (model === publicName) return text;
  const value = JSON.stringify(model);
  const hay: Pick<string, 'indexOf' | 'lastIndexOf'> = bytes?.length === text.length ? bytes : text;
  for (const key of ['"model":', '"model": ']) {
    const at = hay.indexOf(key + value);
    if (at <= 0) continue; // a JSON object's text starts with "{" (or a blank)
    const end = at + key.length + value.length;
    if (hay.indexOf('"model"', end) >= 0 || hay.lastIndexOf('"model"', at - 1) >= 0) return undefined;
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
  bytes?: Buffer,
): string | undefined {
  const out = withModelName(text, body, upstreamModel, bytes);
  if (out === undefined || !addStreamUsage) return out;
  if (body.stream_options !== undefined) return undefined;
  const open = out.indexOf('{'); // the body is a JSON object: its first non-blank character
  return `${out.slice(0, open + 1)}"stream_options":{"include_usage":true},${out.slice(open + 1)}`;
}
