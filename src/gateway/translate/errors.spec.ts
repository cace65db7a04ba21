import { fixture, parseSseText, toSseEvents, type SseFixture } from '../../../test/fixtures/fixture-io';
import { codecs, type CanonicalStreamEvent, type ProtocolName } from './index';

/** Error bodies and stream error events in each protocol's shape. */
interface ErrorFixture {
  encode: { status: number; message: string; code?: string; expected: unknown }[];
  decode: { status: number; body: unknown; expected: unknown }[];
  streamDecode: { event: SseFixture; expected: unknown }[];
  streamEncode: { event: CanonicalStreamEvent; expected: unknown }[];
}

describe.each(['openai', 'anthropic', 'gemini'] as ProtocolName[])('%s errors', (protocol) => {
  const f = fixture<ErrorFixture>(`${protocol}/errors.json`);
  const codec = codecs[protocol];

  it.each(f.encode)('encodeError($status, $message)', ({ status, message, code, expected }) => {
    expect(codec.encodeError(status, message, code)).toEqual(expected);
  });

  it.each(f.decode)('decodeError($status, …)', ({ status, body, expected }) => {
    expect(codec.decodeError(status, body)).toEqual(expected);
  });

  it.each(f.streamDecode)('stream error event → canonical error', ({ event, expected }) => {
    expect(toSseEvents([event]).flatMap(codec.createStreamDecoder())).toEqual(expected);
  });

  it.each(f.streamEncode)(
    'canonical error → stream error frame, then nothing more',
    ({ event, expected }) => {
      const encode = codec.createStreamEncoder({ clientModel: 'm', includeUsage: true });
      expect(parseSseText(encode(event))).toEqual(expected);
      if (protocol !== 'openai') expect(encode({ type: 'done' })).toBe('');
    },
  );
});
