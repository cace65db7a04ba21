import type { RuntimeProvider } from '../routing/runtime.types';
import { balanceKind, balanceUrl, parseBalance } from './balance';

const provider = (baseUrl: string, config: Record<string, unknown> = {}): RuntimeProvider => ({
  id: 'p',
  name: 'p',
  type: 'openai-compatible',
  baseUrl,
  headers: {},
  timeoutMs: 1000,
  config,
  credentials: [],
});

describe('upstream balances', () => {
  it('knows the kind only from config.balance', () => {
    expect(balanceKind({ balance: 'openrouter' })).toBe('openrouter');
    expect(balanceKind({ balance: 'deepseek' })).toBe('deepseek');
    expect(balanceKind({ balance: 'other' })).toBeUndefined();
    expect(balanceKind({})).toBeUndefined();
  });

  it('derives the endpoint from the base URL unless config.balanceUrl overrides it', () => {
    expect(balanceUrl('openrouter', provider('https://openrouter.ai/api/v1'))).toBe(
      'https://openrouter.ai/api/v1/credits',
    );
    expect(balanceUrl('deepseek', provider('https://api.deepseek.com/v1'))).toBe(
      'https://api.deepseek.com/user/balance',
    );
    expect(balanceUrl('deepseek', provider('https://x/v1', { balanceUrl: 'http://127.0.0.1:9/b' }))).toBe(
      'http://127.0.0.1:9/b',
    );
  });

  it('parses OpenRouter credits (total - usage) and DeepSeek balance infos (USD preferred)', () => {
    expect(parseBalance('openrouter', { data: { total_credits: 10, total_usage: 7.25 } })).toEqual({
      amount: 2.75,
      currency: 'USD',
    });
    expect(
      parseBalance('deepseek', {
        is_available: true,
        balance_infos: [
          { currency: 'CNY', total_balance: '110.00' },
          { currency: 'USD', total_balance: '3.50' },
        ],
      }),
    ).toEqual({ amount: 3.5, currency: 'USD' });
    expect(parseBalance('deepseek', { balance_infos: [{ currency: 'CNY', total_balance: '1.00' }] })).toEqual(
      {
        amount: 1,
        currency: 'CNY',
      },
    );
    expect(() => parseBalance('openrouter', { nope: 1 })).toThrow(/unexpected/);
  });
});
