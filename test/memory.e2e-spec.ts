import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { MemoryRetention } from '../src/memory/memory-retention.service';
import { MemoryService } from '../src/memory/memory.service';
import { SessionSummarizer } from '../src/memory/session-summarizer.service';
import { RoutingService } from '../src/routing/routing.service';
import { GatewayFixture } from './helpers/gateway-fixture';
import { MockUpstream, startMockUpstream } from './helpers/mock-upstreams';
import { createUser } from './helpers/test-app';

/**
 * Memory (issue 7): server-side sessions resumed with X-Session-Id / metadata.session_id. The mock
 * upstreams record what they receive, so each test checks that the full history reached them.
 */
type Json = Record<string, unknown>;

const g = new GatewayFixture();
let openaiUp: MockUpstream;
let anthropicUp: MockUpstream;
let geminiUp: MockUpstream;
let alice: { token: string; id: string };
let bob: { token: string; id: string };
let viewer: { token: string; id: string };
let aliceKey1 = '';
let aliceKey2 = '';
let bobKey = '';

const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

async function memberKey(token: string, body: Json = { name: 'k' }): Promise<string> {
  const res = await g.t.http.post('/api/api-keys').set(auth(token)).send(body);
  if (res.status !== 201) throw new Error(`key: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.key as string;
}

async function newSession(key: string, body: Json = {}): Promise<string> {
  const res = await g.t.http.post('/v1/sessions').set(auth(key)).send(body);
  expect(res.status).toBe(201);
  return res.body.id as string;
}

const openai = (key: string, opts: { timeout?: number } = {}) => g.client(key, opts);
const anthropic = (key: string) =>
  new Anthropic({ apiKey: key, baseURL: `${g.baseURL}/anthropic`, maxRetries: 0 });

/** Text of an OpenAI / Anthropic content value. */
function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return (content as Json[]).map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
}

/** The conversation an upstream received, as "role: text" lines (system first when present). */
function transcript(up: MockUpstream, i = -1): string[] {
  const req = up.requests.at(i)!;
  const body = req.body as Json;
  const out: string[] = [];
  if (up.protocol === 'gemini') {
    const si = body.systemInstruction as { parts: Json[] } | undefined;
    if (si) out.push(`system: ${text(si.parts)}`);
    for (const c of body.contents as Json[])
      out.push(`${c.role === 'model' ? 'assistant' : (c.role as string)}: ${text(c.parts)}`);
    return out;
  }
  if (up.protocol === 'anthropic' && body.system !== undefined) out.push(`system: ${text(body.system)}`);
  for (const m of body.messages as Json[]) out.push(`${m.role as string}: ${text(m.content)}`);
  return out;
}

async function sessionDetail(key: string, id: string) {
  const res = await g.t.http.get(`/v1/sessions/${id}`).set(auth(key));
  expect(res.status).toBe(200);
  return res.body as Json & { messages: { seq: number; role: string; content: Json[] }[] };
}

beforeAll(async () => {
  await g.start({ LOG_LEVEL: process.env.MEMORY_TEST_LOG_LEVEL ?? 'silent' });
  openaiUp = await startMockUpstream('openai');
  anthropicUp = await startMockUpstream('anthropic');
  geminiUp = await startMockUpstream('gemini');
  const pOpen = await g.provider({
    name: 'p-openai',
    type: 'openai-compatible',
    baseUrl: openaiUp.url,
    credentials: [{ key: 'sk-o-0000000001' }],
  });
  const pAnth = await g.provider({
    name: 'p-anthropic',
    type: 'anthropic',
    baseUrl: anthropicUp.url,
    credentials: [{ key: 'sk-a-0000000001' }],
  });
  const pGem = await g.provider({
    name: 'p-gemini',
    type: 'gemini',
    baseUrl: geminiUp.url,
    credentials: [{ key: 'gk-0000000000001' }],
  });
  await g.model({ name: 'm-gemini', routes: [{ providerId: pGem, upstreamModel: 'up-gemini' }] });
  await g.model({ name: 'm-openai', routes: [{ providerId: pOpen, upstreamModel: 'up-openai' }] });
  await g.model({ name: 'm-anthropic', routes: [{ providerId: pAnth, upstreamModel: 'up-anthropic' }] });
  alice = await createUser(g.t, g.admin, 'alice@example.com', 'member');
  bob = await createUser(g.t, g.admin, 'bob@example.com', 'member');
  viewer = await createUser(g.t, g.admin, 'viewer@example.com', 'viewer');
  aliceKey1 = await memberKey(alice.token, { name: 'laptop' });
  aliceKey2 = await memberKey(alice.token, { name: 'phone' });
  bobKey = await memberKey(bob.token, { name: 'bob' });
});
beforeEach(() => {
  openaiUp.reset();
  anthropicUp.reset();
  geminiUp.reset();
  g.t.app.get(RoutingService).clearCooldowns();
});
afterAll(async () => {
  await openaiUp?.close();
  await anthropicUp?.close();
  await geminiUp?.close();
  await g.close();
});

describe('3-turn conversations: the client sends only the newest message', () => {
  const expected3 = ['user: one', 'assistant: echo: one', 'user: two', 'assistant: echo: two', 'user: three'];

  it('OpenAI SDK, non-streaming → OpenAI upstream', async () => {
    const sid = await newSession(aliceKey1, { title: 'openai json' });
    const c = openai(aliceKey1);
    for (const t of ['one', 'two', 'three']) {
      const r = await c.chat.completions.create(
        { model: 'm-openai', messages: [{ role: 'user', content: t }] },
        { headers: { 'X-Session-Id': sid } },
      );
      expect(r.choices[0].message.content).toBe(`echo: ${t}`);
    }
    expect(openaiUp.requests).toHaveLength(3);
    expect(transcript(openaiUp)).toEqual(expected3);
    const d = await sessionDetail(aliceKey1, sid);
    expect(d.messageCount).toBe(6);
    expect(d.messages.map((m) => m.seq)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(d.messages[5]).toMatchObject({
      role: 'assistant',
      content: [{ type: 'text', text: 'echo: three' }],
    });
  });

  it('OpenAI SDK, streaming → OpenAI upstream', async () => {
    const sid = await newSession(aliceKey1, { systemPrompt: 'Be brief.' });
    const c = openai(aliceKey1);
    for (const t of ['one', 'two', 'three']) {
      let out = '';
      const s = await c.chat.completions.create(
        { model: 'm-openai', messages: [{ role: 'user', content: t }], stream: true },
        { headers: { 'X-Session-Id': sid } },
      );
      for await (const ch of s) out += ch.choices[0]?.delta?.content ?? '';
      expect(out).toBe(`echo: ${t}`);
    }
    expect(transcript(openaiUp)).toEqual(['system: Be brief.', ...expected3]);
    expect((await sessionDetail(aliceKey1, sid)).messageCount).toBe(6);
  });

  it('Anthropic SDK, non-streaming, metadata.session_id → Anthropic upstream (pass-through)', async () => {
    const sid = await newSession(aliceKey1, { systemPrompt: 'Session system.' });
    const c = anthropic(aliceKey1);
    for (const t of ['one', 'two', 'three']) {
      const r = await c.messages.create({
        model: 'm-anthropic',
        max_tokens: 100,
        metadata: { session_id: sid } as Anthropic.Metadata,
        messages: [{ role: 'user', content: t }],
      });
      expect(text(r.content)).toBe(`echo: ${t}`);
    }
    expect(transcript(anthropicUp)).toEqual(['system: Session system.', ...expected3]);
    // metadata.session_id is the gateway's: it never reaches the upstream.
    expect((anthropicUp.requests.at(-1)!.body as Json).metadata).toBeUndefined();
  });

  it('Anthropic SDK, streaming, X-Session-Id → Anthropic upstream', async () => {
    const sid = await newSession(aliceKey1);
    const c = anthropic(aliceKey1);
    for (const t of ['one', 'two', 'three']) {
      const s = c.messages.stream(
        { model: 'm-anthropic', max_tokens: 100, messages: [{ role: 'user', content: t }] },
        { headers: { 'X-Session-Id': sid } },
      );
      expect(text((await s.finalMessage()).content)).toBe(`echo: ${t}`);
    }
    expect(transcript(anthropicUp)).toEqual(expected3);
  });

  it('cross-protocol: Anthropic SDK → OpenAI upstream, streaming and not', async () => {
    const sid = await newSession(aliceKey1, { systemPrompt: 'Cross.' });
    const c = anthropic(aliceKey1);
    const h = { headers: { 'X-Session-Id': sid } };
    const r1 = await c.messages.create(
      { model: 'm-openai', max_tokens: 100, messages: [{ role: 'user', content: 'one' }] },
      h,
    );
    expect(text(r1.content)).toBe('echo: one');
    const meta = await g.t.http
      .post('/v1/messages')
      .set(auth(aliceKey1))
      .send({
        model: 'm-openai',
        max_tokens: 10,
        metadata: { session_id: sid },
        messages: [{ role: 'user', content: 'meta' }],
      });
    expect(meta.status).toBe(200);
    expect(meta.headers['x-session-id']).toBe(sid);
    expect(meta.headers['x-gateway-dropped-fields'] ?? '').not.toContain('metadata.session_id');
    const s = c.messages.stream(
      { model: 'm-openai', max_tokens: 100, messages: [{ role: 'user', content: 'two' }] },
      h,
    );
    expect(text((await s.finalMessage()).content)).toBe('echo: two');
    await c.messages.create(
      { model: 'm-openai', max_tokens: 100, messages: [{ role: 'user', content: 'three' }] },
      h,
    );
    expect(transcript(openaiUp)).toEqual([
      'system: Cross.',
      'user: one',
      'assistant: echo: one',
      'user: meta',
      'assistant: echo: meta',
      'user: two',
      'assistant: echo: two',
      'user: three',
    ]);
  });

  it('cross-protocol: OpenAI SDK → Anthropic upstream, then the same session on the OpenAI upstream', async () => {
    const sid = await newSession(aliceKey1);
    const c = openai(aliceKey1);
    const h = { headers: { 'X-Session-Id': sid } };
    await c.chat.completions.create(
      { model: 'm-anthropic', messages: [{ role: 'user', content: 'one' }] },
      h,
    );
    let out = '';
    for await (const ch of await c.chat.completions.create(
      { model: 'm-anthropic', messages: [{ role: 'user', content: 'two' }], stream: true },
      h,
    ))
      out += ch.choices[0]?.delta?.content ?? '';
    expect(out).toBe('echo: two');
    await c.chat.completions.create({ model: 'm-openai', messages: [{ role: 'user', content: 'three' }] }, h);
    expect(transcript(anthropicUp)).toEqual(['user: one', 'assistant: echo: one', 'user: two']);
    expect(transcript(openaiUp)).toEqual(expected3);
  });
});

describe('the other front doors', () => {
  const gemini = (key: string, sid: string) =>
    new GoogleGenAI({
      apiKey: key,
      httpOptions: { baseUrl: `${g.baseURL}/gemini`, headers: { 'X-Session-Id': sid } },
    });

  it('Gemini SDK → Gemini upstream (pass-through), streaming and not', async () => {
    const sid = await newSession(aliceKey1, { systemPrompt: 'Gemini system.' });
    const c = gemini(aliceKey1, sid);
    expect((await c.models.generateContent({ model: 'm-gemini', contents: 'one' })).text).toBe('echo: one');
    let out = '';
    for await (const ch of await c.models.generateContentStream({ model: 'm-gemini', contents: 'two' }))
      out += ch.text ?? '';
    expect(out).toBe('echo: two');
    await c.models.generateContent({ model: 'm-gemini', contents: 'three' });
    expect(transcript(geminiUp)).toEqual([
      'system: Gemini system.',
      'user: one',
      'assistant: echo: one',
      'user: two',
      'assistant: echo: two',
      'user: three',
    ]);
  });

  it('Gemini SDK → OpenAI upstream and OpenAI Responses → OpenAI upstream share one session', async () => {
    const sid = await newSession(aliceKey1);
    await gemini(aliceKey1, sid).models.generateContent({ model: 'm-openai', contents: 'one' });
    const c = openai(aliceKey1);
    const h = { headers: { 'X-Session-Id': sid } };
    expect((await c.responses.create({ model: 'm-openai', input: 'two' }, h)).output_text).toBe('echo: two');
    let out = '';
    for await (const ev of await c.responses.create({ model: 'm-openai', input: 'three', stream: true }, h))
      if (ev.type === 'response.output_text.delta') out += ev.delta;
    expect(out).toBe('echo: three');
    expect(transcript(openaiUp)).toEqual([
      'user: one',
      'assistant: echo: one',
      'user: two',
      'assistant: echo: two',
      'user: three',
    ]);
    expect((await sessionDetail(aliceKey1, sid)).messageCount).toBe(6);
  });
});

describe('ownership', () => {
  it('resumes from a second key of the same user', async () => {
    const sid = await newSession(aliceKey1);
    const h = { headers: { 'X-Session-Id': sid } };
    await openai(aliceKey1).chat.completions.create(
      { model: 'm-openai', messages: [{ role: 'user', content: 'from laptop' }] },
      h,
    );
    const r = await openai(aliceKey2).chat.completions.create(
      { model: 'm-openai', messages: [{ role: 'user', content: 'from phone' }] },
      h,
    );
    expect(r.choices[0].message.content).toBe('echo: from phone');
    expect(transcript(openaiUp)).toEqual([
      'user: from laptop',
      'assistant: echo: from laptop',
      'user: from phone',
    ]);
    expect((await sessionDetail(aliceKey2, sid)).messageCount).toBe(4);
  });

  it("another user's key gets 404 in each protocol's shape, and nothing reaches the upstream", async () => {
    const sid = await newSession(aliceKey1);
    const o = await g.t.http
      .post('/v1/chat/completions')
      .set({ ...auth(bobKey), 'x-session-id': sid })
      .send({ model: 'm-openai', messages: [{ role: 'user', content: 'steal' }] });
    expect(o.status).toBe(404);
    expect(o.body.error).toMatchObject({ code: 'session_not_found' });
    const a = await g.t.http
      .post('/v1/messages')
      .set(auth(bobKey))
      .send({
        model: 'm-anthropic',
        max_tokens: 10,
        metadata: { session_id: sid },
        messages: [{ role: 'user', content: 'steal' }],
      });
    expect(a.status).toBe(404);
    expect(a.body).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    await expect(
      openai(bobKey).chat.completions.create(
        { model: 'm-openai', messages: [{ role: 'user', content: 'x' }] },
        { headers: { 'X-Session-Id': sid } },
      ),
    ).rejects.toMatchObject({ status: 404 });
    for (const path of [`/v1/sessions/${sid}`, `/v1/sessions/${sid}/export`])
      expect((await g.t.http.get(path).set(auth(bobKey))).status).toBe(404);
    expect((await g.t.http.delete(`/v1/sessions/${sid}`).set(auth(bobKey))).status).toBe(404);
    expect((await g.t.http.get('/v1/sessions').set(auth(bobKey))).body.data).toEqual([]);
    // An unknown session id is indistinguishable from someone else's.
    const unknown = await g.t.http
      .post('/v1/chat/completions')
      .set({ ...auth(aliceKey1), 'x-session-id': '00000000-0000-4000-8000-000000000000' })
      .send({ model: 'm-openai', messages: [{ role: 'user', content: 'x' }] });
    expect(unknown.status).toBe(404);
    expect(openaiUp.requests).toHaveLength(0);
    expect(anthropicUp.requests).toHaveLength(0);
  });

  it('a non-UUID X-Session-Id stays a plain sticky-routing key (no memory, no 404)', async () => {
    const c = openai(aliceKey1);
    for (const t of ['a', 'b'])
      await c.chat.completions.create(
        { model: 'm-openai', messages: [{ role: 'user', content: t }] },
        { headers: { 'X-Session-Id': 'my-sticky-key' } },
      );
    expect(transcript(openaiUp)).toEqual(['user: b']);
  });
});

describe('concurrency', () => {
  it('20 parallel appends to one session lose nothing', async () => {
    const sid = await newSession(aliceKey1);
    const c = openai(aliceKey1, { timeout: 60_000 });
    const texts = Array.from({ length: 20 }, (_, i) => `parallel ${i}`);
    const replies = await Promise.all(
      texts.map((t) =>
        c.chat.completions.create(
          { model: 'm-openai', messages: [{ role: 'user', content: t }] },
          { headers: { 'X-Session-Id': sid } },
        ),
      ),
    );
    expect(replies.map((r) => r.choices[0].message.content).sort()).toEqual(
      texts.map((t) => `echo: ${t}`).sort(),
    );
    const d = await sessionDetail(aliceKey1, sid);
    expect(d.messageCount).toBe(40);
    expect(d.messages.map((m) => m.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // Turns never interleave: each user message is followed by its own answer.
    for (let i = 0; i < 40; i += 2) {
      expect(d.messages[i].role).toBe('user');
      expect(d.messages[i + 1].role).toBe('assistant');
      expect(d.messages[i + 1].content[0].text).toBe(`echo: ${d.messages[i].content[0].text as string}`);
    }
    expect(new Set(d.messages.filter((m) => m.role === 'user').map((m) => m.content[0].text))).toEqual(
      new Set(texts),
    );
    // Each request saw the whole conversation before it: request k carried 2k history messages.
    const sizes = openaiUp.requests
      .map((r) => ((r.body as Json).messages as unknown[]).length)
      .sort((a, b) => a - b);
    expect(sizes).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i + 1));
  });
});

describe('context window', () => {
  it('trimming keeps the system prompt and the newest turns, and records what was trimmed', async () => {
    const sid = await newSession(aliceKey1, {
      systemPrompt: 'KEEP-ME system prompt.',
      maxContextTokens: 256,
    });
    const c = openai(aliceKey1);
    // ~40 tokens per user message, about as much per echoed answer: 256 tokens hold ~3 turns.
    const long = (i: number) => `turn ${i}: ${'lorem ipsum dolor sit amet '.repeat(7)}`;
    let last: Awaited<ReturnType<typeof c.chat.completions.create>> | undefined;
    for (let i = 0; i < 6; i++) {
      const raw = await c.chat.completions
        .create(
          { model: 'm-openai', messages: [{ role: 'user', content: long(i) }] },
          { headers: { 'X-Session-Id': sid } },
        )
        .withResponse();
      last = raw.data;
      if (i === 5) expect(Number(raw.response.headers.get('x-session-trimmed-messages'))).toBeGreaterThan(0);
    }
    expect(last).toBeDefined();
    const sent = transcript(openaiUp);
    expect(sent[0]).toBe('system: KEEP-ME system prompt.');
    expect(sent.at(-1)).toBe(`user: ${long(5)}`);
    // The oldest turns are gone, the newest kept, whole turns only (starts with a user message).
    expect(sent.some((l) => l.startsWith('user: turn 0'))).toBe(false);
    expect(sent).toContain(`user: ${long(4)}`);
    expect(sent).toContain(`assistant: echo: ${long(4)}`);
    expect(sent[1].startsWith('user: ')).toBe(true);
    const d = await sessionDetail(aliceKey1, sid);
    expect(d.messageCount).toBe(12); // storage keeps everything
    const trimmed = d.trimmed as { messages: number; tokens: number; at: string | null };
    expect(trimmed.messages).toBe(12 - 2 - (sent.length - 2)); // history before turn 5 minus what was sent
    expect(trimmed.tokens).toBeGreaterThan(0);
    expect(trimmed.at).not.toBeNull();
  });
});

describe('tool calls are stored and replayed', () => {
  it('assistant tool call and tool result survive into the next request', async () => {
    const sid = await newSession(aliceKey1);
    const c = openai(aliceKey1);
    const h = { headers: { 'X-Session-Id': sid } };
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } },
    ];
    openaiUp.script({ kind: 'tool_call', name: 'get_weather', arguments: '{"city":"Paris"}' });
    let callId = '';
    const s = await c.chat.completions.create(
      { model: 'm-openai', messages: [{ role: 'user', content: 'weather?' }], tools, stream: true },
      h,
    );
    for await (const ch of s) callId ||= ch.choices[0]?.delta?.tool_calls?.[0]?.id ?? '';
    expect(callId).not.toBe('');
    await c.chat.completions.create(
      { model: 'm-openai', messages: [{ role: 'tool', tool_call_id: callId, content: 'sunny-42' }], tools },
      h,
    );
    const msgs = (openaiUp.requests.at(-1)!.body as Json).messages as Json[];
    expect(msgs.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(msgs[1].tool_calls).toEqual([
      { id: callId, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
    ]);
    expect(msgs[2]).toMatchObject({ tool_call_id: callId, content: 'sunny-42' });
    const d = await sessionDetail(aliceKey1, sid);
    expect(d.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
  });
});

describe('/v1/sessions', () => {
  it('create, list (paginated), rename, fork, export, delete', async () => {
    const key = await memberKey(alice.token, { name: 'crud' });
    const sid = await newSession(key, { title: 'Original', model: 'm-openai' });
    const h = { headers: { 'X-Session-Id': sid } };
    for (const t of ['first', 'second'])
      await openai(key).chat.completions.create(
        { model: 'm-openai', messages: [{ role: 'user', content: t }] },
        h,
      );

    const renamed = await g.t.http.patch(`/v1/sessions/${sid}`).set(auth(key)).send({ title: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ title: 'Renamed', messageCount: 4 });
    expect((await g.t.http.patch(`/v1/sessions/${sid}`).set(auth(key)).send({ title: '' })).status).toBe(400);
    expect((await g.t.http.patch(`/v1/sessions/${sid}`).set(auth(key)).send({ bogus: 1 })).status).toBe(400);

    const fork = await g.t.http.post(`/v1/sessions/${sid}/fork`).set(auth(key)).send({ upToMessage: 1 });
    expect(fork.status).toBe(201);
    expect(fork.body).toMatchObject({ title: 'Renamed (fork)', messageCount: 2 });
    expect(fork.body.id).not.toBe(sid);
    const fd = await sessionDetail(key, fork.body.id as string);
    expect(fd.messages.map((m) => m.content[0].text)).toEqual(['first', 'echo: first']);
    expect(
      (await g.t.http.post(`/v1/sessions/${sid}/fork`).set(auth(key)).send({ upToMessage: 4 })).status,
    ).toBe(400);
    // The fork continues on its own: the original is untouched.
    await openai(key).chat.completions.create(
      { model: 'm-openai', messages: [{ role: 'user', content: 'branch' }] },
      { headers: { 'X-Session-Id': fork.body.id as string } },
    );
    expect(transcript(openaiUp)).toEqual(['user: first', 'assistant: echo: first', 'user: branch']);
    expect((await sessionDetail(key, sid)).messageCount).toBe(4);

    const page1 = await g.t.http.get('/v1/sessions?limit=1&offset=0').set(auth(key));
    expect(page1.status).toBe(200);
    expect(page1.body.data).toHaveLength(1);
    expect(page1.body.total).toBeGreaterThanOrEqual(2);
    expect(page1.body.data[0].id).toBe(fork.body.id); // most recently active first
    expect((await g.t.http.get('/v1/sessions?limit=0').set(auth(key))).status).toBe(400);

    const json = await g.t.http.get(`/v1/sessions/${sid}/export?format=json`).set(auth(key));
    expect(json.status).toBe(200);
    expect(json.headers['content-disposition']).toContain(`session-${sid}.json`);
    const exported = JSON.parse(json.text) as { session: Json; messages: Json[] };
    expect(exported.session).toMatchObject({ id: sid, title: 'Renamed' });
    expect(exported.messages).toHaveLength(4);
    const md = await g.t.http.get(`/v1/sessions/${sid}/export?format=markdown`).set(auth(key));
    expect(md.status).toBe(200);
    expect(md.headers['content-type']).toContain('text/markdown');
    expect(md.text).toContain('# Renamed');
    expect(md.text).toContain('## User (#0)\n\nfirst');
    expect(md.text).toContain('## Assistant (#3)\n\necho: second');
    expect((await g.t.http.get(`/v1/sessions/${sid}/export?format=pdf`).set(auth(key))).status).toBe(400);

    expect((await g.t.http.delete(`/v1/sessions/${sid}`).set(auth(key))).status).toBe(204);
    expect((await g.t.http.get(`/v1/sessions/${sid}`).set(auth(key))).status).toBe(404);
    const after = await g.t.http
      .post('/v1/chat/completions')
      .set({ ...auth(key), 'x-session-id': sid })
      .send({ model: 'm-openai', messages: [{ role: 'user', content: 'x' }] });
    expect(after.status).toBe(404);
    // Idle sessions expire after MEMORY_RETENTION_DAYS: only those last active before the cutoff.
    const idle = await newSession(key, { title: 'idle' });
    const ds = g.t.app.get(DataSource);
    await ds.query(`UPDATE sessions SET updated_at = now() - interval '100 days' WHERE id = $1`, [idle]);
    expect(await g.t.app.get(MemoryRetention).purge(new Date(Date.now() - 90 * 86_400_000))).toBe(2);
    expect((await g.t.http.get(`/v1/sessions/${idle}`).set(auth(key))).status).toBe(404);
    expect((await g.t.http.get(`/v1/sessions/${fork.body.id as string}`).set(auth(key))).status).toBe(200);
    // The retention job removes deleted sessions and their messages.
    const left = (await ds.query('SELECT count(*)::int AS n FROM session_messages WHERE session_id = $1', [
      sid,
    ])) as {
      n: number;
    }[];
    expect(left[0].n).toBe(0);
  });

  it('validates input and needs a key', async () => {
    expect((await g.t.http.post('/v1/sessions').send({})).status).toBe(401);
    expect(
      (await g.t.http.post('/v1/sessions').set(auth(aliceKey1)).send({ maxContextTokens: 5 })).status,
    ).toBe(400);
    expect((await g.t.http.get('/v1/sessions/not-a-uuid').set(auth(aliceKey1))).status).toBe(400);
    const bad = await g.t.http
      .post('/v1/messages')
      .set(auth(aliceKey1))
      .send({
        model: 'm-anthropic',
        max_tokens: 5,
        metadata: { session_id: 'nope' },
        messages: [{ role: 'user', content: 'x' }],
      });
    expect(bad.status).toBe(400);
  });
});

describe('per-key opt-out', () => {
  it('a key with memory turned off ignores session ids and cannot use /v1/sessions', async () => {
    const sid = await newSession(aliceKey1);
    const off = await memberKey(alice.token, { name: 'no-memory', memoryEnabled: false });
    const list = await g.t.http.get('/api/api-keys').set(auth(alice.token));
    expect(list.body.find((k: Json) => k.name === 'no-memory')).toMatchObject({ memoryEnabled: false });
    for (const t of ['a', 'b']) {
      const r = await openai(off).chat.completions.create(
        { model: 'm-openai', messages: [{ role: 'user', content: t }] },
        { headers: { 'X-Session-Id': sid } },
      );
      expect(r.choices[0].message.content).toBe(`echo: ${t}`);
    }
    expect(transcript(openaiUp)).toEqual(['user: b']);
    expect((await sessionDetail(aliceKey1, sid)).messageCount).toBe(0);
    // metadata.session_id is explicit: refused rather than ignored.
    const explicit = await g.t.http
      .post('/v1/messages')
      .set(auth(off))
      .send({
        model: 'm-anthropic',
        max_tokens: 5,
        metadata: { session_id: sid },
        messages: [{ role: 'user', content: 'x' }],
      });
    expect(explicit.status).toBe(403);
    expect(explicit.body.error.type).toBe('permission_error');
    const denied = await g.t.http.get('/v1/sessions').set(auth(off));
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: 'memory_disabled' });
    // Turned back on through the API.
    const keys = await g.t.http.get('/api/api-keys').set(auth(alice.token));
    const id = (keys.body as Json[]).find((k) => k.name === 'no-memory')!.id as string;
    const on = await g.t.http
      .patch(`/api/api-keys/${id}`)
      .set(auth(alice.token))
      .send({ memoryEnabled: true });
    expect(on.body.memoryEnabled).toBe(true);
    expect((await g.t.http.get('/v1/sessions').set(auth(off))).status).toBe(200);
  });
});

describe('/api/sessions (dashboard)', () => {
  it('members see only their own sessions, admins their tenant, viewers read only; search by title or content', async () => {
    const aliceSid = await newSession(aliceKey1, { title: 'Alice private plans' });
    await openai(aliceKey1).chat.completions.create(
      { model: 'm-openai', messages: [{ role: 'user', content: 'the zanzibar secret' }] },
      { headers: { 'X-Session-Id': aliceSid } },
    );
    const bobSid = await newSession(bobKey, { title: 'Bob notes' });

    const bobList = await g.t.http.get('/api/sessions').set(auth(bob.token));
    expect(bobList.status).toBe(200);
    expect((bobList.body.data as Json[]).map((s) => s.id)).toEqual([bobSid]);
    expect((await g.t.http.get(`/api/sessions/${aliceSid}`).set(auth(bob.token))).status).toBe(404);
    expect((await g.t.http.delete(`/api/sessions/${aliceSid}`).set(auth(bob.token))).status).toBe(404);
    expect((await g.t.http.get(`/api/sessions?q=zanzibar`).set(auth(bob.token))).body.data).toEqual([]);

    const adminList = await g.t.http.get('/api/sessions?limit=200').set(auth(g.admin));
    const ids = (adminList.body.data as Json[]).map((s) => s.id);
    expect(ids).toEqual(expect.arrayContaining([aliceSid, bobSid]));
    const byContent = await g.t.http.get('/api/sessions?q=ZANZIBAR').set(auth(g.admin));
    expect((byContent.body.data as Json[]).map((s) => s.id)).toEqual([aliceSid]);
    const byTitle = await g.t.http.get('/api/sessions?q=bob%20notes').set(auth(g.admin));
    expect((byTitle.body.data as Json[]).map((s) => s.id)).toEqual([bobSid]);
    expect((await g.t.http.get(`/api/sessions?q=%25`).set(auth(g.admin))).body.data).toEqual([]);
    const byUser = await g.t.http.get(`/api/sessions?userId=${bob.id}`).set(auth(g.admin));
    expect((byUser.body.data as Json[]).map((s) => s.id)).toEqual([bobSid]);

    const detail = await g.t.http.get(`/api/sessions/${aliceSid}`).set(auth(g.admin));
    expect(detail.status).toBe(200);
    expect(detail.body.messages).toHaveLength(2);
    const md = await g.t.http.get(`/api/sessions/${aliceSid}/export?format=markdown`).set(auth(alice.token));
    expect(md.text).toContain('the zanzibar secret');

    // Viewers read (their own), never delete.
    expect((await g.t.http.get('/api/sessions').set(auth(viewer.token))).status).toBe(200);
    expect((await g.t.http.delete(`/api/sessions/${bobSid}`).set(auth(viewer.token))).status).toBe(403);
    expect((await g.t.http.get('/api/sessions').send()).status).toBe(401);

    expect((await g.t.http.delete(`/api/sessions/${bobSid}`).set(auth(bob.token))).status).toBe(204);
    expect((await g.t.http.delete(`/api/sessions/${aliceSid}`).set(auth(g.admin))).status).toBe(204);
    expect((await g.t.http.get(`/v1/sessions/${aliceSid}`).set(auth(aliceKey1))).status).toBe(404);
  });
});

describe('OpenAPI', () => {
  it('documents /v1/sessions (API key) and /api/sessions (JWT)', async () => {
    const doc = (await g.t.http.get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, { summary?: string; security?: unknown[] }>>;
      components: { schemas: Record<string, { properties: Record<string, { example?: unknown }> }> };
    };
    for (const p of [
      '/v1/sessions',
      '/v1/sessions/{id}',
      '/v1/sessions/{id}/fork',
      '/v1/sessions/{id}/export',
    ])
      for (const op of Object.values(doc.paths[p])) {
        expect(op.summary).toEqual(expect.any(String));
        expect(op.security).toEqual(expect.arrayContaining([{ 'api-key': [] }]));
      }
    for (const p of ['/api/sessions', '/api/sessions/{id}', '/api/sessions/{id}/export'])
      for (const op of Object.values(doc.paths[p])) expect(op.security).toEqual([{ jwt: [] }]);
    expect(doc.components.schemas.CreateSessionDto.properties.title.example).toBe('Trip planning');
  });
});

describe('storage', () => {
  it('loads a session with 1,000 messages (time printed)', async () => {
    const sid = await newSession(aliceKey1);
    const memory = g.t.app.get(MemoryService);
    for (let i = 0; i < 10; i++) {
      await memory.append(
        sid,
        Array.from({ length: 100 }, (_, j) => ({
          role: (j % 2 ? 'assistant' : 'user') as 'user' | 'assistant',
          parts: [{ type: 'text' as const, text: `message ${i * 100 + j} ${'x'.repeat(200)}` }],
          tokens: 50,
        })),
      );
    }
    const ds = g.t.app.get(DataSource);
    const load = () =>
      ds.query('SELECT seq, role, content, tokens FROM session_messages WHERE session_id = $1 ORDER BY seq', [
        sid,
      ]);
    await load(); // warm
    const runs: number[] = [];
    let rows: unknown[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      rows = (await load()) as unknown[];
      runs.push(performance.now() - t0);
    }
    expect(rows).toHaveLength(1000);
    const plan = (await ds.query(
      'EXPLAIN SELECT seq, role, content, tokens FROM session_messages WHERE session_id = $1 ORDER BY seq',
      [sid],
    )) as { 'QUERY PLAN': string }[];
    runs.sort((a, b) => a - b);
    process.stdout.write(
      `memory: loading 1000 messages took ${runs.map((r) => r.toFixed(1)).join(' / ')} ms (sorted, 5 runs); plan: ${plan
        .map((p) => p['QUERY PLAN'])
        .join(' | ')}\n`,
    );
  });
});

describe('summarisation of trimmed turns (MEMORY_SUMMARY_MODEL, stretch goal)', () => {
  const g2 = new GatewayFixture();
  let key = '';

  beforeAll(async () => {
    await g2.start({ MEMORY_SUMMARY_MODEL: 'm-summary' });
    const pOpen = await g2.provider({
      name: 'p-openai',
      type: 'openai-compatible',
      baseUrl: openaiUp.url,
      credentials: [{ key: 'sk-o-0000000001' }],
    });
    const pMock = await g2.provider({ name: 'p-mock', type: 'mock' });
    await g2.model({ name: 'm-openai', routes: [{ providerId: pOpen, upstreamModel: 'up-openai' }] });
    await g2.model({ name: 'm-summary', routes: [{ providerId: pMock, upstreamModel: 'summariser' }] });
    key = await g2.key();
  });
  afterAll(async () => {
    await g2.close();
  });

  it('folds trimmed turns into the session summary and sends it as a system note', async () => {
    const res = await g2.t.http
      .post('/v1/sessions')
      .set(auth(key))
      .send({ systemPrompt: 'KEEP-ME.', maxContextTokens: 400 });
    const sid = res.body.id as string;
    const c = g2.client(key);
    const long = (i: number) => `turn ${i}: ${'lorem ipsum dolor sit amet '.repeat(7)}`;
    const summarizer = g2.t.app.get(SessionSummarizer);
    for (let i = 0; i < 7; i++) {
      await c.chat.completions.create(
        { model: 'm-openai', messages: [{ role: 'user', content: long(i) }] },
        { headers: { 'X-Session-Id': sid } },
      );
      await summarizer.idle(sid);
    }
    // Trimming starts at turn 5; the summary written after it is sent with turn 6.
    const d = (await g2.t.http.get(`/v1/sessions/${sid}`).set(auth(key))).body as Json;
    expect(d.summary).toEqual(expect.stringContaining('turn 0'));
    expect(d.summaryThrough).toEqual(expect.any(Number));
    const sent = transcript(openaiUp);
    expect(sent[0]).toBe('system: KEEP-ME.');
    const note = sent.find((l) => l.startsWith('system: Summary of the earlier part of this conversation'));
    expect(note).toContain('turn 0');
    expect(sent.some((l) => l.startsWith('user: turn 0'))).toBe(false);
    expect(sent.at(-1)).toBe(`user: ${long(6)}`);
    const md = await g2.t.http.get(`/v1/sessions/${sid}/export?format=markdown`).set(auth(key));
    expect(md.text).toContain('## Summary of messages 0–');
  });
});
