import type { LookupAddress, LookupOptions } from 'node:dns';
import { parseAllowList, parseIp } from '../../common/net/ip-address';
import { guardedLookup, TargetPolicy, TargetRefusedError } from './target-guard';

const policy = (spec?: string) => new TargetPolicy(parseAllowList(spec));

describe('TargetPolicy', () => {
  it('refuses non-public addresses by default and names the variable that allows them', () => {
    const p = policy();
    expect(p.refusal('8.8.8.8', parseIp('8.8.8.8')!)).toBeNull();
    expect(p.refusal('127.0.0.1', parseIp('127.0.0.1')!)).toBe(
      'host 127.0.0.1 is a loopback address. Alert channels refuse loopback, private, link-local, ' +
        'unspecified, multicast and reserved addresses unless the server allows them: set ' +
        'ALERT_ALLOW_PRIVATE_TARGETS=127.0.0.1 (a comma-separated list of addresses, CIDR ranges and ' +
        'host names; true turns the check off)',
    );
    expect(p.refusal('169.254.169.254', parseIp('169.254.169.254')!)).toMatch(
      /^host 169\.254\.169\.254 is a link-local address \(the cloud metadata service\)\./,
    );
    expect(p.refusal('0x7f.1', parseIp('0x7f.1')!)).toMatch(
      /^host "0x7f\.1" is 127\.0\.0\.1, a loopback address\..*ALERT_ALLOW_PRIVATE_TARGETS=127\.0\.0\.1 /,
    );
    expect(p.refusal('[::ffff:7f00:1]', parseIp('[::ffff:7f00:1]')!)).toMatch(
      /^host ::ffff:7f00:1 is a loopback address\./,
    );
    expect(p.refusal('relay.internal', parseIp('10.1.2.3')!)).toMatch(
      /^host "relay\.internal" resolves to 10\.1\.2\.3, a private address\..*ALERT_ALLOW_PRIVATE_TARGETS=relay\.internal /,
    );
    expect(p.refusal('[fe80::1]', parseIp('fe80::1')!)).toMatch(/an? link-local address/);
    expect(p.refusal('0.0.0.0', parseIp('0.0.0.0')!)).toMatch(/is an unspecified address/);
  });

  it('allows what the allow-list names: addresses, ranges (also in IPv6 forms) and host names', () => {
    const p = policy('127.0.0.1, 10.0.0.0/8, fd00::/8, mailpit');
    expect(p.refusal('127.0.0.1', parseIp('127.0.0.1')!)).toBeNull();
    expect(p.refusal('[::ffff:127.0.0.1]', parseIp('[::ffff:127.0.0.1]')!)).toBeNull();
    expect(p.refusal('127.0.0.2', parseIp('127.0.0.2')!)).toMatch(/loopback/);
    expect(p.refusal('relay.corp', parseIp('10.9.9.9')!)).toBeNull();
    expect(p.refusal('x', parseIp('fd12::1')!)).toBeNull();
    expect(p.refusal('x', parseIp('192.168.0.1')!)).toMatch(/private/);
    expect(p.refusal('MAILPIT', parseIp('172.18.0.5')!)).toBeNull();
    expect(p.off).toBe(false);
    expect(policy('true').refusal('127.0.0.1', parseIp('127.0.0.1')!)).toBeNull();
    expect(policy('true').off).toBe(true);
  });

  it('refuses a host when any of its addresses is refused', () => {
    expect(policy().refusalOfAny('dual.example', ['93.184.216.34', '10.0.0.1'])).toMatch(
      /resolves to 10\.0\.0\.1/,
    );
    expect(policy().refusalOfAny('ok.example', ['93.184.216.34', '2606:4700::1'])).toBeNull();
  });
});

describe('guardedLookup (the send-time DNS check)', () => {
  const answers: Record<string, LookupAddress[]> = {
    'public.example': [{ address: '93.184.216.34', family: 4 }],
    'rebound.example': [{ address: '169.254.169.254', family: 4 }],
    'mixed.example': [
      { address: '2606:4700::1', family: 6 },
      { address: '10.0.0.7', family: 4 },
    ],
    'v6only.example': [{ address: '2606:4700::1', family: 6 }],
  };
  const fakeDns = (host: string, cb: (err: NodeJS.ErrnoException | null, a: LookupAddress[]) => void) =>
    setImmediate(() => {
      const a = answers[host];
      if (a) cb(null, a);
      else cb(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
    });
  const run = (host: string, options: LookupOptions, spec?: string) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      guardedLookup(policy(spec), fakeDns)(host, options, (err, address, family) =>
        resolve({ err, address, family }),
      ),
    );

  it('passes public answers through in both callback shapes', async () => {
    expect(await run('public.example', {})).toEqual({ err: null, address: '93.184.216.34', family: 4 });
    expect(await run('public.example', { all: true })).toEqual({
      err: null,
      address: [{ address: '93.184.216.34', family: 4 }],
      family: undefined,
    });
  });

  it('refuses a name that now resolves to a non-public address', async () => {
    const r = await run('rebound.example', { all: true });
    expect(r.err).toBeInstanceOf(TargetRefusedError);
    expect(r.err?.message).toMatch(/"rebound\.example" resolves to 169\.254\.169\.254.*cloud metadata/);
    expect((await run('mixed.example', {})).err?.message).toMatch(/resolves to 10\.0\.0\.7, a private/);
  });

  it('allows it when the allow-list names the host or its range', async () => {
    expect((await run('rebound.example', {}, 'rebound.example')).err).toBeNull();
    expect((await run('mixed.example', { family: 4 }, '10.0.0.0/8')).address).toBe('10.0.0.7');
  });

  it('keeps DNS errors and the family filter', async () => {
    expect((await run('nowhere.example', {})).err?.code).toBe('ENOTFOUND');
    expect((await run('v6only.example', { family: 4 })).err?.code).toBe('ENOTFOUND');
    expect((await run('v6only.example', { family: 6 })).address).toBe('2606:4700::1');
  });
});
