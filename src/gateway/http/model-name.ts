import { isUtf8 } from 'node:buffer';

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
 * Where the text's `"model": "<value>"` pair is (compact or with a space, as OpenAI pretty-prints),
 * or undefined when it is not found exactly once. Inside JSON strings every quote is escaped, so the
 * pair can only be a key of the text's objects.
 */
function findPair(hay: Searchable, value: string): { at: number; end: number; key: string } | undefined {
  const quoted = JSON.stringify(value);
  for (const key of ['"model":', '"model": ']) {
    const at = hay.indexOf(key + quoted);
    if (at <= 0) continue; // a JSON object's text starts with "{" (or a blank)
    const end = at + key.length + (typeof hay === 'string' ? quoted.length : Buffer.byteLength(quoted));
    if (hay.indexOf('"model"', end) >= 0 || hay.lastIndexOf('"model"', at - 1) >= 0) return undefined;
    return { at, end, key };
  }
  return undefined;
}

/**
 * `text` with `[at, end)` replaced by `insert`: a template, which V8 keeps as a rope (nothing is
 * copied until the string is written), ~15× cheaper than joining parts for a 1 KB answer.
 */
const spliceText = (text: string, at: number, end: number, insert: string) =>
  `${text.slice(0, at)}${insert}${text.slice(end)}`;

/**
 * From this size on, a request is spliced as bytes (see spliceRequest). Below it, building a Buffer
 * from parts (~1.5 µs for three small ones) costs more than encoding the spliced text once.
 */
export const BYTES_SPLICE_MIN = 16 * 1024;

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
  const pair = findPair(searchable(text, bytes), model);
  return pair && spliceText(text, pair.at, pair.end, pair.key + JSON.stringify(publicName));
}

/**
 * The client's own JSON for a same-protocol upstream, so that it is not serialised again (a chat
 * history of hundreds of KB costs milliseconds to `JSON.stringify`): `model` swapped for the
 * upstream's, and with `addStreamUsage` an OpenAI stream's `stream_options.include_usage` put in
 * front of the other fields. Given the request's `bytes`, when they are valid UTF-8 (so they say
 * exactly what `text` says) and at least BYTES_SPLICE_MIN long, the answer is those bytes spliced —
 * what goes on the wire, with no 100 KB string built and encoded again; otherwise the text spliced.
 * Undefined when splicing cannot do it safely; the caller then serialises the parsed object, which
 * is what the gateway checked:
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
): string | Buffer | undefined {
  if (typeof body.model !== 'string') return undefined;
  if (addStreamUsage && body.stream_options !== undefined) return undefined;
  // Every pattern searched for is ASCII, so in valid UTF-8 its byte offsets are where it is.
  const asBytes = bytes !== undefined && bytes.length >= BYTES_SPLICE_MIN && isUtf8(bytes);
  const hay = asBytes ? bytes : searchable(text, bytes);
  // An escaped character of \u0060–\u007f (`, a–z, {, |, }, ~, DEL): every letter of "model" and "stream".
  if (hay.indexOf('\\u006') >= 0 || hay.indexOf('\\u007') >= 0) return undefined;
  if (body.stream !== undefined) {
    // Without a top-level "stream" our parser would have none; with one, it must be the only one.
    const stream = hay.indexOf('"stream"');
    if (hay.indexOf('"stream"', stream + 1) >= 0) return undefined;
  }
  const pair = findPair(hay, body.model);
  if (!pair) return undefined;
  const model = `${pair.key}${JSON.stringify(upstreamModel)}`;
  const usage = addStreamUsage ? '"stream_options":{"include_usage":true},' : '';
  // The body is a JSON object: its first non-blank character is "{", which comes before the model.
  const open = addStreamUsage ? hay.indexOf('{') + 1 : 0;
  if (asBytes)
    return Buffer.concat([
      bytes.subarray(0, open),
      Buffer.from(usage),
      bytes.subarray(open, pair.at),
      Buffer.from(model),
      bytes.subarray(pair.end),
    ]);
  return `${text.slice(0, open)}${usage}${text.slice(open, pair.at)}${model}${text.slice(pair.end)}`;
}
