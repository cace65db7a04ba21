import { describe, expect, it } from 'vitest';
import { buildKeyLimits, isIpOrCidr, splitList, type KeyLimitsDraft } from './keyLimits';

const draft: KeyLimitsDraft = {
  scopes: ['chat'],
  rpm: '',
  tpm: '',
  modelLimits: [],
  allowedIps: '',
  memoryEnabled: false,
};

describe('key limits', () => {
  it('recognises addresses and CIDR ranges', () => {
    expect(['203.0.113.7', '10.0.0.0/8', '::1', '2001:db8::/32'].every(isIpOrCidr)).toBe(true);
    expect(['10.0.0.256', 'example.com', '10.0.0.0/33', ''].some(isIpOrCidr)).toBe(false);
    expect(splitList(' a, b\nb  c ')).toEqual(['a', 'b', 'c']);
  });

  it('leaves rate limits out for non-admins and sends null for empty limits as admin', () => {
    expect(buildKeyLimits({ ...draft, rpm: '5' }, false).body).toEqual({
      scopes: ['chat'],
      allowedIps: [],
      memoryEnabled: false,
    });
    const { body, errors } = buildKeyLimits(
      {
        ...draft,
        tpm: '1000',
        modelLimits: [{ model: 'gpt-4o', rpm: '3', tpm: '' }],
        allowedIps: '10.0.0.0/8',
      },
      true,
    );
    expect(errors).toEqual({});
    expect(body).toMatchObject({
      rpmLimit: null,
      tpmLimit: 1000,
      modelLimits: [{ model: 'gpt-4o', rpm: 3, tpm: null }],
      allowedIps: ['10.0.0.0/8'],
    });
  });

  it('reports bad limits, bad IPs and incomplete or duplicate model limits', () => {
    const { errors } = buildKeyLimits(
      {
        ...draft,
        rpm: '0',
        tpm: '1.5',
        allowedIps: 'nope',
        modelLimits: [
          { model: 'a', rpm: '1', tpm: '' },
          { model: 'a', rpm: '2', tpm: '' },
          { model: 'b', rpm: '', tpm: '' },
          { model: '', rpm: '', tpm: '' },
        ],
      },
      true,
    );
    expect(errors).toEqual({
      rpm: 'keys.errLimit',
      tpm: 'keys.errLimit',
      allowedIps: 'keys.errIps',
      model1: 'keys.errModelLimit',
      model2: 'keys.errModelLimit',
    });
  });
});
