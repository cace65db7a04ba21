import { isNotableChunk } from './notable-chunk';

/** The regular expression this function replaces: the two must agree on every chunk. */
const REFERENCE = /"usage"\s*:\s*\{|"finish_reason"\s*:\s*"|"error"\s*:\s*(?!null)/;

const chunk = (delta: object, extra: object = {}) =>
  JSON.stringify({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    model: 'gpt-4o-mini',
    choices: [{ index: 0, delta, finish_reason: null }],
    usage: null,
    ...extra,
  });

describe('isNotableChunk', () => {
  const cases: [string, boolean][] = [
    [chunk({ content: 'Hello' }), false],
    [chunk({ content: 'the "usage": { and "error": here' }), false], // escaped quotes inside text
    [chunk({ content: 'x' }).replace('"finish_reason":null', '"finish_reason":"stop"'), true],
    [chunk({}, { usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 } }), true],
    [JSON.stringify({ error: { message: 'overloaded' } }), true],
    [JSON.stringify({ error: null, choices: [] }), false],
    ['{"usage" : {"prompt_tokens":1}}', true],
    ['{"finish_reason" :\n "length"}', true],
    ['{"error" : "boom"}', true],
    ['{"error":null}', false],
    // Space before null counts as notable (the expression backtracks over the space): one extra parse.
    ['{"error" : null}', true],
    ['{"type":"error","role":"error"}', false], // "error" as a value, not a key
    ['{"type":"error","error":{"message":"x"}}', true], // the key after a value of the same text
    ['{"usage":null,"usage":{}}', true],
    ['', false],
  ];
  it.each(cases)('%s → %s', (data, expected) => {
    expect(isNotableChunk(data)).toBe(expected);
    expect(REFERENCE.test(data)).toBe(expected);
  });

  it('agrees with the regular expression on generated chunks', () => {
    const keys = ['"usage"', '"finish_reason"', '"error"', '"content"', '"x"'];
    const values = ['null', '{}', '"stop"', ' : null', ':"a"', ' :  {', '1', '"error"'];
    let seed = 7;
    const pick = <T>(xs: T[]) => xs[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % xs.length];
    for (let n = 0; n < 2000; n++) {
      let s = '{';
      for (let k = 0; k < 1 + (n % 5); k++) s += `${pick(keys)}${pick([':', ' : ', ''])}${pick(values)},`;
      expect(isNotableChunk(s)).toBe(REFERENCE.test(s));
    }
  });
});
