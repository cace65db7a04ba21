import { getJson, joinUrl } from '../providers/adapters/http';
import type { RuntimeCredential, RuntimeProvider } from '../routing/runtime.types';

/** Upstream balance APIs the health checks know (set as a provider's `config.balance`). */
export const BALANCE_KINDS = ['openrouter', 'deepseek'] as const;
export type BalanceKind = (typeof BALANCE_KINDS)[number];

export interface Balance {
  amount: number;
  currency: string;
}

export function balanceKind(config: Record<string, unknown>): BalanceKind | undefined {
  const k = config.balance;
  return typeof k === 'string' && (BALANCE_KINDS as readonly string[]).includes(k)
    ? (k as BalanceKind)
    : undefined;
}

/**
 * Where the balance is read: `config.balanceUrl` when set, else
 * - OpenRouter: `<baseUrl>/credits` (base `https://openrouter.ai/api/v1` → `/api/v1/credits`);
 * - DeepSeek: `<origin>/user/balance`.
 */
export function balanceUrl(kind: BalanceKind, provider: RuntimeProvider): string {
  const override = provider.config.balanceUrl;
  if (typeof override === 'string' && /^https?:\/\//.test(override)) return override;
  if (kind === 'openrouter') return joinUrl(provider.baseUrl, 'credits');
  return joinUrl(new URL(provider.baseUrl).origin, 'user/balance');
}

/** Reads the balance out of the upstream's answer; throws when the shape is not recognised. */
export function parseBalance(kind: BalanceKind, json: unknown): Balance {
  if (kind === 'openrouter') {
    // { data: { total_credits: 10, total_usage: 2.5 } }
    const d = (json as { data?: { total_credits?: unknown; total_usage?: unknown } })?.data;
    const total = Number(d?.total_credits);
    const used = Number(d?.total_usage ?? 0);
    if (!Number.isFinite(total) || !Number.isFinite(used))
      throw new Error('unexpected OpenRouter credits answer');
    return { amount: Math.round((total - used) * 1e6) / 1e6, currency: 'USD' };
  }
  // { is_available: true, balance_infos: [{ currency: 'CNY', total_balance: '110.00', … }] }
  const infos = (json as { balance_infos?: { currency?: unknown; total_balance?: unknown }[] })
    ?.balance_infos;
  const info = Array.isArray(infos) ? (infos.find((i) => i?.currency === 'USD') ?? infos[0]) : undefined;
  const amount = Number(info?.total_balance);
  if (!info || !Number.isFinite(amount)) throw new Error('unexpected DeepSeek balance answer');
  return { amount, currency: typeof info.currency === 'string' ? info.currency : 'USD' };
}

/** GETs the balance of one credential's account (through the provider's proxy, if any). */
export async function fetchBalance(
  kind: BalanceKind,
  provider: RuntimeProvider,
  credential: RuntimeCredential | null,
  timeoutMs: number,
): Promise<Balance> {
  const headers: Record<string, string> = { ...provider.headers, accept: 'application/json' };
  if (credential?.secret) headers.authorization = `Bearer ${credential.secret}`;
  const res = await getJson(
    balanceUrl(kind, provider),
    headers,
    timeoutMs,
    AbortSignal.timeout(timeoutMs),
    provider.proxy,
  );
  if (res.status >= 400) throw new Error(`balance endpoint answered ${res.status}`);
  return parseBalance(kind, res.json);
}
