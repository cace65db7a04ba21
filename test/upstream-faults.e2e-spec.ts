import Anthropic from '@anthropic-ai/sdk';
import { createParser, EventSourceMessage } from 'eventsource-parser';
import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { LogWriter } from '../src/logs/log-writer.service';
import { UsageLedgerEntry } from '../src/billing/usage-ledger.entity';
import { RequestLog } from '../src/logs/request-log.entity';
import { RoutingService } from '../src/routing/routing.service';
import { GatewayFixture } from './helpers/gateway-fixture';
import { Behaviour, MockUpstream, startMockUpstream, UpstreamProtocol } from './helpers/mock-upstreams';

/*
 * Upstream faults (issue 9), table-driven. Every fault the mock upstreams can script, streamed and
 * not, over seven paths (OpenAI and Anthropic clients, each against an OpenAI and an Anthropic
 * upstream; a Gemini client against an OpenAI and a Gemini upstream; an OpenAI client against a Gemini
 * upstream). Gemini clients stream both ways: SSE (`alt=sse`) and the default JSON array.
 *
 * - before the client's first byte: with a healthy second route the request fails over and the client
 *   gets 200; with only the faulty route it gets 429 (Retry-After passed on), 502 or 504 in its own
 *   protocol's error shape — never a 500 from the gateway, never a hang;
 * - after the first byte: no failover; the stream ends with the front door's error frame
 *   (`streamErrorFrame`), without the protocol's end-of-answer events, so the client can tell;
 * - every request: exactly one request_logs row with the right status and attempts, and usage billed
 *   at most once (one ledger row when tokens were generated, none when nothing was).
 *
 * Malformed JSON counts as an upstream error: an unparseable 200 (or stream event) is a 502 attempt,
 * and before the first byte it fails over like any other 5xx.
 */

type Front = 'openai' | 'anthropic' | 'gemini';
/** `array-stream`: Gemini's `:streamGenerateContent` without `alt=sse` (one JSON array, streamed). */
type Mode = 'non-stream' | 'stream' | 'array-stream';

const TIMEOUT_MS = 1000; // the faulty providers' timeoutMs (headers and gaps between body chunks)
const RATES = { inputPerM: 2, outputPerM: 8 };
const PROMPT = 'tell me everything about upstream faults and how a gateway survives them';
const FULL_ANSWER = `echo: ${PROMPT}`;

interface Path {
  name: string;
  front: Front;
  upstream: UpstreamProtocol;
}
const PATHS: Path[] = [
  { name: 'OpenAI client → OpenAI upstream (pass-through)', front: 'openai', upstream: 'openai' },
  { name: 'Anthropic client → OpenAI upstream (translated)', front: 'anthropic', upstream: 'openai' },
  { name: 'OpenAI client → Anthropic upstream (translated)', front: 'openai', upstream: 'anthropic' },
  { name: 'Anthropic client → Anthropic upstream (pass-through)', front: 'anthropic', upstream: 'anthropic' },
  { name: 'Gemini client → OpenAI upstream (translated)', front: 'gemini', upstream: 'openai' },
  { name: 'OpenAI client → Gemini upstream (translated)', front: 'openai', upstream: 'gemini' },
  { name: 'Gemini client → Gemini upstream (pass-through)', front: 'gemini', upstream: 'gemini' },
];
const UPSTREAMS: UpstreamProtocol[] = ['openai', 'anthropic', 'gemini'];

/** A fault's modes on a front door: Gemini clients also stream as a JSON array. */
const modesFor = (front: Front, modes: Mode[]): Mode[] =>
  front === 'gemini' && modes.includes('stream') ? [...modes, 'array-stream'] : modes;

/** A fault that strikes before the client has received anything. */
interface EarlyFault {
  name: string;
  modes: Mode[];
  behaviour: Behaviour;
  /** The failed attempt in the log row: its recorded status and error. */
  attempt: { status: number | null; error: RegExp };
  /** What the client gets when the faulty route is the only one. */
  alone: { status: 429 | 502 | 504; code: string; retryAfter?: string };
}

