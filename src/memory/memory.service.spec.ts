import { loadAppConfig } from '../config/app-config';
import { GatewayError } from '../gateway/gateway-error';
import { MemoryService, titleFrom } from './memory.service';
import type { Session } from './session.entity';

const SID = '3f1c2b9e-8a47-4c51-9d2e-6b7a0c1d2e3f';

function service(env: Record<string, string> = {}): MemoryService {
  const config = loadAppConfig({
    DATA_DIR: '/tmp/lrp-memory-spec',
    JWT_SECRET: 'x'.repeat(40),
    ENCRYPTION_KEY: 'a'.repeat(64),
    ...env,
  });
  // Only the pure parts are exercised here; the repositories and locks are not touched.
  return new MemoryService(null as never, null as never, null as never, null as never, config, null as never);
}

describe('MemoryService.sessionIdOf', () => {
  const m = service();

  it('takes X-Session-Id when it is a UUID, on every front door', () => {
    for (const front of ['openai', 'anthropic', 'gemini', 'responses'] as const)
      expect(m.sessionIdOf(front, { 'x-session-id': SID.toUpperCase() }, {})).toBe(SID);
  });

  it('leaves other X-Session-Id values to sticky routing', () => {
    expect(m.sessionIdOf('openai', { 'x-session-id': 'my-sticky-key' }, {})).toBeUndefined();
  });

  it('reads Anthropic metadata.session_id and rejects a malformed one', () => {
    expect(m.sessionIdOf('anthropic', {}, { metadata: { session_id: SID } })).toBe(SID);
    expect(() => m.sessionIdOf('anthropic', {}, { metadata: { session_id: 42 } })).toThrow(GatewayError);
    // Only Anthropic bodies have this convention.
    expect(m.sessionIdOf('responses', {}, { metadata: { session_id: SID } })).toBeUndefined();
  });

  it('reads the OpenAI user field only with MEMORY_SESSION_FROM_USER', () => {
    expect(m.sessionIdOf('openai', {}, { user: SID })).toBeUndefined();
    const opted = service({ MEMORY_SESSION_FROM_USER: 'true' });
    expect(opted.sessionIdOf('openai', {}, { user: SID })).toBe(SID);
    expect(opted.sessionIdOf('openai', {}, { user: 'end-user-17' })).toBeUndefined();
  });
});

describe('MemoryService.contextBudget', () => {
  it('session setting, then the model, then MEMORY_MAX_CONTEXT_TOKENS', () => {
    const m = service({
      MEMORY_MAX_CONTEXT_TOKENS: '4000',
      MEMORY_MODEL_CONTEXT_TOKENS: 'big=100000, small = 2000',
    });
    const s = (maxContextTokens: number | null) => ({ maxContextTokens }) as Session;
    expect(m.contextBudget(s(1234), 'big')).toBe(1234);
    expect(m.contextBudget(s(null), 'big')).toBe(100000);
    expect(m.contextBudget(s(null), 'small')).toBe(2000);
    expect(m.contextBudget(s(null), 'other')).toBe(4000);
  });

  it('refuses a malformed per-model list at boot', () => {
    expect(() => service({ MEMORY_MODEL_CONTEXT_TOKENS: 'big:100' })).toThrow(/MEMORY_MODEL_CONTEXT_TOKENS/);
  });
});

describe('titleFrom', () => {
  it('one line, at most 80 characters', () => {
    expect(titleFrom('  Plan\n three   days ')).toBe('Plan three days');
    expect(titleFrom('x'.repeat(100))).toHaveLength(80);
    expect(titleFrom('   ')).toBeNull();
  });
});
