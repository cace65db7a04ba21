import { BYTES_SPLICE_MIN, spliceRequest, withModelName } from './model-name';

describe.each([
  ['the text', false],
  ['its bytes', true],
])('withModelName, searching %s', (_, withBytes) => {
  const splice = (text: string, name = 'public') =>
    withModelName(text, JSON.parse(text), name, withBytes ? Buffer.from(text) : undefined);

  it('replaces the model value in compact and pretty-printed answers, leaving the rest byte for byte', () => {
    expect(splice('{"id":"x","model":"gpt-4o-mini","choices":[]}')).toBe(
      '{"id":"x","model":"public","choices":[]}',
    );
    const pretty = '{\n  "id": "x",\n  "model": "gpt-4o-mini-2024-07-18",\n  "choices": []\n}';
    expect(splice(pretty)).toBe('{\n  "id": "x",\n  "model": "public",\n  "choices": []\n}');
  });

  it('escapes the public name and finds escaped upstream names', () => {
    const text = JSON.stringify({ model: 'a"b\\c', x: 1 });
    expect(JSON.parse(splice(text, 'p"q')!)).toEqual({ model: 'p"q', x: 1 });
  });

  it('keeps the text when the name is already the public one', () => {
    const text = '{"model":"public","n":1}';
    expect(splice(text)).toBe(text);
  });

  it('does not splice text-like content inside strings (quotes there are escaped)', () => {
    const text = JSON.stringify({
      choices: [{ message: { content: '"model":"gpt-4o-mini"' } }],
      model: 'gpt-4o-mini',
    });
    expect(JSON.parse(splice(text)!)).toEqual({
      choices: [{ message: { content: '"model":"gpt-4o-mini"' } }],
      model: 'public',
    });
  });

  it('gives up (the caller re-serialises) when the pair is missing, ambiguous or not a string', () => {
    expect(splice('{"id":"x"}')).toBeUndefined();
    expect(splice('{"model":7}')).toBeUndefined();
    expect(splice('{"meta":{"model":"other"},"model":"gpt"}')).toBeUndefined();
    expect(splice('{"model":"gpt","meta":{"model":{}}}')).toBeUndefined();
    expect(splice('{"model" : "gpt"}')).toBeUndefined();
  });
});

