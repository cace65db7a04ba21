type Searchable = Pick<string, 'indexOf' | 'lastIndexOf'>;

/**
 * What to search: `bytes`, the text's UTF-8 bytes if the caller has them, when they are as many as the
 * text's characters (then every character is one byte and the offsets agree; an invalid byte decodes
 * to one U+FFFD, so it keeps the count). A Buffer's native search is ~6× faster than a string's here,
 * which matters on a request of hundreds of KB.
 */
const searchable = (text: string, bytes?: Buffer): Searchable =>
  bytes?.length === text.length ? bytes : text;

/**
 * `text` with the value of its `"model": "<value>"` pair replaced, or undefined when the pair is not
 * found exactly once (compact or with a space, as OpenAI pretty-prints). Inside JSON strings every
 * quote is escaped, so the pair can only be a key of the text's objects.
 */
function splicePair(text: string, hay: Searchable, value: string, replacement: string): string | undefined {
  const quoted = JSON.stringify(value);
  for (const key of ['"model":', '"model": ']) {
    const at = hay.indexOf(key + quoted);
    if (at <= 0) continue; // a JSON object's text starts with "{" (or a blank)
    const end = at + key.length + quoted.length;
    if (hay.indexOf('"model"', end) >= 0 || hay.lastIndexOf('"model"', at - 1) >= 0) return undefined;
    return `${text.slice(0, at)}${key}${JSON.stringify(replacement)}${text.slice(end)}`;
  }
  return undefined;
}

/**
 * The upstream's JSON text with its top-level `model` value replaced by the public name, or undefined
 * when that cannot be done safely by splicing: no string `model`, or its `"model": "…"` pair not found
 * exactly once in the text.
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
  return splicePair(text, searchable(text, bytes), model, publicName);
}

/**
 * The client's own JSON text for a same-protocol upstream, so that it is not serialised again (a
 * chat history of hundreds of KB costs milliseconds to `JSON.stringify`): `model` swapped for the
 * upstream's, and with `addStreamUsage` an OpenAI stream's `stream_options.include_usage` put in
 * front of the other fields. Undefined when splicing cannot do it safely; the caller then serialises
 * the parsed object, which is what the gateway checked:
 * - the `"model": "…"` pair not found exactly once — also when the name stays the same: a second
 *   `model` key, which our parser dropped (the last one wins), could be the one an upstream reads
 *   (a model the key may not use, at another price);
 * - `"stream"` more than once (it decides how the answer is read);
 * - an escaped letter of "model" or "stream" anywhere (`"mod\u0065l"` is a `model` key to a parser,
 *   not to a text search). JSON encoders escape only control and non-ASCII characters, so real
 *   bodies keep the splice;
 * - `stream_options` present when the usage option must be added.
 */
export function spliceRequest(
  text: string,
  body: Record<string, unknown>,
  upstreamModel: string,
  addStreamUsage: boolean,
  bytes?: Buffer,
): string | undefined {
  if (typeof body.model !== 'string') return undefined;
  const hay = searchable(text, bytes);
  // An escaped character of \u0060–\u007f (`, a–z, {, |, }, ~, DEL): every letter of "model" and "stream".
  if (hay.indexOf('\\u006') >= 0 || hay.indexOf('\\u007') >= 0) return undefined;
  if (body.stream !== undefined) {
    // Without a top-level "stream" our parser would have none; with one, it must be the only one.
    const stream = hay.indexOf('"stream"');
    if (hay.indexOf('"stream"', stream + 1) >= 0) return undefined;
  }
  const out = splicePair(text, hay, body.model, upstreamModel);
  if (out === undefined || !addStreamUsage) return out;
  if (body.stream_options !== undefined) return undefined;
  const open = out.indexOf('{'); // the body is a JSON object: its first non-blank character
  return `${out.slice(0, open + 1)}"stream_options":{"include_usage":true},${out.slice(open + 1)}`;
}