const BOTH: Mode[] = ['non-stream', 'stream'];
const UPSTREAM_ERROR = { status: 502, code: 'upstream_error' } as const;
const SOCKET_ERROR = /UND_ERR_SOCKET|ECONNRESET|EPIPE|terminated|other side closed/;

const EARLY: EarlyFault[] = [
  {
    name: '429 with Retry-After',
    modes: BOTH,
    behaviour: { kind: 'status', status: 429, retryAfter: 7 },
    attempt: { status: 429, error: /^429: / },
    alone: { status: 429, code: 'rate_limit_exceeded', retryAfter: '7' },
  },
  {
    name: '500',
    modes: BOTH,
    behaviour: { kind: 'status', status: 500 },
    attempt: { status: 500, error: /^500: / },
    alone: UPSTREAM_ERROR,
  },
  {
    name: '503',
    modes: BOTH,
    behaviour: { kind: 'status', status: 503 },
    attempt: { status: 503, error: /^503: / },
    alone: UPSTREAM_ERROR,
  },
  {
    name: 'connection reset before the headers',
    modes: BOTH,
    behaviour: { kind: 'reset' },
    attempt: { status: null, error: SOCKET_ERROR },
    alone: UPSTREAM_ERROR,
  },
  {
    name: 'headers slower than the provider timeout',
    modes: BOTH,
    behaviour: { kind: 'slow_headers', delayMs: 30_000 },
    attempt: { status: null, error: /UND_ERR_HEADERS_TIMEOUT/ },
    alone: { status: 504, code: 'upstream_timeout' },
  },
  {
    // Non-stream: a 200 whose body is half a JSON document; stream: the first event does not parse.
    name: 'malformed JSON in a 200',
    modes: BOTH,
    behaviour: { kind: 'malformed_json' },
    attempt: { status: 502, error: /invalid JSON|not valid JSON/ },
    alone: UPSTREAM_ERROR,
  },
  {
    // Non-stream: half the body, then a reset; stream: the headers, then a reset before any event.
    name: 'connection reset after the headers, before the client got anything',
    modes: BOTH,
    behaviour: { kind: 'cut_stream', afterChunks: 0 },
    attempt: { status: 502, error: SOCKET_ERROR },
    alone: UPSTREAM_ERROR,
  },
  {
    // Non-stream: half the body, then a clean end; stream: the headers, then a clean end.
    name: 'body ended cleanly before any complete answer',
    modes: BOTH,
    behaviour: { kind: 'truncate_stream', afterChunks: 0 },
    attempt: { status: 502, error: /invalid JSON|ended without data/ },
    alone: UPSTREAM_ERROR,
  },
  {
    name: 'an error event as the first stream event',
    modes: ['stream'],
    behaviour: { kind: 'stream_error', afterChunks: 0, status: 503 },
    attempt: { status: 502, error: /scripted stream error 503/ },
    alone: UPSTREAM_ERROR,
  },
];

/** A fault in the middle of a stream, after the client has received part of the answer. */
interface LateFault {
  name: string;
  behaviour: Behaviour;
  /** The log row's error. */
  error: RegExp;
  /** The error frame is the gateway's own (else the upstream's error event, relayed or translated). */
  gatewayFrame: boolean;
}

