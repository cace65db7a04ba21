export const KEY_SCOPES = ['chat', 'completions', 'embeddings', 'models', 'usage', 'sessions'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];

export interface ModelLimitDraft {
  model: string;
  rpm: string;
  tpm: string;
}

export interface KeyLimitsDraft {
  scopes: KeyScope[];
  rpm: string;
  tpm: string;
  modelLimits: ModelLimitDraft[];
  allowedIps: string;
  memoryEnabled: boolean;
}

export interface KeyLimitsBody {
  scopes: KeyScope[];
  allowedIps: string[];
  memoryEnabled: boolean;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  modelLimits?: { model: string; rpm: number | null; tpm: number | null }[];
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/(3[0-2]|[12]?\d))?$/;
const IPV6 = /^[0-9a-f:]+(\/(12[0-8]|1[01]\d|\d?\d))?$/i;

/** An IPv4/IPv6 address or CIDR range (the server checks it again precisely). */
export function isIpOrCidr(s: string): boolean {
  return IPV4.test(s) || (s.includes(':') && IPV6.test(s));
}

/** Splits a comma/space/newline separated list, dropping blanks and duplicates. */
export function splitList(s: string): string[] {
  return [
    ...new Set(
      s
        .split(/[\s,]+/)
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  ];
}

function limit(s: string, max: number): number | null | 'bad' {
  if (!s.trim()) return null;
  const n = Number(s);
  return Number.isInteger(n) && n >= 1 && n <= max ? n : 'bad';
}

/**
 * Turns the limits part of the key form into the request body, or i18n error keys by field.
 * Rate limits are only sent by admins (the server refuses them from others); an empty limit means
 * unlimited (null).
 */
export function buildKeyLimits(
  d: KeyLimitsDraft,
  admin: boolean,
): { body: KeyLimitsBody; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const allowedIps = splitList(d.allowedIps);
  if (allowedIps.some((ip) => !isIpOrCidr(ip))) errors.allowedIps = 'keys.errIps';
  const body: KeyLimitsBody = { scopes: d.scopes, allowedIps, memoryEnabled: d.memoryEnabled };
  if (admin) {
    const rpm = limit(d.rpm, 1_000_000);
    const tpm = limit(d.tpm, 1_000_000_000);
    if (rpm === 'bad') errors.rpm = 'keys.errLimit';
    if (tpm === 'bad') errors.tpm = 'keys.errLimit';
    body.rpmLimit = rpm === 'bad' ? null : rpm;
    body.tpmLimit = tpm === 'bad' ? null : tpm;
    const seen = new Set<string>();
    body.modelLimits = [];
    d.modelLimits.forEach((m, i) => {
      const model = m.model.trim();
      const r = limit(m.rpm, 1_000_000);
      const t = limit(m.tpm, 1_000_000_000);
      if (!model && !m.rpm.trim() && !m.tpm.trim()) return;
      if (!model || seen.has(model)) errors[`model${i}`] = 'keys.errModelLimit';
      else if (r === 'bad' || t === 'bad' || (r === null && t === null))
        errors[`model${i}`] = 'keys.errModelLimit';
      seen.add(model);
      body.modelLimits!.push({ model, rpm: r === 'bad' ? null : r, tpm: t === 'bad' ? null : t });
    });
  }
  return { body, errors };
}