describe.each([
  ['the text', false],
  ['its bytes', true],
])('spliceRequest, given %s', (_, withBytes) => {
  const body = (text: string) => JSON.parse(text) as Record<string, unknown>;
  /**
   * The spliced body as text. Given the bytes of a long body (padded here with the blanks JSON allows
   * after the object), the answer must be bytes (what goes on the wire), with the padding intact.
   */
  const pad = withBytes ? ' '.repeat(BYTES_SPLICE_MIN) : '';
  const splice = (text: string, model: string, usage: boolean): string | undefined => {
    const long = text + pad;
    const out = spliceRequest(long, body(long), model, usage, withBytes ? Buffer.from(long) : undefined);
    if (out === undefined) return undefined;
    expect(Buffer.isBuffer(out)).toBe(withBytes);
    const s = out.toString();
    expect(s.endsWith(pad)).toBe(true);
    return s.slice(0, s.length - pad.length);
  };

  it('swaps the model and keeps the rest of the text as the client sent it', () => {
    const text = '{ "messages": [{"role":"user","content":"\\"model\\":\\"m\\""}], "model": "m" }';
    expect(splice(text, 'up', false)).toBe(
      '{ "messages": [{"role":"user","content":"\\"model\\":\\"m\\""}], "model": "up" }',
    );
  });

  it('keeps characters of any width byte for byte, in the content and in the model names', () => {
    const text = '{"messages":[{"role":"user","content":"héllo ✓ 😀"}],"model":"mödel-✓","n":1}';
    expect(splice(text, 'up-😀', false)).toBe(
      '{"messages":[{"role":"user","content":"héllo ✓ 😀"}],"model":"up-😀","n":1}',
    );
    expect(splice(text, 'up', true)).toBe(
      '{"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"héllo ✓ 😀"}],"model":"up","n":1}',
    );
  });

  it("puts an OpenAI stream's usage option in front, unless the client set stream_options", () => {
    const text = '\n {"model":"m","stream":true}';
    const out = splice(text, 'up', true)!;
    expect(out).toBe('\n {"stream_options":{"include_usage":true},"model":"up","stream":true}');
    expect(JSON.parse(out)).toEqual({ stream_options: { include_usage: true }, model: 'up', stream: true });
    const own = '{"model":"m","stream":true,"stream_options":{"include_usage":false}}';
    expect(splice(own, 'up', true)).toBeUndefined();
    expect(splice(own, 'up', false)).toBe(own.replace('"m"', '"up"'));
  });

  it('gives up when the model pair is not there exactly once, even when the name stays the same', () => {
    for (const text of [
      '{"model" : "m"}',
      '{"model":"m","tools":[{"model":"m"}]}',
      '{"messages":[]}',
      '{"model":7}',
      // A second model key: our parser keeps the last, an upstream might read the first.
      '{"model":"expensive","model":"m"}',
    ]) {
      expect(splice(text, 'up', false)).toBeUndefined();
      expect(splice(text, 'm', false)).toBeUndefined();
    }
  });

  it('gives up when "stream" occurs twice (it decides how the answer is read)', () => {
    const text = '{"stream":true,"model":"m","stream":false}';
    expect(splice(text, 'up', false)).toBeUndefined();
    const once = '{"stream":false,"model":"m"}';
    expect(splice(once, 'up', false)).toBe('{"stream":false,"model":"up"}');
  });

  it('gives up on an escaped letter of "model" or "stream" (such a key is one to a parser, not to a search)', () => {
    for (const key of [
      'mod\\u0065l',
      '\\u006Dodel',
      'm\\u006fdel',
      'mo\\u0064el',
      'mode\\u006c',
      '\\u0073tream',
      'st\\u0072eam',
    ]) {
      const text = `{"${key}":"expensive","model":"m","stream":false}`;
      expect(Object.keys(body(text))).toHaveLength(2);
      expect(splice(text, 'up', false)).toBeUndefined();
    }
    // Escapes of other characters (control, non-ASCII) keep the splice.
    const text = '{"model":"m","messages":[{"role":"user","content":"caf\\u00e9 \\u001b[0m"}]}';
    expect(splice(text, 'up', false)).toBe(text.replace('"m"', '"up"'));
  });
});

describe('spliceRequest given bytes it splices as text', () => {
  it('splices the decoded text (what was parsed and checked) of bytes that are not valid UTF-8', () => {
    const pad = ' '.repeat(BYTES_SPLICE_MIN);
    const raw = Buffer.concat([
      Buffer.from('{"messages":[{"role":"user","content":"a'),
      Buffer.from([0xe2, 0x82]), // a cut 3-byte sequence: one U+FFFD for two bytes
      Buffer.from(`b"}],"model":"m"}${pad}`),
    ]);
    const text = raw.toString('utf8');
    const out = spliceRequest(text, JSON.parse(text), 'up', false, raw);
    expect(typeof out).toBe('string');
    expect(out).toBe(`{"messages":[{"role":"user","content":"a\ufffdb"}],"model":"up"}${pad}`);
  });

  it('splices a short body as text (building a Buffer from parts costs more there)', () => {
    const text = '{"model":"m","messages":[{"role":"user","content":"héllo"}]}';
    const out = spliceRequest(text, JSON.parse(text), 'up', true, Buffer.from(text));
    expect(out).toBe(
      '{"stream_options":{"include_usage":true},"model":"up","messages":[{"role":"user","content":"héllo"}]}',
    );
  });
});

describe('withModelName with the bytes of a text that is not all ASCII', () => {
  it('finds the pair in the text (byte and character offsets differ)', () => {
    const text = '{"content":"héllo ✓ 😀","model":"m","n":1}';
    expect(withModelName(text, JSON.parse(text), 'up', Buffer.from(text))).toBe(
      '{"content":"héllo ✓ 😀","model":"up","n":1}',
    );
  });

  it('keeps the offsets right when invalid bytes became one replacement character each', () => {
    const raw = Buffer.concat([
      Buffer.from('{"c":"a'),
      Buffer.from([0x80, 0xff]),
      Buffer.from('b","model":"m"}'),
    ]);
    const text = raw.toString('utf8');
    expect(text.length).toBe(raw.length);
    expect(withModelName(text, JSON.parse(text), 'up', raw)).toBe('{"c":"a\ufffd\ufffdb","model":"up"}');
  });
});