// Four events in: some text has reached the client on every path, and no finish reason yet.
const LATE: LateFault[] = [
  {
    name: 'connection reset mid-stream',
    behaviour: { kind: 'cut_stream', afterChunks: 4 },
    error: /after the first byte/,
    gatewayFrame: true,
  },
  {
    name: 'truncated SSE: a clean end without a finish reason or end-of-stream event',
    behaviour: { kind: 'truncate_stream', afterChunks: 4 },
    error: /after the first byte: .*before the end of the answer/,
    gatewayFrame: true,
  },
  {
    name: 'truncated SSE: a clean end in the middle of an event',
    behaviour: { kind: 'truncate_stream', afterChunks: 4, midEvent: true },
    error: /after the first byte: .*before the end of the answer/,
    gatewayFrame: true,
  },
  {
    name: 'malformed JSON in a mid-stream event',
    behaviour: { kind: 'malformed_json', atChunk: 4 },
    error: /after the first byte: .*not valid JSON/,
    gatewayFrame: true,
  },
  {
    name: 'an upstream error event mid-stream',
    behaviour: { kind: 'stream_error', afterChunks: 4, status: 503 },
    error: /error mid-stream: .*scripted stream error 503/,
    gatewayFrame: false,
  },
  {
    // The upstream goes silent past the provider's timeout (undici's body timeout): the attempt
    // fails like a reset, and the status stays 502 (the answer had started; 504 is for no answer).
    name: 'a stall mid-stream past the provider timeout',
    behaviour: { kind: 'stall_stream', afterChunks: 4 },
    error: /after the first byte: UND_ERR_BODY_TIMEOUT/,
    gatewayFrame: true,
  },
];

/** A client's view of a streamed answer. */
interface StreamView {
  events: EventSourceMessage[];
  text: string;
  /** A finish reason / stop reason arrived. */
  finished: boolean;
  /** The protocol's end-of-stream event arrived ([DONE], message_stop; Gemini: the finish reason). */
  ended: boolean;
  /** Error frames, parsed. */
  errors: Record<string, unknown>[];
}

function readStream(front: Front, raw: string, mode: Mode = 'stream'): StreamView {
  const view: StreamView = { events: [], text: '', finished: false, ended: false, errors: [] };
  if (mode === 'array-stream') {
    // One JSON array (it must parse as a whole, error item included); each item counts as an event.
    const items = JSON.parse(raw) as unknown[];
    expect(Array.isArray(items)).toBe(true);
    view.events = items.map((item) => ({ id: undefined, event: undefined, data: JSON.stringify(item) }));
  } else {
    const parser = createParser({ onEvent: (e) => view.events.push(e) });
    parser.feed(raw);
  }
  for (const e of view.events) {
    if (front === 'gemini') {
      const d = JSON.parse(e.data) as {
        error?: unknown;
        candidates?: { content?: { parts?: { text?: string }[] }; finishReason?: string }[];
      };
      if (d.error) view.errors.push(d);
      for (const c of d.candidates ?? []) {
        for (const part of c.content?.parts ?? []) view.text += part.text ?? '';
        if (c.finishReason) view.finished = view.ended = true;
      }
    } else if (front === 'openai') {
      if (e.data === '[DONE]') {
        view.ended = true;
        continue;
      }
      const d = JSON.parse(e.data) as {
        error?: unknown;
        choices?: { delta?: { content?: string }; finish_reason?: string | null }[];
      };
      if (d.error) view.errors.push(d);
      for (const ch of d.choices ?? []) {
        view.text += ch.delta?.content ?? '';
        if (ch.finish_reason) view.finished = true;
      }
    } else {
      const d = JSON.parse(e.data) as {
        type: string;
        delta?: { type?: string; text?: string; stop_reason?: string };
      };
      if (e.event === 'error') view.errors.push(d);
      if (d.type === 'content_block_delta' && d.delta?.type === 'text_delta') view.text += d.delta.text ?? '';
      if (d.type === 'message_delta' && d.delta?.stop_reason) view.finished = true;
      if (d.type === 'message_stop') view.ended = true;
    }
  }
  return view;
}

/** The text of a non-streamed answer. */
function answerText(front: Front, body: Record<string, unknown>): string {
  if (front === 'openai')
    return (body as { choices: { message: { content: string } }[] }).choices[0].message.content;
  if (front === 'gemini')
    return (body as { candidates: { content: { parts: { text?: string }[] } }[] }).candidates[0].content.parts
      .map((p) => p.text ?? '')
      .join('');
  return (body as { content: { type: string; text: string }[] }).content
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('');
}

