import {
  AddressClass,
  classifyHost,
  embeddedIpv4,
  formatIp,
  inCidr,
  parseAllowList,
  parseCidr,
  parseIp,
  parseIpv4Loose,
} from './ip-address';

describe('classifyHost', () => {
  const table: [string, AddressClass | null][] = [
    // IPv4, dotted quad
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['172.15.255.255', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['169.254.0.1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['93.184.216.34', 'public'],
    // IPv4 in the forms inet_aton and URL parsers accept
    ['2130706433', 'loopback'],
    ['0x7f000001', 'loopback'],
    ['0x7f.1', 'loopback'],
    ['0x7F.0.0.1', 'loopback'],
    ['0177.0.0.1', 'loopback'],
    ['017700000001', 'loopback'],
    ['127.1', 'loopback'],
    ['127.0.1', 'loopback'],
    ['10.0x10203', 'private'],
    ['3232235777', 'private'], // 192.168.1.1
    ['2852039166', 'link-local'], // 169.254.169.254
    ['0xa9.0xfe.0xa9.0xfe', 'link-local'],
    ['0', 'unspecified'],
    ['134744072', 'public'], // 8.8.8.8
    ['127.0.0.1.', 'loopback'],
    // IPv6
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['::', 'unspecified'],
    ['[::]', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['[fe80::abcd%25en0]', 'link-local'],
    ['febf::1', 'link-local'],
    ['fec0::1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456:789a::1', 'private'],
    ['fd00:ec2::254', 'private'], // AWS metadata over IPv6
    ['ff02::1', 'multicast'],
    ['ff05::1:3', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['2001:4860:4860::8888', 'public'],
    // IPv6 carrying IPv4
    ['::ffff:127.0.0.1', 'loopback'],
    ['[::ffff:127.0.0.1]', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['[::ffff:7f00:1]', 'loopback'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['::ffff:0:127.0.0.1', 'loopback'],
    ['::127.0.0.1', 'loopback'],
    ['::10.0.0.1', 'private'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['64:ff9b:1::1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:0808:0808::1', 'public'],
    // host names are not classified here (DNS decides)
    ['localhost', null],
    ['hooks.slack.com', null],
    ['127.0.0.1.nip.io', null],
    ['0x7g.1', null],
    ['1.2.3.4.5', null],
    ['256.1.1.1', null],
    ['4294967296', null],
    ['1.2.3.256', null],
    ['1.2.65536', null],
    ['08.1.1.1', null],
    ['', null],
  ];
  it.each(table)('%s → %s', (host, expected) => {
    expect(classifyHost(host)).toBe(expected);
  });
});

describe('parseIp / formatIp', () => {
  it('normalises every form to one canonical text', () => {
    const f = (h: string) => formatIp(parseIp(h)!);
    expect(f('2130706433')).toBe('127.0.0.1');
    expect(f('0x7f.1')).toBe('127.0.0.1');
    expect(f('0177.0.0.01')).toBe('127.0.0.1');
    expect(f('[::ffff:127.0.0.1]')).toBe('::ffff:7f00:1');
    expect(f('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(f('2001:DB8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(f('fe80::1%eth0')).toBe('fe80::1');
    expect(f('1:2:3:4:5:6:7:8')).toBe('1:2:3:4:5:6:7:8');
  });

  it('reads loose IPv4 parts as inet_aton does', () => {
    expect(parseIpv4Loose('0x')).toBe(0);
    expect(parseIpv4Loose('1.0x')).toBe(16777216);
    expect(parseIpv4Loose('1..1')).toBeNull();
    expect(parseIpv4Loose('.')).toBeNull();
  });

  it('finds the IPv4 address inside IPv6 forms', () => {
    expect(embeddedIpv4(parseIp('::ffff:1.2.3.4')!)).toBe(0x01020304);
    expect(embeddedIpv4(parseIp('2002:0102:0304::')!)).toBe(0x01020304);
    expect(embeddedIpv4(parseIp('2606:4700::1')!)).toBeNull();
  });
});

describe('CIDR allow-lists', () => {
  it('matches IPv4 and IPv6 ranges, and IPv4 ranges against IPv6 forms of IPv4 addresses', () => {
    const lo = parseCidr('127.0.0.0/8')!;
    expect(inCidr(parseIp('127.0.0.1')!, lo)).toBe(true);
    expect(inCidr(parseIp('127.200.1.1')!, lo)).toBe(true);
    expect(inCidr(parseIp('128.0.0.1')!, lo)).toBe(false);
    expect(inCidr(parseIp('::ffff:127.0.0.1')!, lo)).toBe(true);
    expect(inCidr(parseIp('::1')!, lo)).toBe(false);
    const one = parseCidr('10.1.2.3')!;
    expect(inCidr(parseIp('10.1.2.3')!, one)).toBe(true);
    expect(inCidr(parseIp('10.1.2.4')!, one)).toBe(false);
    const ula = parseCidr('fd00::/8')!;
    expect(inCidr(parseIp('fd12::1')!, ula)).toBe(true);
    expect(inCidr(parseIp('fc00::1')!, ula)).toBe(false);
    expect(inCidr(parseIp('8.8.8.8')!, parseCidr('0.0.0.0/0')!)).toBe(true);
    expect(inCidr(parseIp('::1')!, parseCidr('::1')!)).toBe(true);
  });

  it('refuses malformed ranges', () => {
    for (const bad of ['10.0.0.0/33', '::/129', '10.0.0.0/8/1', '10.0.0.0/x', '2130706433', '0x7f.1', 'x/8'])
      expect(parseCidr(bad)).toBeNull();
  });

  it('parses the environment variable forms', () => {
    expect(parseAllowList(undefined)).toMatchObject({ all: false, cidrs: [] });
    expect(parseAllowList('false').all).toBe(false);
    expect(parseAllowList('true').all).toBe(true);
    expect(parseAllowList('ON').all).toBe(true);
    const list = parseAllowList(' 127.0.0.1, 10.0.0.0/8 ,fd00::/8, Mailpit, relay.corp.example. ');
    expect(list.all).toBe(false);
    expect(list.cidrs.map((c) => c.text)).toEqual(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    expect([...list.hosts]).toEqual(['mailpit', 'relay.corp.example']);
    expect(() => parseAllowList('10.0.0.0/33')).toThrow(/"10.0.0.0\/33" is not/);
    expect(() => parseAllowList('300.1.1.1')).toThrow(/"300.1.1.1" is not/);
    expect(() => parseAllowList('http://x')).toThrow(/is not an IP address, a CIDR range/);
  });
});