describe('upstream faults: failover, client errors, stream error frames, one log row each (e2e)', () => {
  const g = new GatewayFixture();
  const faulty = {} as Record<Path['upstream'], MockUpstream>;
  const healthy = {} as Record<Path['upstream'], MockUpstream>;
  const providerIds = {} as Record<string, string>;
  let key: string;
  let sent = 0;

  const db = () => g.t.app.get(DataSource);
  /** The request_logs rows of one request (flushed first; waits briefly for the row to be queued). */
  const logRows = async (requestId: string): Promise<RequestLog[]> => {
    let rows: RequestLog[] = [];
    for (let i = 0; i < 50 && !rows.length; i++) {
      if (i) await new Promise((r) => setTimeout(r, 20));
      await g.t.app.get(LogWriter).flush();
      rows = await db().getRepository(RequestLog).find({ where: { requestId } });
    }
    return rows;
  };
  const ledgerRows = async (requestId: string): Promise<UsageLedgerEntry[]> => {
    await g.t.app.get(LogWriter).flush();
    return db().getRepository(UsageLedgerEntry).find({ where: { requestId } });
  };

  const pathOf = (front: Front, model: string, mode: Mode): string => {
    if (front === 'openai') return '/v1/chat/completions';
    if (front === 'anthropic') return '/v1/messages';
    if (mode === 'non-stream') return `/gemini/v1beta/models/${model}:generateContent`;
    return `/gemini/v1beta/models/${model}:streamGenerateContent${mode === 'stream' ? '?alt=sse' : ''}`;
  };
  const authOf = (front: Front): Record<string, string> => {
    if (front === 'openai') return { authorization: `Bearer ${key}` };
    if (front === 'anthropic') return { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
    return { 'x-goog-api-key': key };
  };
  const bodyOf = (front: Front, model: string, stream: boolean) => {
    if (front === 'gemini') return { contents: [{ role: 'user', parts: [{ text: PROMPT }] }] };
    return {
      model,
      stream,
      ...(front === 'anthropic' ? { max_tokens: 256 } : {}),
      messages: [{ role: 'user', content: PROMPT }],
    };
  };

  /** One request through a front door; every request carries its own x-request-id. */
  const send = async (front: Front, model: string, mode: Mode) => {
    const requestId = `faults-${++sent}`;
    const stream = mode !== 'non-stream';
    const res = await fetch(`${g.baseURL}${pathOf(front, model, mode)}`, {
      method: 'POST',
      // Never a hang: a request the gateway does not answer in time fails the test.
      signal: AbortSignal.timeout(15_000),
      headers: {
        'content-type': 'application/json',
        'x-request-id': requestId,
        ...authOf(front),
      },
      body: JSON.stringify(bodyOf(front, model, stream)),
    });
    const raw = await res.text();
    return { requestId, res, raw };
  };

  /** Exactly one log row for the request, and its ledger rows. */
  const recordOf = async (requestId: string) => {
    const rows = await logRows(requestId);
    expect(rows).toHaveLength(1);
    return { row: rows[0], ledger: await ledgerRows(requestId) };
  };

  /** The request was billed once, at the log row's cost. */
  const expectBilledOnce = (row: RequestLog, ledger: UsageLedgerEntry[]) => {
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ model: row.model, providerId: row.providerId });
    expect(row.costUsd).toBeGreaterThan(0);
    expect(ledger[0].costUsd).toBeCloseTo(row.costUsd, 9);
  };

  beforeAll(async () => {
    // Passive health would take the faulty provider out of the rotation after a few failures in a
    // row; here every request must reach it first.
    await g.start({ HEALTH_PASSIVE_FAILURE_THRESHOLD: '1000' });
    const auth = { Authorization: `Bearer ${g.admin}` };
    for (const p of UPSTREAMS) {
      faulty[p] = await startMockUpstream(p);
      healthy[p] = await startMockUpstream(p);
      for (const [role, up] of [
        ['faulty', faulty[p]],
        ['healthy', healthy[p]],
      ] as const) {
        const id = await g.provider({
          name: `${role}-${p}`,
          type: p,
          baseUrl: up.url,
          credentials: [{ key: `sk-${role}-${p}-000001` }],
          timeoutMs: role === 'faulty' ? TIMEOUT_MS : 20_000,
        });
        providerIds[`${role}-${p}`] = id;
        await g.t.http
          .post('/api/prices')
          .set(auth)
          .send({ model: `${role}-model-${p}`, providerId: id, ...RATES })
          .expect(201);
      }
      await g.model({
        name: `failover-${p}`,
        strategy: 'priority',
        maxAttempts: 3,
        routes: [
          { providerId: providerIds[`faulty-${p}`], upstreamModel: `faulty-model-${p}`, priority: 10 },
          { providerId: providerIds[`healthy-${p}`], upstreamModel: `healthy-model-${p}`, priority: 5 },
        ],
      });
      await g.model({
        name: `alone-${p}`,
        routes: [{ providerId: providerIds[`faulty-${p}`], upstreamModel: `faulty-model-${p}` }],
      });
    }
    key = await g.key({ name: 'faults' });
  });
  beforeEach(() => {
    for (const up of [...Object.values(faulty), ...Object.values(healthy)]) up.reset();
    // Each case starts with the faulty route first in line again.
    g.t.app.get(RoutingService).clearCooldowns();
  });
  afterAll(async () => {
    for (const up of [...Object.values(faulty), ...Object.values(healthy)]) await up?.close();
    await g.close();
  });

  describe.each(PATHS)('$name', ({ front, upstream }) => {
    describe.each(EARLY)('$name', (fault) => {
      it.each(modesFor(front, fault.modes))(
        '%s: fails over to the healthy route; one row with both attempts, billed once',
        async (mode) => {
          faulty[upstream].script(fault.behaviour);
          const { requestId, res, raw } = await send(front, `failover-${upstream}`, mode);
          expect(res.status).toBe(200);
          if (mode !== 'non-stream') {
            const view = readStream(front, raw, mode);
            expect(view.errors).toEqual([]);
            expect(view.text).toBe(FULL_ANSWER);
            expect(view.finished).toBe(true);
            expect(view.ended).toBe(true);
          } else {
            expect(answerText(front, JSON.parse(raw) as Record<string, unknown>)).toBe(FULL_ANSWER);
          }
          expect(faulty[upstream].requests).toHaveLength(1);
          expect(healthy[upstream].requests).toHaveLength(1);

          const { row, ledger } = await recordOf(requestId);
          expect(row).toMatchObject({
            status: 200,
            protocol: front,
            stream: mode !== 'non-stream',
            model: `failover-${upstream}`,
            providerName: `healthy-${upstream}`,
            upstreamModel: `healthy-model-${upstream}`,
            error: null,
          });
          expect(row.attempts).toHaveLength(2);
          expect(row.attempts[0]).toMatchObject({
            provider: `faulty-${upstream}`,
            status: fault.attempt.status,
            error: expect.stringMatching(fault.attempt.error),
          });
          expect(row.attempts[1]).toMatchObject({ provider: `healthy-${upstream}`, status: 200 });
          expect(row.attempts[1].error).toBeUndefined();
          expect(row.inputTokens).toBeGreaterThan(0);
          expect(row.outputTokens).toBeGreaterThan(0);
          expectBilledOnce(row, ledger);
          expect(ledger[0]).toMatchObject({ providerId: providerIds[`healthy-${upstream}`] });
        },
      );

      it.each(modesFor(front, fault.modes))(
        `%s, no other route: ${fault.alone.status} in the client's error shape; one row, nothing billed`,
        async (mode) => {
          faulty[upstream].script(fault.behaviour);
          const { requestId, res, raw } = await send(front, `alone-${upstream}`, mode);
          expect(res.status).toBe(fault.alone.status);
          expect(res.headers.get('content-type')).toMatch(/^application\/json/);
          expect(res.headers.get('x-request-id')).toBe(requestId);
          expect(res.headers.get('retry-after')).toBe(fault.alone.retryAfter ?? null);
          const body = JSON.parse(raw) as Record<string, unknown>;
          if (front === 'openai') {
            expect(body).toEqual({
              error: {
                message: expect.any(String),
                type: fault.alone.status === 429 ? 'rate_limit_error' : 'server_error',
                param: null,
                code: fault.alone.code,
              },
            });
          } else if (front === 'anthropic') {
            expect(body).toEqual({
              type: 'error',
              error: {
                type: fault.alone.status === 429 ? 'rate_limit_error' : 'api_error',
                message: expect.any(String),
              },
              request_id: requestId,
            });
          } else {
            expect(body).toEqual({
              error: {
                code: fault.alone.status,
                message: expect.any(String),
                status: { 429: 'RESOURCE_EXHAUSTED', 502: 'INTERNAL', 504: 'DEADLINE_EXCEEDED' }[
                  fault.alone.status
                ],
              },
            });
          }
          const message = (body.error as { message: string }).message;
          expect(message).toContain(`faulty-${upstream}`); // names the attempt
          expect(message).not.toContain(`sk-faulty-${upstream}`); // but never the upstream key
          expect(faulty[upstream].requests).toHaveLength(1);

          const { row, ledger } = await recordOf(requestId);
          expect(row).toMatchObject({
            status: fault.alone.status,
            protocol: front,
            stream: mode !== 'non-stream',
            model: `alone-${upstream}`,
            providerName: null,
            error: message,
            inputTokens: 0,
            outputTokens: 0,
            costUsd: 0,
          });
          expect(row.attempts).toEqual([
            expect.objectContaining({
              provider: `faulty-${upstream}`,
              status: fault.attempt.status,
              error: expect.stringMatching(fault.attempt.error),
            }),
          ]);
          expect(ledger).toEqual([]); // nothing was generated, nothing is billed
        },
      );
    });

    it.each(LATE.flatMap((fault) => modesFor(front, ['stream']).map((mode) => ({ ...fault, mode }))))(
      '$mode, $name: no failover; the stream ends with the error frame and no end of answer; one row (502), billed once',
      async ({ mode, ...fault }) => {
        faulty[upstream].script(fault.behaviour);
        const { requestId, res, raw } = await send(front, `failover-${upstream}`, mode);
        expect(res.status).toBe(200); // the headers went out before the fault
        expect(res.headers.get('content-type')).toMatch(
          mode === 'array-stream' ? /^application\/json/ : /^text\/event-stream/,
        );
        const view = readStream(front, raw, mode);
        // Part of the answer arrived, and the client can tell it is not all of it.
        expect(view.text.length).toBeGreaterThan(0);
        expect(FULL_ANSWER.startsWith(view.text)).toBe(true);
        expect(view.text).not.toBe(FULL_ANSWER);
        expect(view.finished).toBe(false);
        expect(view.ended).toBe(false);
        // The last event is the one error frame, in the client's protocol.
        expect(view.errors).toHaveLength(1);
        const last = view.events[view.events.length - 1];
        expect(JSON.parse(last.data)).toEqual(view.errors[0]);
        if (front === 'openai') {
          expect(last.event).toBeUndefined();
          expect(view.errors[0]).toEqual({
            error: expect.objectContaining({ message: expect.any(String), type: expect.any(String) }),
          });
          if (fault.gatewayFrame)
            expect(view.errors[0]).toEqual({
              error: {
                message: expect.stringMatching(/^The upstream stream (broke off|was interrupted)/),
                type: 'server_error',
                param: null,
                code: 'upstream_error',
              },
            });
        } else if (front === 'gemini') {
          expect(last.event).toBeUndefined();
          expect(view.errors[0]).toEqual({
            error: { code: expect.any(Number), message: expect.any(String), status: expect.any(String) },
          });
          if (fault.gatewayFrame)
            expect(view.errors[0]).toEqual({
              error: {
                code: 502,
                message: expect.stringMatching(/^The upstream stream (broke off|was interrupted)/),
                status: 'INTERNAL',
              },
            });
        } else {
          expect(last.event).toBe('error');
          expect(view.errors[0]).toEqual({
            type: 'error',
            error: { type: expect.any(String), message: expect.any(String) },
          });
          if (fault.gatewayFrame)
            expect(view.errors[0]).toEqual({
              type: 'error',
              error: {
                type: 'api_error',
                message: expect.stringMatching(/^The upstream stream (broke off|was interrupted)/),
              },
            });
        }
        expect(faulty[upstream].requests).toHaveLength(1);
        expect(healthy[upstream].requests).toHaveLength(0);

        const { row, ledger } = await recordOf(requestId);
        expect(row).toMatchObject({
          status: 502,
          protocol: front,
          stream: true,
          providerName: `faulty-${upstream}`,
          error: expect.stringMatching(fault.error),
        });
        expect(row.attempts).toEqual([
          expect.objectContaining({ provider: `faulty-${upstream}`, status: 200 }),
        ]);
        expect(row.ttftMs).not.toBeNull();
        // What was generated before the fault is billed, once.
        expect(row.outputTokens).toBeGreaterThan(0);
        expectBilledOnce(row, ledger);
      },
    );
  });

  describe('official SDKs', () => {
    it('the OpenAI SDK raises on the error frame of a truncated stream, after the partial text', async () => {
      faulty.openai.script({ kind: 'truncate_stream', afterChunks: 4 });
      const client = new OpenAI({ apiKey: key, baseURL: `${g.baseURL}/v1`, maxRetries: 0, timeout: 15_000 });
      const stream = await client.chat.completions.create({
        model: 'failover-openai',
        messages: [{ role: 'user', content: PROMPT }],
        stream: true,
      });
      sent++;
      let text = '';
      const err = await (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      })().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ code: 'upstream_error' });
      expect(text.length).toBeGreaterThan(0);
      expect(FULL_ANSWER.startsWith(text)).toBe(true);
      expect(healthy.openai.requests).toHaveLength(0);
    });

    it('the Anthropic SDK raises on the error event of a translated stream reset mid-way', async () => {
      faulty.openai.script({ kind: 'cut_stream', afterChunks: 4 });
      const client = new Anthropic({ apiKey: key, baseURL: g.baseURL, maxRetries: 0, timeout: 15_000 });
      const stream = client.messages.stream({
        model: 'failover-openai',
        max_tokens: 256,
        messages: [{ role: 'user', content: PROMPT }],
      });
      sent++;
      let text = '';
      stream.on('text', (t) => (text += t));
      const err = await stream.finalMessage().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Anthropic.APIError);
      expect((err as InstanceType<typeof Anthropic.APIError>).error).toMatchObject({
        type: 'error',
        error: { type: 'api_error' },
      });
      expect(text.length).toBeGreaterThan(0);
      expect(FULL_ANSWER.startsWith(text)).toBe(true);
      expect(healthy.openai.requests).toHaveLength(0);
    });
  });

  it('wrote exactly one log row per request, each with its own request id', async () => {
    await g.t.app.get(LogWriter).flush();
    const rows = await db().getRepository(RequestLog).find();
    expect(rows).toHaveLength(sent);
    expect(new Set(rows.map((r) => r.requestId)).size).toBe(sent);
    // Billed at most once per request.
    await g.t.app.get(LogWriter).flush();
    const billed = await db().getRepository(UsageLedgerEntry).find();
    expect(new Set(billed.map((r) => r.requestId)).size).toBe(billed.length);
    expect(billed.length).toBeLessThan(sent);
  });
});
